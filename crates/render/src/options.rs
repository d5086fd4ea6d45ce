//! What one render does: the settings of [`Engine::render`](crate::Engine::render).

/// Settings of a render, built with `with_*` methods.
///
/// By default the stack is the spec's own, the backend and the documents are
/// both emitted, and the version recorded is this crate's.
///
/// ```
/// let options = render::Options::new().with_stack("my-stack").with_docs(false);
/// assert_eq!(options.stack(), Some("my-stack"));
/// assert!(options.backend() && !options.docs());
/// assert_eq!(options.archgen_version(), env!("CARGO_PKG_VERSION"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    stack: Option<String>,
    backend: bool,
    docs: bool,
    archgen_version: String,
    history: Option<std::sync::Arc<crate::evolve::History>>,
    allow_destructive: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            stack: None,
            backend: true,
            docs: true,
            archgen_version: env!("CARGO_PKG_VERSION").to_string(),
            history: None,
            allow_destructive: false,
        }
    }
}

impl Options {
    /// The defaults: the spec's stack, backend and documents.
    pub fn new() -> Options {
        Options::default()
    }

    /// Uses this stack instead of the one the spec names.
    pub fn with_stack(mut self, stack: impl Into<String>) -> Options {
        self.stack = Some(stack.into());
        self
    }

    /// Whether to emit the backend (the stack's and the vendors' files).
    /// Without it only the documents are emitted and no stack is needed.
    pub fn with_backend(mut self, backend: bool) -> Options {
        self.backend = backend;
        self
    }

    /// Whether to emit the documents (the registered document emitters).
    pub fn with_docs(mut self, docs: bool) -> Options {
        self.docs = docs;
        self
    }

    /// The archgen version recorded in the manifest (see
    /// [`WriteOptions::for_render`](crate::write::WriteOptions::for_render)).
    pub fn with_archgen_version(mut self, version: impl Into<String>) -> Options {
        self.archgen_version = version.into();
        self
    }

    /// What the last generation into the output directory left (its
    /// schema snapshot and revision files, [`crate::write::read_history`]):
    /// the render keeps those revisions and adds one for the changes
    /// ([`crate::evolve`]). Without it, a generation is a first one.
    pub fn with_history(mut self, history: Option<crate::evolve::History>) -> Options {
        self.history = history.map(std::sync::Arc::new);
        self
    }

    /// Allows destructive schema steps (dropping a table or column,
    /// narrowing a type, …); without it they are refused
    /// ([`RenderError::Destructive`](crate::RenderError::Destructive)).
    pub fn with_allow_destructive(mut self, allow: bool) -> Options {
        self.allow_destructive = allow;
        self
    }

    /// The last generation's history, if given.
    pub fn history(&self) -> Option<&crate::evolve::History> {
        self.history.as_deref()
    }

    /// Whether destructive schema steps are allowed.
    pub fn allow_destructive(&self) -> bool {
        self.allow_destructive
    }

    /// The stack override, if any.
    pub fn stack(&self) -> Option<&str> {
        self.stack.as_deref()
    }

    /// Whether the backend is emitted.
    pub fn backend(&self) -> bool {
        self.backend
    }

    /// Whether the documents are emitted.
    pub fn docs(&self) -> bool {
        self.docs
    }

    /// The archgen version recorded in the manifest.
    pub fn archgen_version(&self) -> &str {
        &self.archgen_version
    }
}
