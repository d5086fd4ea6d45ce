//! The example specs, read by the real parser, against the specs built in
//! code (`compliance::testing`), which the doc examples use.

use std::path::PathBuf;

use blueprint_core::spec::{parse_file, Spec};
use compliance::analyze;

fn example(name: &str) -> Spec {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/specs")
        .join(name);
    match parse_file(&path) {
        Ok(checked) => checked.spec,
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

#[test]
fn parsed_examples_analyze_like_the_built_ones() {
    for (file, built) in [
        ("clinic.yaml", compliance::testing::clinic()),
        ("tasks.yaml", compliance::testing::tasks()),
    ] {
        let parsed = example(file);
        assert_eq!(
            analyze(&parsed).to_json(),
            analyze(&built).to_json(),
            "{file}"
        );
        assert_eq!(
            analyze(&parsed).to_markdown(),
            analyze(&built).to_markdown(),
            "{file}"
        );
    }
}

#[test]
fn clinic_gets_gdpr_hipaa_and_pci() {
    let a = analyze(&example("clinic.yaml"));
    let ids: Vec<&str> = a.frameworks.iter().map(|f| f.framework.id()).collect();
    assert_eq!(ids, ["gdpr", "hipaa", "pci-dss"]);
    let tasks = analyze(&example("tasks.yaml"));
    assert_eq!(tasks.frameworks.len(), 1);
}
