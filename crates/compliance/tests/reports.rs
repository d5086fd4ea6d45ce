//! Snapshots of the three renderings, and the stable JSON shape.

use compliance::analyze;
use compliance::testing::{clinic, tasks};
use serde_json::Value;

fn parsed(name: &str) -> blueprint_core::spec::Spec {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/specs")
        .join(format!("{name}.yaml"));
    match blueprint_core::spec::parse_file(&path) {
        Ok(checked) => checked.spec,
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

/// The example specs, read by the real parser.
#[test]
fn snapshots() {
    for name in ["clinic", "tasks"] {
        let spec = parsed(name);
        let a = analyze(&spec);
        insta::assert_snapshot!(format!("{name}_json"), a.to_json());
        insta::assert_snapshot!(format!("{name}_text"), a.to_text());
        insta::assert_snapshot!(format!("{name}_markdown"), a.to_markdown());
    }
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

#[test]
fn json_has_exactly_the_documented_shape() {
    let v: Value = serde_json::from_str(&analyze(&clinic()).to_json()).unwrap();
    assert_eq!(keys(&v), ["frameworks", "fields", "controls"]);
    for f in v["frameworks"].as_array().unwrap() {
        assert_eq!(keys(f), ["id", "declared", "reasons"]);
        assert!(f["declared"].is_boolean());
    }
    for f in v["fields"].as_array().unwrap() {
        assert_eq!(
            keys(f),
            ["entity", "field", "pii", "special_category", "reason"]
        );
        assert!(["none", "personal", "sensitive"].contains(&f["pii"].as_str().unwrap()));
    }
    for c in v["controls"].as_array().unwrap() {
        assert_eq!(
            keys(c),
            [
                "id",
                "title",
                "frameworks",
                "parameters",
                "reasons",
                "realized_by"
            ]
        );
        for (k, ids) in c["frameworks"].as_object().unwrap() {
            assert!(
                ["gdpr", "hipaa", "pci-dss", "asvs"].contains(&k.as_str()),
                "{k}"
            );
            assert!(!ids.as_array().unwrap().is_empty());
        }
    }
    assert_eq!(v, analyze(&clinic()).to_json_value());
}

#[test]
fn output_is_deterministic() {
    assert_eq!(analyze(&clinic()).to_json(), analyze(&clinic()).to_json());
    assert_eq!(
        analyze(&tasks()).to_markdown(),
        analyze(&tasks()).to_markdown()
    );
}

#[test]
fn markdown_tables_are_well_formed() {
    let md = analyze(&clinic()).to_markdown();
    let header = md.lines().find(|l| l.starts_with("| Control |")).unwrap();
    let cols = header.matches(" |").count();
    assert!(
        header.contains("| GDPR | HIPAA | PCI DSS | OWASP ASVS | Realized by |"),
        "{header}"
    );
    let table = md
        .split("## Controls")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    let rows: Vec<&str> = table.lines().filter(|l| l.starts_with("| `")).collect();
    assert_eq!(rows.len(), analyze(&clinic()).controls.len());
    for line in rows {
        assert_eq!(
            line.replace("\\|", "").matches(" |").count(),
            cols,
            "{line}"
        );
    }
}

/// The example in `docs/compliance-json.md` is real output of the clinic
/// example: every entry it shows equals the analysis' entry.
#[test]
fn the_documented_example_is_real_output() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/compliance-json.md"
    ))
    .unwrap();
    let block = doc
        .split("```json")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    let documented: Value = serde_json::from_str(block).unwrap();
    let real = analyze(&clinic()).to_json_value();
    assert_eq!(keys(&documented), keys(&real));
    for f in documented["frameworks"].as_array().unwrap() {
        let found = real["frameworks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == f["id"]);
        assert_eq!(found, Some(f));
    }
    for f in documented["fields"].as_array().unwrap() {
        let found = real["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["entity"] == f["entity"] && r["field"] == f["field"]);
        assert_eq!(found, Some(f));
    }
    for c in documented["controls"].as_array().unwrap() {
        let found = real["controls"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == c["id"]);
        assert_eq!(found, Some(c));
    }
}
