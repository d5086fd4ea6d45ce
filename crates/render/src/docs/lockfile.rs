//! The committed npm lock files of the generated TypeScript packages
//! (`clients/ts/`, `clients/admin/`, `clients/mobile/`). A lock is the same
//! for every project but for the package names in it, so each is kept as a
//! file (`package-lock.json.in`) with `{{name}}` where a name goes, filled
//! by plain replacement: handlebars would parse hundreds of kilobytes of
//! JSON on every run for two names.

use crate::RenderError;

/// The lock with every `{{name}}` replaced by its value from `names`.
///
/// # Errors
///
/// [`RenderError::Emitter`] (of `emitter`) for a `{{name}}` that `names`
/// lacks, or an unclosed `{{`.
pub(crate) fn fill(
    emitter: &str,
    lock: &str,
    names: &[(&str, &str)],
) -> Result<String, RenderError> {
    let fail = |message: String| RenderError::Emitter {
        emitter: emitter.to_string(),
        message,
    };
    let mut out = String::with_capacity(lock.len() + 256);
    let mut rest = lock;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let close = after
            .find("}}")
            .ok_or_else(|| fail("the lock file has an unclosed `{{`".into()))?;
        let name = &after[..close];
        let value = names
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
            .ok_or_else(|| {
                fail(format!(
                    "the lock file names `{{{{{name}}}}}`, which has no value"
                ))
            })?;
        out.push_str(value);
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::fill;

    #[test]
    fn names_are_filled_and_unknown_ones_refused() {
        let lock = r#"{"name": "{{package}}", "x": {"{{client}}": "file:../ts"}}"#;
        let filled = fill(
            "t",
            lock,
            &[("package", "a-mobile"), ("client", "a-client")],
        )
        .unwrap();
        assert_eq!(
            filled,
            r#"{"name": "a-mobile", "x": {"a-client": "file:../ts"}}"#
        );
        assert!(fill("t", "{{other}}", &[("package", "p")]).is_err());
        assert!(fill("t", "{{package", &[("package", "p")]).is_err());
        assert_eq!(fill("t", "no names", &[]).unwrap(), "no names");
    }
}
