//! The `archgen` binary end to end: output, formats and exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn archgen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_archgen"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("archgen runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn check_of_a_valid_spec_prints_one_line_and_exits_0() {
    let o = archgen(&["check", "examples/specs/clinic.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("valid") && out.contains("4 entities"), "{out}");
}

#[test]
fn check_of_an_invalid_spec_draws_the_line_and_exits_1() {
    let o = archgen(&["check", "tests/specs/bad/multiple-errors.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("error[E400]"), "{err}");
    assert!(
        err.contains("tests/specs/bad/multiple-errors.yaml:12:22"),
        "{err}"
    );
    assert!(err.contains("^^^^^^^"), "{err}");
    assert!(err.contains("did you mean `member`?"), "{err}");
    assert!(err.contains("7 errors"), "{err}");
}

#[test]
fn check_json_is_an_array_of_diagnostics() {
    let o = archgen(&[
        "check",
        "tests/specs/bad/multiple-errors.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json on stdout");
    let items = v.as_array().expect("array");
    assert_eq!(items.len(), 7);
    for d in items {
        for key in [
            "severity", "code", "message", "file", "line", "column", "hint",
        ] {
            assert!(d.get(key).is_some(), "{key} missing in {d}");
        }
    }
    let ok = archgen(&["check", "examples/specs/tasks.yaml", "--format", "json"]);
    assert_eq!(ok.status.code(), Some(0));
    assert_eq!(stdout(&ok).trim(), "[]");
}

#[test]
fn usage_and_io_errors_exit_2() {
    let missing = archgen(&["check", "no/such/spec.yaml"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("cannot read no/such/spec.yaml"));
    let ext = archgen(&["check", "README.md"]);
    assert_eq!(ext.status.code(), Some(2));
    assert!(stderr(&ext).contains(".yaml, .yml, .toml or .json"));
    let bad_flag = archgen(&["check", "--frobnicate"]);
    assert_eq!(bad_flag.status.code(), Some(2));
}

#[test]
fn help_has_examples_and_version_prints() {
    let o = archgen(&["check", "--help"]);
    assert!(stdout(&o).contains("Example"), "{}", stdout(&o));
    let v = archgen(&["--version"]);
    assert_eq!(v.status.code(), Some(0));
    assert!(stdout(&v).starts_with("archgen "));
}

#[test]
fn warnings_do_not_fail_check() {
    let o = archgen(&[
        "check",
        "tests/specs/warn/W404-restrict-blocks-erasure.yaml",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("warning[W404]"));
    assert!(stdout(&o).contains("1 warning"));
}

#[test]
fn generate_without_a_stack_for_the_spec_fails_clearly_with_2() {
    let out = tempfile::tempdir().expect("a temporary directory");
    let dir = out.path().join("clinic");
    let o = archgen(&[
        "generate",
        "examples/specs/clinic.yaml",
        "--out",
        dir.to_str().expect("utf-8 path"),
        "--stack",
        "no-such-stack",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("unknown stack `no-such-stack`; known: "),
        "{err}"
    );
    assert!(!dir.exists(), "nothing is written");
}

#[test]
fn generate_of_an_invalid_spec_prints_diagnostics_and_exits_1() {
    let o = archgen(&[
        "generate",
        "tests/specs/bad/multiple-errors.yaml",
        "--dry-run",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("error[E400]"), "{err}");
    assert!(err.contains("invalid spec"), "{err}");
}

#[test]
fn generate_of_a_missing_file_exits_2() {
    let o = archgen(&["generate", "no/such/spec.yaml"]);
    assert_eq!(o.status.code(), Some(2));
}

/// With the built-in stack the spec names, `generate` writes a project and
/// regenerating changes nothing; without it (before a stack is built in), it
/// fails with 2 and says which stacks exist.
#[test]
fn generate_writes_then_regenerates_without_changes() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let dir = tmp.path().join("clinic");
    let dir_arg = dir.to_str().expect("utf-8 path");
    let spec = "examples/specs/clinic.yaml";
    let engine = render::Engine::with_builtins();
    let o = archgen(&["generate", spec, "--out", dir_arg]);
    if engine.stack("python-fastapi").is_none() {
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("unknown stack `python-fastapi`; known: "),
            "{}",
            stderr(&o)
        );
        assert!(!dir.exists());
        return;
    }
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("created in"), "{}", stdout(&o));
    assert!(dir.join(".archgen/manifest.json").is_file());

    let again = archgen(&["generate", spec, "--out", dir_arg]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let out = stdout(&again);
    assert!(
        out.contains("unchanged in") && !out.contains("create"),
        "{out}"
    );

    let dry = archgen(&["generate", spec, "--out", dir_arg, "--dry-run"]);
    assert_eq!(dry.status.code(), Some(0), "{}", stderr(&dry));
    assert!(stdout(&dry).contains("dry run"), "{}", stdout(&dry));
}
