//! Stack emitters for archgen.
//!
//! A [`Stack`] turns the application model ([`model::AppModel`], computed
//! once from the complete blueprint: every decision about what the spec
//! means for a backend) into the files of a backend in one language and
//! framework, says which of its files realize each compliance capability,
//! and says how that backend is verified. A stack only spells the model:
//! names, types, imports and layout of its language.
//!
//! A stack never touches the disk and never renders templates itself: it
//! plans files, each either literal content or a template name plus a JSON
//! view model computed in Rust; the render engine renders them
//! with its strict template engine. Templates stay dumb: every name, type
//! and decision is in the view model.
//!
//! A stack's templates are embedded ([`Template::embedded`]) or read from a
//! directory when the stack is built ([`templates_from_dir`]); that read is
//! the only file access this crate has, and it happens before planning.

#![warn(missing_docs)]

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use compliance::Capability;
use model::AppModel;

/// A template a stack (or a vendor) ships: embedded in the binary
/// ([`Template::embedded`]), or read from a directory at run time
/// ([`templates_from_dir`]).
///
/// ```
/// use stacks::Template;
/// const README: Template = Template::embedded("acme/README.md", "# {{title}}\n");
/// let owned = Template::new(String::from("acme/README.md"), String::from("# {{title}}\n"));
/// assert_eq!(README, owned);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// The name files refer to it by, such as `python-fastapi/app/main.py`.
    pub name: Cow<'static, str>,
    /// The template's source (Handlebars).
    pub source: Cow<'static, str>,
}

impl Template {
    /// A template embedded in the binary (usable in a `const`).
    pub const fn embedded(name: &'static str, source: &'static str) -> Template {
        Template {
            name: Cow::Borrowed(name),
            source: Cow::Borrowed(source),
        }
    }

    /// A template from a name and a source, borrowed or owned.
    pub fn new(
        name: impl Into<Cow<'static, str>>,
        source: impl Into<Cow<'static, str>>,
    ) -> Template {
        Template {
            name: name.into(),
            source: source.into(),
        }
    }
}

/// Why [`templates_from_dir`] could not read a directory of templates: the
/// file (or directory) and what went wrong with it.
#[derive(Debug, thiserror::Error)]
#[error("cannot load the template {}: {kind}", path.display())]
pub struct TemplateDirError {
    /// The file or directory at fault.
    pub path: PathBuf,
    /// What went wrong.
    pub kind: TemplateDirErrorKind,
}

/// What went wrong reading a template file; see [`TemplateDirError`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateDirErrorKind {
    /// The system could not read it.
    #[error("{0}")]
    Io(#[source] std::io::Error),
    /// The file is not UTF-8 text.
    #[error("it is not UTF-8 text; save templates as UTF-8")]
    NotUtf8,
    /// A path under the directory is not UTF-8, so it cannot name a
    /// template.
    #[error("its path is not UTF-8, so it cannot name a template; rename it")]
    BadName,
}

