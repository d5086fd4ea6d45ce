//! Naming rules shared by every stage: case styles, English plurals, and
//! "did you mean" suggestions.
//!
//! Case conversion is `heck`'s; plurals are `pluralizer`'s, applied to the
//! last word of a snake_case name so that `OrderItem` becomes `order_items`
//! and `Person` becomes `people`.

use heck::{ToKebabCase, ToLowerCamelCase, ToPascalCase, ToShoutySnakeCase, ToSnakeCase};

/// `OrderItem` → `order_item`.
pub fn snake(name: &str) -> String {
    name.to_snake_case()
}

/// `order_item` → `OrderItem`.
pub fn pascal(name: &str) -> String {
    name.to_pascal_case()
}

/// `order_item` → `orderItem`.
pub fn camel(name: &str) -> String {
    name.to_lower_camel_case()
}

/// `OrderItem` → `order-item`.
pub fn kebab(name: &str) -> String {
    name.to_kebab_case()
}

/// `OrderItem` → `ORDER_ITEM`.
pub fn shouty(name: &str) -> String {
    name.to_shouty_snake_case()
}

/// The English plural of the last word of a snake_case name.
///
/// ```
/// assert_eq!(blueprint_core::naming::plural_of("order_item"), "order_items");
/// assert_eq!(blueprint_core::naming::plural_of("person"), "people");
/// ```
pub fn plural_of(snake_name: &str) -> String {
    map_last_word(snake_name, |w| pluralizer::pluralize(w, 2, false))
}

/// The English singular of the last word of a snake_case name
/// (`labels` → `label`, `people` → `person`).
pub fn singular_of(snake_name: &str) -> String {
    map_last_word(snake_name, |w| pluralizer::pluralize(w, 1, false))
}

/// The collection name of an entity: the snake_case plural of its name.
///
/// ```
/// assert_eq!(blueprint_core::naming::collection_of("Person"), "people");
/// assert_eq!(blueprint_core::naming::collection_of("AuditNote"), "audit_notes");
/// ```
pub fn collection_of(entity: &str) -> String {
    plural_of(&snake(entity))
}

fn map_last_word(snake_name: &str, f: impl Fn(&str) -> String) -> String {
    match snake_name.rsplit_once('_') {
        Some((head, last)) if !last.is_empty() => format!("{head}_{}", f(last)),
        _ if snake_name.is_empty() => String::new(),
        _ => f(snake_name),
    }
}

/// The closest of `candidates` to `word`, when one is close enough to be a
/// likely typo (Jaro-Winkler similarity of at least 0.8, or the same word in
/// another case style).
///
/// ```
/// let known = ["Patient", "Clinician"];
/// assert_eq!(blueprint_core::naming::suggest("Patiant", known), Some("Patient"));
/// assert_eq!(blueprint_core::naming::suggest("Invoice", known), None);
/// ```
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let folded = snake(word);
    let mut best: Option<(&str, f64)> = None;
    for c in candidates {
        if c == word {
            continue;
        }
        let score = if snake(c) == folded {
            1.0
        } else {
            strsim::jaro_winkler(&word.to_lowercase(), &c.to_lowercase())
        };
        if score >= 0.8 && best.is_none_or(|(_, s)| score > s) {
            best = Some((c, score));
        }
    }
    best.map(|(c, _)| c)
}

/// A hint for an unknown word: "did you mean `x`?" when a candidate is
/// close, else the fallback (usually the list of what is allowed).
///
/// ```
/// use blueprint_core::naming::did_you_mean;
/// assert_eq!(did_you_mean("hippa", ["gdpr", "hipaa"], || "no".into()), "did you mean `hipaa`?");
/// assert_eq!(did_you_mean("zzz", ["gdpr"], || "use gdpr".into()), "use gdpr");
/// ```
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    otherwise: impl FnOnce() -> String,
) -> String {
    match suggest(word, candidates) {
        Some(s) => format!("did you mean `{s}`?"),
        None => otherwise(),
    }
}

/// Whether `name` is lowercase snake_case: `[a-z][a-z0-9]*(_[a-z0-9]+)*`.
pub fn is_snake_case(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
        && !name.ends_with('_')
        && !name.contains("__")
}

/// Whether `name` is PascalCase: an uppercase ASCII letter, then letters and
/// digits.
pub fn is_pascal_case(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty() && b[0].is_ascii_uppercase() && b.iter().all(|c| c.is_ascii_alphanumeric())
}

/// Whether `name` is lowercase kebab-case: `[a-z][a-z0-9]*(-[a-z0-9]+)*`.
pub fn is_kebab_case(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && !name.ends_with('-')
        && !name.contains("--")
}

/// Whether `name` is an ASCII identifier: a letter or underscore, then
/// letters, digits and underscores.
pub fn is_ascii_identifier(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && (b[0].is_ascii_alphabetic() || b[0] == b'_')
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collections_follow_english_plurals() {
        assert_eq!(collection_of("Patient"), "patients");
        assert_eq!(collection_of("Person"), "people");
        assert_eq!(collection_of("Category"), "categories");
        assert_eq!(collection_of("OrderItem"), "order_items");
        assert_eq!(collection_of("Address"), "addresses");
        assert_eq!(collection_of("Child"), "children");
    }

    #[test]
    fn singulars_of_relation_names() {
        assert_eq!(singular_of("labels"), "label");
        assert_eq!(singular_of("group"), "group");
        assert_eq!(singular_of("people"), "person");
        assert_eq!(singular_of("watching_users"), "watching_user");
    }

    #[test]
    fn case_checks() {
        assert!(is_snake_case("date_of_birth"));
        assert!(!is_snake_case("dateOfBirth"));
        assert!(!is_snake_case("_x"));
        assert!(!is_snake_case("a__b"));
        assert!(is_pascal_case("OrderItem"));
        assert!(!is_pascal_case("order_item"));
        assert!(is_kebab_case("clinic-flow"));
        assert!(!is_kebab_case("Clinic-flow"));
        assert!(!is_kebab_case("clinic--flow"));
    }

    #[test]
    fn suggestions_prefer_the_closest() {
        assert_eq!(
            suggest("clincian", ["patient", "clinician", "admin"]),
            Some("clinician")
        );
        assert_eq!(
            suggest("DateOfBirth", ["date_of_birth"]),
            Some("date_of_birth")
        );
        assert_eq!(suggest("zzz", ["patient"]), None);
    }
}
