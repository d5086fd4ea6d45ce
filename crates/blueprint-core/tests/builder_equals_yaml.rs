//! The builder and the YAML parser agree: each example spec, written in code
//! with `SpecBuilder`, equals the spec parsed from its YAML file, and the
//! two lower to equal blueprints.

mod common;

use std::path::PathBuf;

use blueprint_core::graph::Blueprint;
use blueprint_core::spec::{parse_file, Spec};

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/specs")
        .join(name)
}

fn parsed(name: &str) -> Spec {
    match parse_file(&example(name)) {
        Ok(checked) => checked.spec,
        Err(e) => panic!("{name} does not parse: {e:?}"),
    }
}

#[test]
fn clinic_in_code_equals_clinic_yaml() {
    let from_yaml = parsed("clinic.yaml");
    let in_code = common::clinic().spec();
    assert_eq!(in_code, from_yaml);
    assert_eq!(
        Blueprint::from_spec(&in_code),
        Blueprint::from_spec(&from_yaml)
    );
}

#[test]
fn tasks_in_code_equals_tasks_yaml() {
    let from_yaml = parsed("tasks.yaml");
    let in_code = common::tasks().spec();
    assert_eq!(in_code, from_yaml);
    assert_eq!(
        Blueprint::from_spec(&in_code),
        Blueprint::from_spec(&from_yaml)
    );
}