/// Reads every template under `dir` at run time, for a stack or vendor that
/// keeps its templates beside the program rather than in it.
///
/// Each file becomes a template named `<prefix>/<path under dir>` with `/`
/// separators (`acme/catalog/entity.yaml` for `dir/catalog/entity.yaml` and
/// the prefix `acme`; an empty prefix uses the path alone). Subdirectories
/// are read too; files and directories whose names start with `.` (editor
/// and VCS leftovers) are skipped. The result is ordered by name, so it
/// does not depend on the file system.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::create_dir_all(dir.path().join("models")).unwrap();
/// std::fs::write(dir.path().join("README.md"), "# {{title}}\n").unwrap();
/// std::fs::write(dir.path().join("models/entity.py"), "class {{pascal name}}: ...\n").unwrap();
/// let templates = stacks::templates_from_dir(dir.path(), "acme").unwrap();
/// let names: Vec<&str> = templates.iter().map(|t| t.name.as_ref()).collect();
/// assert_eq!(names, ["acme/README.md", "acme/models/entity.py"]);
///
/// let err = stacks::templates_from_dir(&dir.path().join("missing"), "acme").unwrap_err();
/// assert!(err.to_string().contains("missing"), "{err}");
/// ```
///
/// # Errors
///
/// [`TemplateDirError`] naming the first file or directory that cannot be
/// read, or that is not UTF-8.
pub fn templates_from_dir(dir: &Path, prefix: &str) -> Result<Vec<Template>, TemplateDirError> {
    let mut out = Vec::new();
    let mut pending = vec![(dir.to_path_buf(), String::new())];
    while let Some((folder, relative)) = pending.pop() {
        let fail = |path: &Path, kind| TemplateDirError {
            path: path.to_path_buf(),
            kind,
        };
        let entries =
            std::fs::read_dir(&folder).map_err(|e| fail(&folder, TemplateDirErrorKind::Io(e)))?;
        for entry in entries {
            let entry = entry.map_err(|e| fail(&folder, TemplateDirErrorKind::Io(e)))?;
            let path = entry.path();
            let Some(file_name) = entry.file_name().to_str().map(str::to_string) else {
                return Err(fail(&path, TemplateDirErrorKind::BadName));
            };
            if file_name.starts_with('.') {
                continue;
            }
            let name = if relative.is_empty() {
                file_name
            } else {
                format!("{relative}/{file_name}")
            };
            // Follows symlinks, as reading the file would.
            let meta =
                std::fs::metadata(&path).map_err(|e| fail(&path, TemplateDirErrorKind::Io(e)))?;
            if meta.is_dir() {
                pending.push((path, name));
                continue;
            }
            let bytes =
                std::fs::read(&path).map_err(|e| fail(&path, TemplateDirErrorKind::Io(e)))?;
            let source =
                String::from_utf8(bytes).map_err(|_| fail(&path, TemplateDirErrorKind::NotUtf8))?;
            let name = if prefix.is_empty() {
                name
            } else {
                format!("{}/{name}", prefix.trim_end_matches('/'))
            };
            out.push(Template::new(name, source));
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// What a planned file holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// A template of the stack, rendered with this view model.
    Template {
        /// The template's name.
        name: String,
        /// The view model: everything the template prints. Shared, so many
        /// files can print from one project-wide view without copies.
        view: std::sync::Arc<serde_json::Value>,
    },
    /// A template of the stack, rendered with a view derived from `base`
    /// only when the file renders (see [`Derivation`]).
    Derived {
        /// The template's name.
        name: String,
        /// The view the derived one is made from: the same `Arc` as other
        /// files' [`Content::Template`] view, so it is not copied.
        base: std::sync::Arc<serde_json::Value>,
        /// How the view is made from `base`.
        derive: Derivation,
    },
    /// Literal text.
    Text(String),
    /// Literal bytes.
    Bytes(Vec<u8>),
}

/// How a file's view is made from a base view, at render time.
///
/// A per-item view (one per entity, say) planned as a [`Content::Template`]
/// view is built when the stack plans and kept until every file is
/// rendered, so a large spec holds all of them at once beside a copy of
/// each item in the project-wide view. A derivation is applied when its
/// first file renders and dropped after the last of the consecutive files
/// that share it (clones of one `Derivation`), so one such view is alive at
/// a time. Files sharing a derivation should be planned next to each other;
/// otherwise the view is made again for each run of them.
///
/// ```
/// use std::sync::Arc;
/// use stacks::{Content, Derivation, PlannedFile};
/// let base = Arc::new(serde_json::json!({"package": "shop", "entities": [{"name": "Order"}]}));
/// let derive = Derivation::new(|base| {
///     serde_json::json!({"package": base["package"], "entity": base["entities"][0]})
/// });
/// let file = PlannedFile::derived("src/order.py", "acme/entity.py", Arc::clone(&base), derive.clone());
/// let Content::Derived { base, derive, .. } = file.content else { unreachable!() };
/// assert_eq!(derive.apply(&base)["entity"]["name"], "Order");
/// ```
#[derive(Clone)]
pub struct Derivation(
    std::sync::Arc<dyn Fn(&serde_json::Value) -> serde_json::Value + Send + Sync>,
);

impl Derivation {
    /// A derivation that makes a view with `derive`.
    pub fn new(
        derive: impl Fn(&serde_json::Value) -> serde_json::Value + Send + Sync + 'static,
    ) -> Derivation {
        Derivation(std::sync::Arc::new(derive))
    }

    /// The view made from `base`.
    pub fn apply(&self, base: &serde_json::Value) -> serde_json::Value {
        (self.0)(base)
    }

    /// Whether `other` is a clone of this derivation (the same view).
    pub fn same_as(&self, other: &Derivation) -> bool {
        std::ptr::addr_eq(
            std::sync::Arc::as_ptr(&self.0),
            std::sync::Arc::as_ptr(&other.0),
        )
    }
}

impl std::fmt::Debug for Derivation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Derivation(..)")
    }
}

