//! W511: personal data readable by everyone.
//!
//! An entity whose `read` rule lists `authenticated` or `public` shows every
//! row to every signed-in user (or every visitor), not only the caller's.
//! When such an entity has personal or sensitive fields (as
//! [`crate::pii::classify_spec`] classifies them) whose own `read` rule does
//! not narrow it, `check` warns: that is rarely what a spec means, and GDPR
//! Art. 5(1)(f) and Art. 25 ask for the opposite by default.

use crate::pii::classify_spec;
use blueprint_core::diag::{Code, Diagnostic};
use blueprint_core::source::{path, SourceMap};
use blueprint_core::spec::{sort_warnings, Action, Checked, Pii, Spec, Subject};

/// Whether a list of subjects opens rows that are not the caller's.
fn opens_every_row(subjects: &[Subject]) -> bool {
    subjects
        .iter()
        .any(|s| matches!(s, Subject::Authenticated | Subject::Public))
}

/// The W511 warnings of a spec, with spans from its source map (an empty
/// map gives warnings without a place).
///
/// ```
/// use blueprint_core::source::SourceMap;
/// use blueprint_core::spec::{parse_str, Format};
/// let text = "spec_version: 1\nproduct: { name: hr }\nentities:\n  Employee:\n    fields: { full_name: string!, tax_id: string }\n    access: { read: [authenticated] }\n";
/// let checked = parse_str("hr.yaml", text, Format::Yaml).unwrap();
/// let w = compliance::exposure::personal_data_exposed(&checked.spec, &checked.source_map);
/// assert_eq!(w[0].code.as_str(), "W511");
/// assert!(w[0].message.contains("`tax_id`"));
/// // A field rule that narrows `read` answers the warning.
/// let text = text.replace("tax_id: string", "tax_id: { type: string, read: [admin] }")
///     .replace("full_name: string!", "full_name: { type: string, required: true, read: [admin] }");
/// let checked = parse_str("hr.yaml", &text, Format::Yaml).unwrap();
/// assert!(compliance::exposure::personal_data_exposed(&checked.spec, &checked.source_map).is_empty());
/// ```
pub fn personal_data_exposed(spec: &Spec, map: &SourceMap) -> Vec<Diagnostic> {
    let classes = classify_spec(spec);
    let mut out = Vec::new();
    for (ename, entity) in &spec.entities {
        let read = entity.access.get(Action::Read);
        if !opens_every_row(read) {
            continue;
        }
        let exposed: Vec<&str> = classes
            .iter()
            .filter(|c| &c.entity == ename && c.pii != Pii::None)
            .filter(|c| {
                entity
                    .fields
                    .get(&c.field)
                    .is_some_and(|f| f.read.as_deref().is_none_or(opens_every_row))
            })
            .map(|c| c.field.as_str())
            .collect();
        if exposed.is_empty() {
            continue;
        }
        let who = if read.contains(&Subject::Public) {
            "every visitor"
        } else {
            "every signed-in user"
        };
        let fields = exposed
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let rule = path(&["entities", ename, "access", "read"]);
        let span = map
            .value(&rule)
            .or_else(|| map.key(&path(&["entities", ename])));
        let mut d = Diagnostic::warning(
            Code::PersonalDataExposed,
            format!(
                "{who} may read the personal data of every `{ename}` row ({fields}), not only their own"
            ),
        )
        .with_hint(format!(
            "narrow `{ename}`'s `read` rule (for example to [owner, admin]), or give those fields a `read:` rule such as `read: [owner, admin]`"
        ));
        d.span = span;
        out.push(d);
    }
    out
}

/// Adds the W511 warnings to a spec that passed `check`, placed in its
/// source and ordered with its other warnings.
///
/// ```
/// use blueprint_core::spec::{parse_str, Format};
/// let text = "spec_version: 1\nproduct: { name: hr }\nentities:\n  Employee:\n    fields: { tax_id: string }\n    access: { read: [authenticated] }\n";
/// let mut checked = parse_str("hr.yaml", text, Format::Yaml).unwrap();
/// compliance::exposure::add_warnings(&mut checked);
/// let w511 = checked.warnings.iter().find(|d| d.code.as_str() == "W511").unwrap();
/// assert_eq!(w511.line, Some(6));
/// ```
pub fn add_warnings(checked: &mut Checked) {
    let found = personal_data_exposed(&checked.spec, &checked.source_map);
    checked.warnings.extend(found.into_iter().map(|d| {
        let span = d.span;
        d.at(&checked.source, span)
    }));
    sort_warnings(&mut checked.warnings);
}
