//! Checks `archimate::is_allowed` against the project's reference copy of
//! Archi's ArchiMate 3.2 relationship table, cell by cell, and checks that
//! the copy embedded in this crate is byte-identical to it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use blueprint_core::archimate::{is_allowed, ElementKind, RelationshipKind};

/// The `standards/archimate` folder of the shared reference data: found by
/// walking up from this crate to the directory that has `../shared/standards`
/// beside it.
fn standards_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in manifest.ancestors() {
        let candidate = dir.join("../shared/standards");
        if candidate.is_dir() {
            return candidate.join("archimate");
        }
    }
    panic!(
        "no ../shared/standards found above {}: the reference data must sit beside the workspace",
        manifest.display()
    );
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// source concept -> target concept -> letters.
fn reference_table() -> BTreeMap<String, BTreeMap<String, String>> {
    let text = read(&standards_dir().join("relationships.xml"));
    let doc = roxmltree::Document::parse(&text).expect("the reference table is XML");
    assert_eq!(doc.root_element().tag_name().name(), "relationships");
    assert_eq!(doc.root_element().attribute("version"), Some("3.2"));
    let mut table = BTreeMap::new();
    for source in doc
        .root_element()
        .children()
        .filter(|n| n.has_tag_name("source"))
    {
        let mut row = BTreeMap::new();
        for target in source.children().filter(|n| n.has_tag_name("target")) {
            let previous = row.insert(
                target.attribute("concept").expect("concept").to_string(),
                target
                    .attribute("relations")
                    .expect("relations")
                    .to_string(),
            );
            assert!(
                previous.is_none(),
                "a target appears twice in one source row"
            );
        }
        table.insert(
            source.attribute("concept").expect("concept").to_string(),
            row,
        );
    }
    table
}

#[test]
fn the_reference_table_has_62_by_62_rows() {
    let table = reference_table();
    assert_eq!(table.len(), 62);
    for (source, row) in &table {
        assert_eq!(row.len(), 62, "row count of {source}");
    }
    // Every exchange kind maps onto a concept of the table; the only
    // concept that is no element kind is Archi's `Relationship`.
    for kind in ElementKind::ALL {
        assert!(
            table.contains_key(kind.archi_concept()),
            "{kind} has no row"
        );
    }
    let unmapped: Vec<_> = table
        .keys()
        .filter(|c| {
            !ElementKind::ALL
                .iter()
                .any(|k| k.archi_concept() == c.as_str())
        })
        .collect();
    assert_eq!(unmapped, ["Relationship"]);
}

#[test]
fn is_allowed_matches_every_cell_of_the_reference_table() {
    let table = reference_table();
    let mut checked = 0;
    for source in ElementKind::ALL {
        let row = &table[source.archi_concept()];
        for target in ElementKind::ALL {
            let letters = row
                .get(target.archi_concept())
                .map(String::as_str)
                .unwrap_or("");
            for kind in RelationshipKind::ALL {
                let expected = letters.contains(kind.letter());
                assert_eq!(
                    is_allowed(*source, kind, *target),
                    expected,
                    "{source} -{kind}-> {target} (table says {letters:?})"
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 62 * 62 * 11);
}

#[test]
fn letters_match_the_reference_key() {
    let text = read(&standards_dir().join("relationships-keys.xml"));
    let doc = roxmltree::Document::parse(&text).expect("the key is XML");
    let keys: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("key"))
        .collect();
    assert_eq!(keys.len(), 11);
    for key in keys {
        let letter = key
            .attribute("char")
            .and_then(|c| c.chars().next())
            .expect("char");
        let class = key.attribute("relationship").expect("relationship");
        let kind = RelationshipKind::from_letter(letter).expect("a known letter");
        assert_eq!(format!("{}Relationship", kind.xsi_type()), class);
    }
}

#[test]
fn element_kinds_are_the_exchange_schema_enumeration() {
    let text = read(&standards_dir().join("archimate3_Model.xsd"));
    let doc = roxmltree::Document::parse(&text).expect("the schema is XML");
    let enum_type = doc
        .descendants()
        .find(|n| n.has_tag_name("simpleType") && n.attribute("name") == Some("ElementTypeEnum"))
        .expect("ElementTypeEnum");
    let values: Vec<&str> = enum_type
        .descendants()
        .filter(|n| n.has_tag_name("enumeration"))
        .filter_map(|n| n.attribute("value"))
        .collect();
    let ours: Vec<&str> = ElementKind::ALL.iter().map(|k| k.xsi_type()).collect();
    assert_eq!(ours, values);
}

#[test]
fn the_embedded_copy_is_byte_identical_to_the_reference() {
    let embedded = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/archimate/relationships.xml");
    let embedded = std::fs::read(&embedded).expect("the embedded copy");
    let reference =
        std::fs::read(standards_dir().join("relationships.xml")).expect("the reference");
    assert!(
        embedded == reference,
        "data/archimate/relationships.xml differs from the reference copy"
    );
}