impl PartialEq for Derivation {
    fn eq(&self, other: &Derivation) -> bool {
        self.same_as(other)
    }
}

/// One file a stack (or a vendor) will emit.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedFile {
    /// The path relative to the project root, with `/` separators.
    pub path: String,
    /// What the file holds.
    pub content: Content,
    /// Whether the file is executable (scripts).
    pub executable: bool,
}

impl PlannedFile {
    /// A file rendered from a template.
    pub fn template(
        path: impl Into<String>,
        name: impl Into<String>,
        view: impl Into<std::sync::Arc<serde_json::Value>>,
    ) -> PlannedFile {
        PlannedFile {
            path: path.into(),
            content: Content::Template {
                name: name.into(),
                view: view.into(),
            },
            executable: false,
        }
    }

    /// A file rendered from a template with a view derived from `base` when
    /// it renders (see [`Derivation`]).
    pub fn derived(
        path: impl Into<String>,
        name: impl Into<String>,
        base: std::sync::Arc<serde_json::Value>,
        derive: Derivation,
    ) -> PlannedFile {
        PlannedFile {
            path: path.into(),
            content: Content::Derived {
                name: name.into(),
                base,
                derive,
            },
            executable: false,
        }
    }

    /// A file with literal text.
    pub fn text(path: impl Into<String>, text: impl Into<String>) -> PlannedFile {
        PlannedFile {
            path: path.into(),
            content: Content::Text(text.into()),
            executable: false,
        }
    }
}

/// One stage of a stack's verification, run by the quality gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// The stage's name: `install`, `migrate`, `lint`, `test`, `run`.
    pub name: String,
    /// The Makefile target that runs it.
    pub make_target: String,
    /// How long it may take, in seconds.
    pub timeout_secs: u64,
}

/// How a generated project of this stack is verified, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VerificationPlan {
    /// The stages, in the order the gate runs them.
    pub stages: Vec<Stage>,
    /// How the gate creates a user of any role: the arguments of `make`,
    /// with `{email}`, `{password}` and `{role}` replaced.
    pub create_user: Vec<String>,
    /// The Makefile target that serves the app the way production does
    /// (the production server, several worker processes), on `HOST` and
    /// `PORT` like `run`. The gate's fault stage serves with it while it
    /// restarts the database; `None` serves with the `run` stage's target.
    pub production_target: Option<String>,
    /// Package caches the gate keeps between runs: an environment variable
    /// the project's tools read, and the folder under the gate's cache
    /// directory it points at (`PIP_CACHE_DIR` → `pip`). A variable the
    /// caller set already wins.
    pub caches: Vec<Cache>,
    /// What the project's own tests depend on besides its sources, so the
    /// gate can tell when their last pass still holds and skip running them
    /// again (`archgen verify --fresh` always runs them).
    pub test_inputs: TestInputs,
}

/// What a generated project's tests (the `test` stage) depend on besides
/// its source files. The gate keys a passing run on a SHA-256 of the
/// project's files (the `clients/` packages and the gate's `.archgen/`
/// left out, always), the stage's target, the versions this names, and
/// those of Node.js and the PostgreSQL server; a run with the same key is
/// not repeated. A stack that declares nothing here has every file it
/// holds fingerprinted, which is slower but never wrong.
///
/// ```
/// let inputs = stacks::TestInputs {
///     outputs_at_top: vec![".venv".into()],
///     outputs_anywhere: vec!["__pycache__".into()],
///     toolchain: vec![vec!["python3".into(), "--version".into()]],
/// };
/// assert!(inputs.is_output(1, ".venv") && !inputs.is_output(2, ".venv"));
/// assert!(inputs.is_output(3, "__pycache__"));
/// assert!(!inputs.is_output(1, "src"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TestInputs {
    /// Directories the stack's tools make at the top of the project that
    /// hold no source: installed packages, tool caches (`.venv`,
    /// `.mypy_cache`, `node_modules`, `dist`).
    pub outputs_at_top: Vec<String>,
    /// Directory names the tools make anywhere in the project
    /// (`__pycache__`).
    pub outputs_anywhere: Vec<String>,
    /// Commands that print the version of the toolchain the tests run on
    /// (`python3 --version`): an upgrade runs the tests again.
    pub toolchain: Vec<Vec<String>>,
}

