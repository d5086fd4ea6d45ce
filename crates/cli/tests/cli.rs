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
    // Only notes (tightened defaults): the spec passes, exit 0, and each
    // note says `"severity": "note"`.
    let notes_spec = "tests/specs/warn/N510-default-access-tightened.yaml";
    let ok = archgen(&["check", notes_spec, "--format", "json"]);
    assert_eq!(ok.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(&stdout(&ok)).expect("json on stdout");
    let notes = v.as_array().expect("array");
    assert!(!notes.is_empty());
    assert!(notes.iter().all(|d| d["severity"] == "note"), "{v}");
    let text = archgen(&["check", notes_spec]);
    assert_eq!(text.status.code(), Some(0));
    assert!(stderr(&text).contains("note[N510]"), "{}", stderr(&text));
    assert!(
        stdout(&text).contains("0 warnings, 1 note"),
        "{}",
        stdout(&text)
    );
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

fn examples() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join("examples/specs"))
        .expect("examples/specs")
        .map(|e| {
            format!(
                "examples/specs/{}",
                e.expect("entry").file_name().to_string_lossy()
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn every_example_plans_as_documented_json() {
    for spec in examples() {
        let o = archgen(&["plan", &spec, "--format", "json"]);
        assert_eq!(o.status.code(), Some(0), "{spec}: {}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("plan json");
        assert_eq!(v["format"], "archgen-plan");
        assert!(v["counts"]["total_elements"].as_u64().unwrap_or(0) > 10);
        assert!(v["elements"].as_array().is_some_and(|a| !a.is_empty()));
        assert!(v["relationships"].as_array().is_some_and(|a| !a.is_empty()));
        let ids: std::collections::HashSet<&str> = v["elements"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["id"].as_str())
            .collect();
        for r in v["relationships"].as_array().into_iter().flatten() {
            assert!(ids.contains(r["source"].as_str().unwrap_or("")), "{r}");
            assert!(ids.contains(r["target"].as_str().unwrap_or("")), "{r}");
        }
        let text = archgen(&["plan", &spec]);
        assert_eq!(text.status.code(), Some(0));
        assert!(stdout(&text).contains("Elements by kind"));
    }
}

#[test]
fn every_example_graph_renders_with_graphviz_and_mermaid() {
    let dot = which_dot();
    for spec in examples() {
        let o = archgen(&["graph", &spec, "--format", "dot"]);
        assert_eq!(o.status.code(), Some(0), "{spec}: {}", stderr(&o));
        let mut child = Command::new(&dot)
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("dot runs");
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(&o.stdout)
            .expect("write dot");
        let svg = child.wait_with_output().expect("dot finishes");
        assert!(
            svg.status.success(),
            "{spec}: dot failed: {}",
            String::from_utf8_lossy(&svg.stderr)
        );
        assert!(String::from_utf8_lossy(&svg.stdout).contains("<svg"));
        assert!(
            svg.stderr.is_empty(),
            "{spec}: dot warned: {}",
            String::from_utf8_lossy(&svg.stderr)
        );

        let m = archgen(&["graph", &spec, "--format", "mermaid"]);
        assert_eq!(m.status.code(), Some(0));
        assert!(stdout(&m).starts_with("flowchart"), "{}", stdout(&m));
    }
}

/// Graphviz is installed by `scripts/setup`; without it this test cannot
/// prove anything, so it fails with the fix rather than passing silently.
fn which_dot() -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("dot"))
            .find(|p| p.is_file())
    });
    found.expect("Graphviz `dot` is not on PATH: run scripts/setup (apt-get install graphviz)")
}

