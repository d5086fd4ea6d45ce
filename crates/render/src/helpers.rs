//! The helpers every template may use.
//!
//! | helper | does |
//! |---|---|
//! | `snake`, `pascal`, `camel`, `kebab`, `shouty` | case styles ([`blueprint_core::naming`]) |
//! | `plural`, `singular` | the English plural or singular of the last word of a snake_case name |
//! | `json` | the value as compact JSON (strings quoted and escaped) |
//! | `indent n text` | `text` with every line after the first indented by `n` spaces (blank lines stay empty) |
//! | `if`, `unless` | as in Handlebars, but a missing variable is an error |
//! | `eq`, `ne`, `gt`, `gte`, `lt`, `lte`, `and`, `or`, `not`, `len` | Handlebars' own, strict about missing values |
//!
//! Naming and decisions belong in the view model; these helpers exist for
//! the small conversions a template would otherwise repeat.

use blueprint_core::naming;
use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, JsonTruthy, Output, PathAndJson,
    RenderContext, RenderError as HbError, RenderErrorReason, Renderable, ScopedJson,
};
use serde_json::Value;

/// A conversion from text to text.
type Convert = fn(&str) -> String;

/// Registers every shared helper on a registry.
pub(crate) fn register(registry: &mut Handlebars<'static>) {
    let text: [(&'static str, Convert); 7] = [
        ("snake", naming::snake),
        ("pascal", naming::pascal),
        ("camel", naming::camel),
        ("kebab", naming::kebab),
        ("shouty", naming::shouty),
        ("plural", naming::plural_of),
        ("singular", naming::singular_of),
    ];
    for (name, convert) in text {
        registry.register_helper(name, Box::new(TextHelper { name, convert }));
    }
    registry.register_helper("json", Box::new(JsonHelper));
    registry.register_helper("indent", Box::new(IndentHelper));
    registry.register_helper(
        "if",
        Box::new(StrictIf {
            name: "if",
            positive: true,
        }),
    );
    registry.register_helper(
        "unless",
        Box::new(StrictIf {
            name: "unless",
            positive: false,
        }),
    );
}

/// Parameter `index` of a helper call, or a strict-mode error naming the
/// missing variable.
fn param<'a, 'rc>(
    h: &'a Helper<'rc>,
    helper: &'static str,
    index: usize,
) -> Result<&'a PathAndJson<'rc>, HbError> {
    let p = h
        .param(index)
        .ok_or(RenderErrorReason::ParamNotFoundForIndex(helper, index))?;
    if p.is_value_missing() {
        return Err(RenderErrorReason::MissingVariable(p.relative_path().cloned()).into());
    }
    Ok(p)
}

fn text_param<'a>(
    h: &'a Helper<'_>,
    helper: &'static str,
    index: usize,
) -> Result<&'a str, HbError> {
    param(h, helper, index)?
        .value()
        .as_str()
        .ok_or_else(|| RenderErrorReason::InvalidParamType("a string").into())
}

/// A helper from text to text.
struct TextHelper {
    name: &'static str,
    convert: Convert,
}

impl HelperDef for TextHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, HbError> {
        let text = text_param(h, self.name, 0)?;
        Ok(ScopedJson::Derived(Value::String((self.convert)(text))))
    }
}

/// `json value`: compact JSON.
struct JsonHelper;

impl HelperDef for JsonHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, HbError> {
        let value = param(h, "json", 0)?.value();
        let text =
            serde_json::to_string(value).map_err(|e| RenderErrorReason::Other(e.to_string()))?;
        Ok(ScopedJson::Derived(Value::String(text)))
    }
}

/// `indent n text`: every line after the first indented by `n` spaces.
struct IndentHelper;

impl HelperDef for IndentHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, HbError> {
        let width = param(h, "indent", 0)?
            .value()
            .as_u64()
            .filter(|n| *n <= 256)
            .ok_or(RenderErrorReason::InvalidParamType(
                "a number of spaces from 0 to 256",
            ))?;
        let text = text_param(h, "indent", 1)?;
        Ok(ScopedJson::Derived(Value::String(indent(
            text,
            width as usize,
        ))))
    }
}

/// Indents every line after the first by `width` spaces; blank lines stay
/// empty so no line ends in spaces.
pub(crate) fn indent(text: &str, width: usize) -> String {
    let pad = " ".repeat(width);
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            if !line.trim().is_empty() {
                out.push_str(&pad);
            }
        }
        out.push_str(line);
    }
    out
}

/// `#if` and `#unless` that refuse a missing variable (Handlebars' own treat
/// it as false, which would hide a view-model bug).
struct StrictIf {
    name: &'static str,
    positive: bool,
}

impl HelperDef for StrictIf {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let include_zero = h
            .hash_get("includeZero")
            .and_then(|v| v.value().as_bool())
            .unwrap_or(false);
        let truthy = param(h, self.name, 0)?.value().is_truthy(include_zero) == self.positive;
        if !h.is_block() {
            return out
                .write(if truthy { "true" } else { "false" })
                .map_err(|e| RenderErrorReason::Other(e.to_string()).into());
        }
        match if truthy { h.template() } else { h.inverse() } {
            Some(t) => t.render(r, ctx, rc, out),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::indent;

    #[test]
    fn indent_skips_the_first_and_blank_lines() {
        assert_eq!(indent("a\nb\n\n  c\n", 4), "a\n    b\n\n      c\n");
        assert_eq!(indent("", 2), "");
    }
}