impl TestInputs {
    /// Whether a directory called `name`, `depth` levels under the
    /// project's top (1 for a directory at the top), is one of the tools'
    /// outputs.
    pub fn is_output(&self, depth: usize, name: &str) -> bool {
        self.outputs_anywhere.iter().any(|o| o == name)
            || (depth == 1 && self.outputs_at_top.iter().any(|o| o == name))
    }
}

/// A package cache of a stack's tools, or an installed environment that
/// projects with the same lock files share.
///
/// ```
/// // pip's download cache, one for every project:
/// let pip = stacks::Cache {
///     variable: "PIP_CACHE_DIR".into(),
///     folder: "pip".into(),
///     keyed_by: vec![],
/// };
/// // The virtualenv, one per set of locks (the Makefile's `VENV`):
/// let venv = stacks::Cache {
///     variable: "VENV".into(),
///     folder: "venvs".into(),
///     keyed_by: vec!["requirements.lock".into(), "requirements-dev.lock".into()],
/// };
/// assert!(pip.keyed_by.is_empty() && !venv.keyed_by.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cache {
    /// The environment variable, such as `PIP_CACHE_DIR` or `npm_config_cache`.
    pub variable: String,
    /// The folder under the gate's cache directory.
    pub folder: String,
    /// Files of the project whose contents pick a folder of their own
    /// under `folder` (with the versions of the stack's toolchain,
    /// [`TestInputs::toolchain`]): an installed environment that every
    /// project with the same locks uses, so it is installed once. The gate
    /// lets one run at a time through the plan's `install` stage with the
    /// same folder, leaves it out with `--fresh` (the project's own then
    /// serves), and a variable the caller set wins as for any cache.
    /// Empty: one folder for every project.
    pub keyed_by: Vec<String>,
}

/// Where a stack realizes things, for the documents: the generated paths
/// (relative to the project root; a trailing `/` names a folder, and a
/// note in parentheses may follow a path) that realize each compliance
/// capability and hold each entity. Every path a stack cites must be a file
/// it plans (or a folder holding one); a test checks it for the built-in
/// stacks.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Realizations {
    /// The files that realize each capability.
    pub capabilities: BTreeMap<Capability, Vec<String>>,
    /// The files that hold each entity, by entity name.
    pub entities: BTreeMap<String, Vec<String>>,
}

impl Realizations {
    /// The paths that realize a capability (empty when none).
    pub fn of(&self, capability: Capability) -> &[String] {
        self.capabilities
            .get(&capability)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The paths that hold an entity (empty when none).
    pub fn of_entity(&self, entity: &str) -> &[String] {
        self.entities
            .get(entity)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

/// The architecture decision of choosing a stack, for the generated ADRs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackDecision {
    /// The ADR's title, such as "Build the backend with Python and FastAPI".
    pub title: String,
    /// Why a choice had to be made, beyond the spec naming the stack.
    pub context: String,
    /// What the choice had to satisfy.
    pub drivers: Vec<String>,
    /// The options considered, the chosen one first.
    pub options: Vec<String>,
    /// Why the first option was chosen.
    pub because: String,
    /// Good and bad consequences, each a sentence.
    pub consequences: Vec<String>,
}

/// Why a stack could not plan a project.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StackError {
    /// The blueprint asks for something this stack cannot emit.
    #[error("the `{stack}` stack cannot emit this product: {reason}")]
    Unsupported {
        /// The stack's id.
        stack: String,
        /// What it cannot do, and what to do instead.
        reason: String,
    },
}

/// A migration revision a stack is asked for: the schema steps since the
/// project was last generated ([`model::schema::diff`]).
#[derive(Debug, Clone, Copy)]
pub struct RevisionRequest<'a> {
    /// The revision's number: 2 for the first one after the initial
    /// migration, and so on.
    pub number: u32,
    /// The id of the revision it follows.
    pub previous: &'a str,
    /// A short snake_case name of what it does (`add_tasks_done`).
    pub slug: &'a str,
    /// The steps, in the order they apply.
    pub steps: &'a [model::schema::Step],
}

