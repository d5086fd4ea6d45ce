//! Which relationship may join which pair of elements: Archi's table of
//! ArchiMate 3.2 (`data/archimate/relationships.xml`), embedded and parsed
//! once into a 62 × 62 table of bit sets.

use super::{ElementKind, RelationshipKind};
use std::sync::OnceLock;

/// The embedded rule table, byte-identical to the project's reference copy.
const RELATIONSHIPS_XML: &str = include_str!("../../data/archimate/relationships.xml");

const N: usize = 62;

/// One bit set of relationship kinds per (source, target) pair of element
/// kinds, indexed by [`ElementKind::index`].
struct Table {
    cells: Vec<u16>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| parse_table(RELATIONSHIPS_XML))
}

/// Reads the table. A concept that is no exchange element kind (Archi's
/// `Relationship`) is skipped; `Junction` rows fill both junction kinds. An
/// unreadable document gives an empty table (nothing allowed): the embedded
/// file is checked by the tests, so that never happens in a release.
fn parse_table(xml: &str) -> Table {
    let mut cells = vec![0u16; N * N];
    let Ok(doc) = roxmltree::Document::parse(xml) else {
        return Table { cells };
    };
    for source in doc
        .root_element()
        .children()
        .filter(|n| n.has_tag_name("source"))
    {
        let sources = kinds_of_concept(source.attribute("concept").unwrap_or_default());
        for target in source.children().filter(|n| n.has_tag_name("target")) {
            let targets = kinds_of_concept(target.attribute("concept").unwrap_or_default());
            let bits = target
                .attribute("relations")
                .unwrap_or_default()
                .chars()
                .filter_map(RelationshipKind::from_letter)
                .fold(0u16, |acc, k| acc | k.bit());
            for s in &sources {
                for t in &targets {
                    cells[s.index() * N + t.index()] = bits;
                }
            }
        }
    }
    Table { cells }
}

/// The exchange element kinds an Archi concept name stands for.
fn kinds_of_concept(concept: &str) -> Vec<ElementKind> {
    ElementKind::ALL
        .iter()
        .copied()
        .filter(|k| k.archi_concept() == concept)
        .collect()
}

/// Whether ArchiMate 3.2 allows a relationship of `kind` from an element of
/// kind `source` to one of kind `target` (derived relationships included).
///
/// ```
/// use blueprint_core::archimate::{is_allowed, ElementKind as E, RelationshipKind as R};
///
/// assert!(is_allowed(E::DataObject, R::Realization, E::BusinessObject));
/// assert!(!is_allowed(E::BusinessObject, R::Realization, E::DataObject));
/// assert!(is_allowed(E::AndJunction, R::Serving, E::BusinessRole));
/// ```
pub fn is_allowed(source: ElementKind, kind: RelationshipKind, target: ElementKind) -> bool {
    table().cells[source.index() * N + target.index()] & kind.bit() != 0
}

/// Every relationship kind allowed from `source` to `target`, in the order of
/// [`RelationshipKind::ALL`].
///
/// ```
/// use blueprint_core::archimate::{allowed_kinds, ElementKind as E, RelationshipKind as R};
///
/// assert_eq!(
///     allowed_kinds(E::ApplicationService, E::DataObject),
///     vec![R::Access, R::Association],
/// );
/// ```
pub fn allowed_kinds(source: ElementKind, target: ElementKind) -> Vec<RelationshipKind> {
    RelationshipKind::ALL
        .into_iter()
        .filter(|k| is_allowed(source, *k, target))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_table_parses_and_is_not_empty() {
        let t = table();
        assert_eq!(t.cells.len(), N * N);
        assert!(
            t.cells.iter().all(|c| *c != 0),
            "every element pair allows at least Association"
        );
    }

    #[test]
    fn an_unreadable_document_allows_nothing() {
        let t = parse_table("<not xml");
        assert!(t.cells.iter().all(|c| *c == 0));
    }
}
