//! `archgen generate --verify` writes nothing when the gate fails, and
//! `archgen verify` answers usage errors with exit code 2. The first runs
//! the quality gate and is slow: it runs only with `ARCHGEN_SLOW_TESTS=1`
//! (`scripts/test` sets it).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn a_failed_generate_verify_leaves_out_untouched() {
    if archgen_tests::skip_slow_tests() {
        return;
    }
    let spec_path = root().join("examples/specs/tasks.yaml");
    let spec = blueprint_core::spec::parse_file(&spec_path)
        .expect("valid")
        .spec;
    let cache = tempfile::tempdir().expect("tempdir");
    // The staging directory this spec gets: a module planted in it stays
    // there (it is no file of archgen's), and its unused import fails the
    // gate's lint stage, which skips the stages after it.
    let staging = gate::staging_dir(cache.path(), &render::spec_hash(&spec), &spec.stack);
    std::fs::create_dir_all(staging.join("tests")).expect("mkdir");
    std::fs::write(
        staging.join("tests/test_planted.py"),
        "\"\"\"A module that fails lint on purpose.\"\"\"\n\nimport os\n",
    )
    .expect("plant");
    let out_parent = tempfile::tempdir().expect("tempdir");
    let out_dir = out_parent.path().join("tasks");
    let report = out_parent.path().join("report.json");
    let out = Command::new(env!("CARGO_BIN_EXE_archgen"))
        .args(["generate"])
        .arg(&spec_path)
        .arg("--verify")
        .arg("--out")
        .arg(&out_dir)
        .arg("--report")
        .arg(&report)
        .arg("--database-url")
        .arg(archgen_tests::pg_cluster_url())
        .env("ARCHGEN_CACHE_DIR", cache.path())
        .env("PIP_CACHE_DIR", gate::cache_dir().join("pip"))
        .output()
        .expect("archgen runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        !out_dir.exists(),
        "--out was written although the gate failed"
    );
    assert!(stderr.contains("nothing was written to"), "{stderr}");
    let report: gate::QualityReport =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("the report")).expect("JSON");
    assert!(!report.passed);
    assert_eq!(report.failed_stages(), ["lint"]);
}

#[test]
fn verify_of_a_directory_without_a_spec_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_archgen"))
        .arg("verify")
        .arg(dir.path())
        .output()
        .expect("archgen runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(".archgen/spec.yaml"), "{stderr}");
}

#[test]
fn keep_db_without_a_server_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = root().join("examples/specs/tasks.yaml");
    let out = Command::new(env!("CARGO_BIN_EXE_archgen"))
        .arg("verify")
        .arg(dir.path())
        .arg("--spec")
        .arg(&spec)
        .arg("--keep-db")
        .env_remove("DATABASE_URL")
        .output()
        .expect("archgen runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--keep-db"));
}

#[test]
fn fresh_without_verify_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_archgen"))
        .arg("generate")
        .arg(root().join("examples/specs/tasks.yaml"))
        .arg("--out")
        .arg(dir.path().join("tasks"))
        .arg("--fresh")
        .output()
        .expect("archgen runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--verify"));
    assert!(!dir.path().join("tasks").exists());
}
