//! The template engine: Handlebars in strict mode, without HTML escaping,
//! with archgen's shared helpers.

use crate::RenderError;
use handlebars::{Handlebars, RenderErrorReason, TemplateErrorReason};
use indexmap::IndexMap;
use stacks::Template;
use std::borrow::Cow;

/// A set of compiled templates, rendered strictly: a variable the view model
/// lacks is an error naming the template and the variable, never an empty
/// string. Output is not HTML-escaped (archgen emits code). The helpers are
/// listed in the crate docs' table (case styles, plurals, `json`, `indent`,
/// strict `if`/`unless`, comparisons).
///
/// ```
/// use render::Templates;
/// use serde_json::json;
///
/// let mut templates = Templates::new();
/// templates
///     .register(&stacks::Template::embedded("model.py", "class {{pascal name}}:\n    table = {{json table}}\n"))
///     .unwrap();
/// let text = templates.render("model.py", &json!({ "name": "order_item", "table": "order_items" })).unwrap();
/// assert_eq!(text, "class OrderItem:\n    table = \"order_items\"\n");
///
/// let err = templates.render("model.py", &json!({ "name": "order_item" })).unwrap_err();
/// assert!(err.to_string().contains("`table`"), "{err}");
/// ```
#[derive(Debug)]
pub struct Templates {
    registry: Handlebars<'static>,
    sources: IndexMap<Cow<'static, str>, Cow<'static, str>>,
}

impl Default for Templates {
    fn default() -> Self {
        Templates::new()
    }
}

impl Templates {
    /// No templates yet; strict mode, no escaping, the shared helpers.
    pub fn new() -> Templates {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        registry.register_escape_fn(handlebars::no_escape);
        crate::helpers::register(&mut registry);
        Templates {
            registry,
            sources: IndexMap::new(),
        }
    }

    /// Compiles and adds a template. Registering the same template again is
    /// harmless; another source under a taken name is an error, so a vendor
    /// never silently replaces a stack's template.
    ///
    /// # Errors
    ///
    /// [`RenderError::Template`] when the source does not parse (with line
    /// and column) or the name is taken by another source.
    pub fn register(&mut self, template: &Template) -> Result<(), RenderError> {
        match self.sources.get(template.name.as_ref()) {
            Some(source) if *source == template.source => return Ok(()),
            Some(_) => {
                return Err(RenderError::Template {
                    template: template.name.to_string(),
                    message: "two different templates have this name; name a vendor's templates `<vendor>/<stack>/…` and a stack's `<stack>/…`".to_string(),
                })
            }
            None => {}
        }
        self.registry
            .register_template_string(&template.name, template.source.as_ref())
            .map_err(|e| RenderError::Template {
                template: template.name.to_string(),
                message: template_error_message(&e),
            })?;
        self.sources
            .insert(template.name.clone(), template.source.clone());
        Ok(())
    }

    /// Compiles and adds several templates; see [`register`](Self::register).
    ///
    /// # Errors
    ///
    /// The first template that fails.
    pub fn register_all(&mut self, templates: &[Template]) -> Result<(), RenderError> {
        templates.iter().try_for_each(|t| self.register(t))
    }

    /// Whether a template with this name is registered.
    pub fn contains(&self, name: &str) -> bool {
        self.sources.contains_key(name)
    }

    /// The names of the registered templates, in registration order.
    pub fn names(&self) -> impl Iterator<Item = &str> + '_ {
        self.sources.keys().map(|name| name.as_ref())
    }

    /// Renders a template with a view model.
    ///
    /// # Errors
    ///
    /// [`RenderError::Template`] naming the template, the place in it, and
    /// the missing variable or failing helper.
    pub fn render(&self, name: &str, view: &serde_json::Value) -> Result<String, RenderError> {
        self.known(name)?;
        self.registry
            .render(name, view)
            .map_err(|e| template_error(name, &e))
    }

    /// An error unless a template of this name is registered.
    fn known(&self, name: &str) -> Result<(), RenderError> {
        if self.contains(name) {
            return Ok(());
        }
        Err(RenderError::Template {
            template: name.to_string(),
            message: "no template has this name; a stack or vendor must list it in `templates()`"
                .to_string(),
        })
    }
}

/// A view model made ready for rendering once, for every file that prints
/// from it.
pub(crate) struct SharedView {
    context: handlebars::Context,
}

impl SharedView {
    /// Takes the view without copying it when nothing else holds it.
    pub(crate) fn new(view: std::sync::Arc<serde_json::Value>) -> SharedView {
        let value = std::sync::Arc::try_unwrap(view).unwrap_or_else(|shared| (*shared).clone());
        SharedView::from_value(value)
    }

    /// A view made for one use (a derived view), taken as is.
    pub(crate) fn from_value(value: serde_json::Value) -> SharedView {
        SharedView {
            context: handlebars::Context::from(value),
        }
    }

    /// The view's data.
    pub(crate) fn data(&self) -> &serde_json::Value {
        self.context.data()
    }
}

impl Templates {
    /// Renders a template with a view prepared by [`SharedView::new`].
    pub(crate) fn render_shared(
        &self,
        name: &str,
        view: &SharedView,
    ) -> Result<String, RenderError> {
        self.known(name)?;
        self.registry
            .render_with_context(name, &view.context)
            .map_err(|e| template_error(name, &e))
    }
}

fn template_error(name: &str, e: &handlebars::RenderError) -> RenderError {
    RenderError::Template {
        template: name.to_string(),
        message: render_error_message(name, e),
    }
}

fn render_error_message(name: &str, e: &handlebars::RenderError) -> String {
    let what = match e.reason() {
        RenderErrorReason::MissingVariable(Some(path)) => format!(
            "the view model has no `{path}` (strict mode: a missing variable is an error); add it to the view model in Rust, or fix the template"
        ),
        RenderErrorReason::MissingVariable(None) => {
            "a variable is missing from the view model (strict mode); add it in Rust, or fix the template".to_string()
        }
        RenderErrorReason::HelperNotFound(name) => format!(
            "there is no helper `{name}`; the helpers are snake, pascal, camel, kebab, shouty, plural, singular, json, indent, if, unless, each, with, eq, ne, gt, gte, lt, lte, and, or, not, len"
        ),
        RenderErrorReason::PartialNotFound(name) | RenderErrorReason::TemplateNotFound(name) => {
            format!("no template `{name}` is registered; list it in the stack's `templates()`")
        }
        RenderErrorReason::TemplateError(t) => template_error_message(t),
        other => other.to_string(),
    };
    let nested = match e.template_name.as_deref() {
        Some(t) if t != name => format!("in `{t}`, "),
        _ => String::new(),
    };
    match (e.line_no, e.column_no) {
        (Some(line), Some(col)) => format!("{nested}line {line}, column {col}: {what}"),
        _ => format!("{nested}{what}"),
    }
}

fn template_error_message(e: &handlebars::TemplateError) -> String {
    let what = match e.reason() {
        TemplateErrorReason::MismatchingClosedHelper(open, close) => {
            format!("`{{{{#{open}}}}}` is closed by `{{{{/{close}}}}}`")
        }
        other => other.to_string(),
    };
    match e.pos() {
        Some((line, col)) => format!("does not parse at line {line}, column {col}: {what}"),
        None => format!("does not parse: {what}"),
    }
}