/// A migration revision a stack planned: its id (what the next one names
/// as `previous`) and its file.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedRevision {
    /// The revision's id, such as `0002`.
    pub id: String,
    /// The migration file (literal content: it is written once and never
    /// rendered again).
    pub file: PlannedFile,
}

/// The first migration a stack's [`plan`](Stack::plan) emits: where it is
/// and its revision id. Once applied, it is never regenerated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitialRevision {
    /// The revision's id, such as `0001`.
    pub id: String,
    /// The file's path, such as `migrations/versions/0001_initial.py`.
    pub path: String,
}

/// A stack: one language and framework's way of building the backend.
///
/// Third parties implement it and register it with the render engine; they
/// get the documents, the compliance controls and the vendors for free.
pub trait Stack: Send + Sync {
    /// The id used in specs and on the command line, such as
    /// `python-fastapi`.
    fn id(&self) -> &'static str;

    /// One line saying what the stack emits.
    fn description(&self) -> &'static str;

    /// Every template the stack's files refer to.
    fn templates(&self) -> Vec<Template>;

    /// The files of the backend for an application model.
    fn plan(&self, model: &AppModel) -> Result<Vec<PlannedFile>, StackError>;

    /// Which of the planned files realize each capability and hold each
    /// entity. The default cites nothing, and the documents then say that
    /// the stack does not tell.
    fn realizations(&self, model: &AppModel) -> Realizations {
        let _ = model;
        Realizations::default()
    }

    /// The decision record of choosing this stack; `None` gives a generic
    /// one.
    fn decision(&self) -> Option<StackDecision> {
        None
    }

    /// How a generated project is verified.
    fn verification(&self) -> VerificationPlan;

    /// The last pass over each file rendered from a template, given its
    /// path: a stack whose formatter must leave the project unchanged lays
    /// out here what only the spec's names made too long. The default
    /// keeps the text as it is.
    fn finish(&self, path: &str, text: String) -> String {
        let _ = path;
        text
    }

    /// The initial migration [`plan`](Stack::plan) emits, for a stack
    /// whose schema evolves through migration revisions
    /// ([`revision`](Stack::revision)). `None` (the default): the stack
    /// regenerates its schema every time and keeps no revisions.
    fn initial_revision(&self) -> Option<InitialRevision> {
        None
    }

    /// The migration revision that applies the schema steps since the last
    /// generation to a database at the previous revision (its upgrade) and
    /// undoes them where the data allows (its downgrade). Called only when
    /// [`initial_revision`](Stack::initial_revision) is given and there
    /// are steps; destructive steps reach it only when the user allowed
    /// them. `model` is the new model.
    ///
    /// # Errors
    ///
    /// [`StackError::Unsupported`] for a step the stack cannot migrate.
    fn revision(
        &self,
        model: &AppModel,
        request: RevisionRequest<'_>,
    ) -> Result<Option<PlannedRevision>, StackError> {
        let _ = (model, request);
        Ok(None)
    }
}

pub mod python_fastapi;
pub mod typescript_fastify;

/// The stacks archgen ships, for the render engine's
/// `Engine::with_builtins`: `python-fastapi` and `typescript-fastify`.
///
/// ```
/// let ids: Vec<&str> = stacks::builtin().iter().map(|s| s.id()).collect();
/// assert_eq!(ids, ["python-fastapi", "typescript-fastify"]);
/// ```
pub fn builtin() -> Vec<Box<dyn Stack>> {
    vec![
        Box::new(python_fastapi::PythonFastapi),
        Box::new(typescript_fastify::TypescriptFastify),
    ]
}
