//! Checks `archimate::is_allowed` against Archi's ArchiMate 3.2
//! relationship table (the copy this crate embeds, read here as plain XML),
//! cell by cell, and the kinds against the letter key and the exchange
//! schema in the repository's `standards/archimate` (`standards/SOURCE.md`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use blueprint_core::archimate::{is_allowed, ElementKind, RelationshipKind};

/// A file of the crate's `data/archimate` folder.
fn data_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/archimate")
        .join(name)
}

/// A file of the repository's `standards/archimate` folder.
fn standards_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../standards/archimate")
        .join(name)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "the reference file {} cannot be read ({e}); it belongs to the repository (standards/SOURCE.md)",
            path.display()
        )
    })
}

/// source concept -> target concept -> letters.
fn reference_table() -> BTreeMap<String, BTreeMap<String, String>> {
    let text = read(&data_file("relationships.xml"));
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
    let text = read(&standards_file("relationships-keys.xml"));
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
    let text = read(&standards_file("archimate3_Model.xsd"));
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