#[test]
fn compliance_json_has_the_documented_shape() {
    let o = archgen(&[
        "compliance",
        "examples/specs/clinic.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let ids: Vec<&str> = v["frameworks"]
        .as_array()
        .expect("frameworks")
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    assert!(
        ids.contains(&"gdpr") && ids.contains(&"hipaa") && ids.contains(&"pci-dss"),
        "{ids:?}"
    );
    for c in v["controls"].as_array().expect("controls") {
        assert!(
            c["frameworks"].as_object().is_some_and(|f| !f.is_empty()),
            "{c}"
        );
        assert!(
            c["reasons"].as_array().is_some_and(|r| !r.is_empty()),
            "{c}"
        );
        assert!(
            c["realized_by"].as_array().is_some_and(|r| !r.is_empty()),
            "{c}"
        );
    }
    let md = archgen(&[
        "compliance",
        "examples/specs/clinic.yaml",
        "--format",
        "markdown",
    ]);
    assert!(stdout(&md).contains("| "));
    let bad = archgen(&["plan", "tests/specs/bad/E400-unknown-relation-target.yaml"]);
    assert_eq!(bad.status.code(), Some(1));
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

#[test]
fn docs_writes_the_documents_and_regenerates_cleanly() {
    let out = tempfile::tempdir().expect("a temporary directory");
    let dir = out.path().join("clinic");
    let dir_s = dir.to_string_lossy().to_string();
    let o = archgen(&["docs", "examples/specs/clinic.yaml", "--out", &dir_s]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for file in [
        "docs/archimate/model.xml",
        "docs/openapi.json",
        "docs/ARCHITECTURE.md",
        "docs/compliance.md",
        "docs/traceability.md",
        "docs/adr/0001-python-fastapi.md",
        ".archgen/manifest.json",
    ] {
        assert!(dir.join(file).is_file(), "{file} missing");
    }
    assert!(
        !dir.join("Makefile").exists(),
        "docs must not write a backend"
    );
    let again = archgen(&["docs", "examples/specs/clinic.yaml", "--out", &dir_s]);
    assert_eq!(again.status.code(), Some(0));
    assert!(stdout(&again).contains("unchanged"), "{}", stdout(&again));
}

#[test]
fn stacks_lists_every_built_in_stack_with_its_description() {
    let out = archgen(&["stacks"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let ids: Vec<&str> = text.lines().filter_map(|l| l.split('\t').next()).collect();
    let engine = render::Engine::with_builtins();
    assert_eq!(ids, engine.stack_ids().collect::<Vec<_>>());
    assert!(text
        .lines()
        .all(|l| l.split_once('\t').is_some_and(|(_, d)| !d.is_empty())));
}

/// The round trip of issue #18: generate the tasks example, hand-edit two
/// files (one where the next spec changes nothing near the edit, one on the
/// very lines it changes), add a field to the spec, regenerate: the first
/// edit is merged with archgen's change, the second is a conflict marked in
/// the file, listed, and exit code 3; a dry run shows the same and writes
/// nothing; once resolved, the next run has nothing left to resolve.
#[test]
fn regenerating_merges_hand_edits_and_reports_conflicts() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let spec = tmp.path().join("tasks.yaml");
    let original = std::fs::read_to_string(root().join("examples/specs/tasks.yaml")).unwrap();
    std::fs::write(&spec, &original).unwrap();
    let dir = tmp.path().join("tasks");
    let (spec_arg, dir_arg) = (spec.to_str().unwrap(), dir.to_str().unwrap());
    let o = archgen(&["generate", spec_arg, "--out", dir_arg]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    let models = dir.join("src/team_tasks/models.py");
    let schemas = dir.join("src/team_tasks/schemas/tasks.py");
    let read = |p: &Path| std::fs::read_to_string(p).unwrap();
    // An edit far from what the new field changes.
    let docstring = "The schema itself is created by the Alembic migrations, never at run time.";
    let edited_doc = "The schema is created by the Alembic migrations (edited by hand).";
    assert!(read(&models).contains(docstring));
    std::fs::write(&models, read(&models).replacen(docstring, edited_doc, 1)).unwrap();
    // An edit on the line the new field is added after.
    let done = "    done: bool = Field(False, strict=True)\n";
    let edited_done = "    done: bool = Field(True, strict=True)  # ours start done\n";
    assert!(read(&schemas).contains(done));
    std::fs::write(&schemas, read(&schemas).replacen(done, edited_done, 1)).unwrap();

    let field = "      done: { type: boolean, default: false }\n";
    assert!(original.contains(field));
    let changed = original.replacen(field, &format!("{field}      notes: text\n"), 1);
    std::fs::write(&spec, changed).unwrap();

    // A dry run reports the merge and the conflict, and writes nothing.
    let before = (
        read(&models),
        read(&schemas),
        read(&dir.join(".archgen/manifest.json")),
    );
    let dry = archgen(&["generate", spec_arg, "--out", dir_arg, "--dry-run"]);
    assert_eq!(dry.status.code(), Some(3), "{}", stderr(&dry));
    let out = stdout(&dry);
    assert!(
        out.contains("merge      src/team_tasks/models.py  (your edits merged"),
        "{out}"
    );
    assert!(
        out.contains("conflict   src/team_tasks/schemas/tasks.py  (conflict markers at line"),
        "{out}"
    );
    assert!(
        stderr(&dry).contains("would be left with conflicts to resolve"),
        "{}",
        stderr(&dry)
    );
    assert!(
        stderr(&dry).contains("      <<<<<<< yours\n      ")
            && stderr(&dry).contains("# ours start done\n"),
        "the would-be conflict is shown: {}",
        stderr(&dry)
    );
    let after = (
        read(&models),
        read(&schemas),
        read(&dir.join(".archgen/manifest.json")),
    );
    assert_eq!(before, after, "a dry run writes nothing");

    // The real run: the merge is written, the conflict marked and listed.
    let o = archgen(&["generate", spec_arg, "--out", dir_arg]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let merged = read(&models);
    assert!(merged.contains(edited_doc), "the edit is kept:\n{merged}");
    assert!(
        merged.contains("    notes: Mapped[str | None] = mapped_column("),
        "archgen's change is merged in:\n{merged}"
    );
    assert!(!merged.contains("<<<<<<<"), "{merged}");
    let marked = read(&schemas);
    let conflict = format!(
        "<<<<<<< yours\n{edited_done}||||||| archgen {v} (previous)\n{done}=======\n{done}    notes: str | None = None\n>>>>>>> archgen {v}\n",
        v = env!("CARGO_PKG_VERSION")
    );
    assert!(marked.contains(&conflict), "{marked}");
    let err = stderr(&o);
    assert!(
        err.contains("1 file you edited has conflicts to resolve:\n  src/team_tasks/schemas/tasks.py: conflict markers at line "),
        "{err}"
    );
    assert!(err.contains("run `archgen generate` again"), "{err}");
    assert!(read(&dir.join("docs/openapi.json")).contains("\"notes\""));
    assert!(!dir
        .join("src/team_tasks/schemas/tasks.py.archgen-new")
        .exists());

    // Not resolved yet: reported again, not merged again.
    let again = archgen(&["generate", spec_arg, "--out", dir_arg]);
    assert_eq!(again.status.code(), Some(3), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("from an earlier run"),
        "{}",
        stderr(&again)
    );
    assert_eq!(read(&schemas), marked);

    // Resolved (both changes kept): nothing left to resolve.
    let resolved = marked.replacen(
        &conflict,
        &format!("{edited_done}    notes: str | None = None\n"),
        1,
    );
    std::fs::write(&schemas, &resolved).unwrap();
    let done_run = archgen(&["generate", spec_arg, "--out", dir_arg]);
    assert_eq!(done_run.status.code(), Some(0), "{}", stderr(&done_run));
    let out = stdout(&done_run);
    assert!(
        out.contains(
            "keep       src/team_tasks/schemas/tasks.py  (edited by you; nothing new to merge)"
        ),
        "{out}"
    );
    assert_eq!(read(&schemas), resolved);
    assert_eq!(read(&models), merged);
}

/// The tasks example, changed: a field renamed with a hint, one added with
/// a default, one made sensitive, one dropped.
fn tasks_v2(dir: &Path) -> PathBuf {
    let v1 = std::fs::read_to_string(root().join("examples/specs/tasks.yaml")).unwrap();
    let v2 = v1
        .replace(
            "      details: text\n",
            "      notes: { type: text, renamed_from: details }\n",
        )
        .replace(
            "      done: { type: boolean, default: false }\n",
            "      done: { type: boolean, default: false }\n      effort: { type: integer, default: 1, min: 0 }\n",
        )
        .replace(
            "      color: { type: string, pattern: \"^#[0-9a-fA-F]{6}$\" }\n",
            "",
        )
        .replace(
            "      summary: text\n",
            "      summary: { type: text, pii: sensitive }\n",
        );
    assert_ne!(v1, v2, "the example still has the fields this test changes");
    let path = dir.join("tasks-v2.yaml");
    std::fs::write(&path, v2).unwrap();
    path
}

#[test]
fn diff_shows_schema_steps_files_and_breaks_and_generate_refuses_destructive_steps() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("team-tasks");
    let out_s = out.to_str().unwrap();
    let o = archgen(&["generate", "examples/specs/tasks.yaml", "--out", out_s]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(out.join(".archgen/schema.json").exists());

    // Unchanged: nothing to migrate, nothing breaks.
    let o = archgen(&["diff", "examples/specs/tasks.yaml", "--out", out_s]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("schema: no change, no new migration"),
        "{}",
        stdout(&o)
    );

    let v2 = tasks_v2(tmp.path());
    let v2_s = v2.to_str().unwrap();
    let o = archgen(&["diff", v2_s, "--out", out_s]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("rename column `tasks.details` to `notes`"),
        "{text}"
    );
    assert!(
        text.contains("drop column `labels.color` and its values [DESTRUCTIVE, irreversible]"),
        "{text}"
    );
    assert!(text.contains("+ migrations/versions/0002_"), "{text}");
    assert!(
        text.contains("BREAKING field `Task.details` is now `notes`"),
        "{text}"
    );

    let o = archgen(&["diff", v2_s, "--out", out_s, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("diff prints JSON");
    assert_eq!(json["format"], 1);
    assert_eq!(json["first_generation"], false);
    assert_eq!(json["schema"]["revision"]["id"], "0002");
    let steps = json["schema"]["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 4, "{steps:?}");
    assert!(steps
        .iter()
        .any(|s| s["kind"] == "encrypt" && s["data_moving"] == true));
    assert!(steps.iter().any(|s| s["kind"] == "drop_column"
        && s["destructive"] == true
        && s["reversible"] == false));
    assert_eq!(json["breaking"].as_array().unwrap().len(), 2);
    assert!(json["files"]["changed"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p != "migrations/versions/0001_initial.py"));

    // Refused without --allow-destructive, and nothing written.
    let o = archgen(&["generate", v2_s, "--out", out_s]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--allow-destructive"), "{}", stderr(&o));
    assert!(!out
        .join("migrations/versions")
        .read_dir()
        .unwrap()
        .any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("0002_")));
    let initial = std::fs::read(out.join("migrations/versions/0001_initial.py")).unwrap();
    let o = archgen(&["generate", v2_s, "--out", out_s, "--allow-destructive"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(out.join("migrations/versions/0001_initial.py")).unwrap(),
        initial
    );
    let revision = std::fs::read_dir(out.join("migrations/versions"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("0002_"))
        .expect("a second revision");
    let text = std::fs::read_to_string(out.join("migrations/versions").join(revision)).unwrap();
    assert!(
        text.contains("down_revision: str | None = \"0001\""),
        "{text}"
    );
    assert!(text.contains("_copy(\"projects\", \"summary\""), "{text}");
    // Once generated, the same spec needs nothing more.
    let o = archgen(&["diff", v2_s, "--out", out_s]);
    assert!(stdout(&o).contains("schema: no change"), "{}", stdout(&o));
}
