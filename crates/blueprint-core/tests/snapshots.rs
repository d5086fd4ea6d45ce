//! Golden output for the tasks example: the plan text, DOT and Mermaid are
//! pinned byte for byte, so any change to lowering or export shows up in
//! review. Refresh with `INSTA_UPDATE=always cargo test -p blueprint-core
//! --test snapshots` (or `cargo insta review`) and read the diff.

mod common;

use blueprint_core::export::{plan_json, plan_text, to_dot, to_mermaid};

#[test]
fn tasks_plan_text() {
    insta::assert_snapshot!(plan_text(&common::tasks().build()));
}

#[test]
fn tasks_dot() {
    insta::assert_snapshot!(to_dot(&common::tasks().build()));
}

#[test]
fn tasks_mermaid() {
    insta::assert_snapshot!(to_mermaid(&common::tasks().build()));
}

#[test]
fn tasks_plan_json() {
    insta::assert_json_snapshot!(plan_json(&common::tasks().build()));
}
