//! Stable, name-derived ids for elements and relationships.
//!
//! Ids are valid XML `NCName`s (the exchange format uses them as `xs:ID`):
//! an ASCII letter first, then ASCII letters, digits, `.`, `-` and `_`. They
//! are built from names, never from counters or random numbers, so the same
//! spec always gives the same ids.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::GraphError;

/// Whether `text` is a valid id: an ASCII letter, then ASCII letters,
/// digits, `.`, `-` or `_`.
///
/// ```
/// use blueprint_core::graph::is_valid_id;
/// assert!(is_valid_id("svc.patient.read"));
/// assert!(!is_valid_id("1st"));
/// assert!(!is_valid_id("a b"));
/// ```
pub fn is_valid_id(text: &str) -> bool {
    let b = text.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphabetic()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'))
}

/// Turns any text into an id segment: characters that ids may not hold
/// become `_`, and an empty text becomes `_`.
///
/// ```
/// use blueprint_core::graph::id_segment;
/// assert_eq!(id_segment("clinic-flow"), "clinic-flow");
/// assert_eq!(id_segment("a b/c"), "a_b_c");
/// ```
pub fn id_segment(text: &str) -> String {
    if text.is_empty() {
        return "_".to_string();
    }
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Joins a prefix and segments with `.`, making each segment safe with
/// [`id_segment`]; the prefix must start with a letter.
fn join(prefix: &str, parts: &[&str]) -> String {
    let mut s = id_segment(prefix);
    if !s.as_bytes().first().is_some_and(u8::is_ascii_alphabetic) {
        s.insert(0, 'x');
    }
    for p in parts {
        s.push('.');
        s.push_str(&id_segment(p));
    }
    s
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            #[doc = concat!("A ", $what, " id from text that is already a valid id.")]
            ///
            /// # Errors
            ///
            /// [`GraphError::InvalidId`] when the text is not an ASCII letter
            /// followed by letters, digits, `.`, `-` or `_`.
            pub fn new(text: impl Into<String>) -> Result<Self, GraphError> {
                let text = text.into();
                if is_valid_id(&text) {
                    Ok($name(text))
                } else {
                    Err(GraphError::InvalidId { id: text })
                }
            }

            #[doc = concat!("A ", $what, " id from a prefix and name parts, joined with `.`;")]
            /// characters an id may not hold become `_`, so this never fails.
            pub fn from_parts(prefix: &str, parts: &[&str]) -> Self {
                $name(join(prefix, parts))
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        // Hashing and comparing an id is hashing and comparing its text, so
        // maps keyed by ids can be searched with a `&str`.
        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = GraphError;
            fn try_from(text: String) -> Result<Self, GraphError> {
                $name::new(text)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = GraphError;
            fn try_from(text: &str) -> Result<Self, GraphError> {
                $name::new(text)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

id_type! {
    /// The id of an element, such as `bo.patient` or `svc.patient.read`.
    ///
    /// ```
    /// use blueprint_core::graph::ElementId;
    ///
    /// let id = ElementId::from_parts("svc", &["visit_note", "read"]);
    /// assert_eq!(id.as_str(), "svc.visit_note.read");
    /// assert!(ElementId::new("role.admin").is_ok());
    /// assert!(ElementId::new("../etc").is_err());
    /// ```
    ElementId, "element"
}

id_type! {
    /// The id of a relationship, such as
    /// `rel.realization.do.patient.bo.patient`.
    ///
    /// ```
    /// use blueprint_core::graph::RelationshipId;
    /// assert!(RelationshipId::new("rel.serving.a.b").is_ok());
    /// ```
    RelationshipId, "relationship"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_made_safe() {
        assert_eq!(ElementId::from_parts("", &[]).as_str(), "x_");
        assert_eq!(ElementId::from_parts("9", &["é"]).as_str(), "x9._");
        assert_eq!(ElementId::from_parts("ext", &[""]).as_str(), "ext._");
        for id in ["x_", "x9._", "ext._"] {
            assert!(is_valid_id(id));
        }
    }

    #[test]
    fn serde_rejects_invalid_ids() {
        let ok: Result<ElementId, _> = serde_json::from_str("\"bo.task\"");
        assert!(ok.is_ok());
        let bad: Result<ElementId, _> = serde_json::from_str("\"<x>\"");
        assert!(bad.is_err());
    }
}
