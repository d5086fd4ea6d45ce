//! YAML, TOML and JSON carry the same structure: the same product written
//! in each gives the same spec. Every example spec checks clean.

use archgen_tests::{example_specs, specs_dir, workspace_root};
use blueprint_core::spec::{parse_file, parse_str, to_yaml, Format};

#[test]
fn examples_check_clean() {
    let examples = example_specs();
    assert!(examples.len() >= 2);
    for path in examples {
        let checked = parse_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        // Notes (implied ownership, tightened defaults) are fine; warnings
        // are not.
        assert!(
            checked
                .warnings
                .iter()
                .all(|d| d.severity == blueprint_core::diag::Severity::Note),
            "{}: {:?}",
            path.display(),
            checked.warnings
        );
    }
}

#[test]
fn the_same_product_in_three_formats_gives_one_spec() {
    let examples = workspace_root().join("examples/specs");
    let pairs = [("clinic.yaml", "clinic.json"), ("tasks.yaml", "tasks.toml")];
    for (yaml, other) in pairs {
        let a = parse_file(&examples.join(yaml)).expect("yaml").spec;
        let b = parse_file(&specs_dir().join("good").join(other))
            .expect(other)
            .spec;
        assert_eq!(a, b, "{yaml} and {other} differ");
    }
}

#[test]
fn examples_survive_a_yaml_round_trip() {
    for path in example_specs() {
        let spec = parse_file(&path).expect("valid").spec;
        let text = to_yaml(&spec);
        let again = parse_str("round-trip.yaml", &text, Format::Yaml)
            .unwrap_or_else(|e| panic!("{}: {e}\n{text}", path.display()))
            .spec;
        assert_eq!(spec, again, "{}", path.display());
    }
}

#[test]
fn defaults_are_applied() {
    let spec = parse_str(
        "d.yaml",
        "spec_version: 1\nproduct: { name: dflt }\nentities:\n  Note:\n    owned: true\n    fields: { body: text }\n  Tag:\n    fields: { name: string! }\n",
        Format::Yaml,
    )
    .expect("valid")
    .spec;
    assert_eq!(spec.stack, "python-fastapi");
    assert_eq!(spec.database, "postgresql");
    assert_eq!(spec.roles.keys().collect::<Vec<_>>(), ["user", "admin"]);
    assert!(spec.roles["user"].signup && spec.roles["admin"].admin);
    assert_eq!(spec.api.base_path, "/api");
    assert_eq!(spec.api.page_size, 50);
    let show = |e: &str, a: blueprint_core::spec::Action| {
        spec.entities[e]
            .access
            .get(a)
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    };
    use blueprint_core::spec::Action::*;
    // Least-privilege defaults: an owned entity's rows are read by their
    // owner and the admin roles.
    assert_eq!(show("Note", Read), ["owner", "admin"]);
    assert_eq!(show("Note", Create), ["authenticated"]);
    assert_eq!(show("Note", Update), ["owner", "admin"]);
    assert_eq!(show("Tag", Delete), ["admin"]);
    assert_eq!(show("Tag", Create), ["admin"]);
    assert_eq!(show("Tag", Read), ["authenticated"]);
    assert!(spec.entities["Tag"].fields["name"].required);
    assert!(spec.compliance.infer && !spec.compliance.none);
}
