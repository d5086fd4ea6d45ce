//! The spec corpus (`archgen_tests::corpus`): specs nobody tuned the
//! generated code on.
//!
//! Fast: every seed's spec passes `archgen check` (no errors), and is
//! written to `target/corpus/specs/NN.yaml`.
//!
//! Slow (`ARCHGEN_SLOW_TESTS=1`): for each selected seed (the fixed slice
//! `corpus::DEFAULT_SLICE` by default, every seed with `ARCHGEN_CORPUS=all`,
//! or a list such as `ARCHGEN_CORPUS=3,17`), two at a time and leaving out
//! those the gate takes (below), the project is generated into
//! `target/corpus/projects/NN` and checked as its own Makefile and CI do:
//! `ruff format --check`, `ruff check`, `mypy`, `alembic upgrade head`,
//! `alembic check`, and the generated tests whose cases vary with the spec
//! (entities, access and field rules, filters, values, idempotency),
//! against a fresh database on the throwaway PostgreSQL. One
//! virtualenv per set of locks (`archgen_tests::projects::shared_venv`,
//! kept in archgen's cache and installed once from the projects'
//! `requirements-dev.lock`) serves every project. A project that passes is
//! deleted; a failing one stays for a look. The run prints each seed's
//! timings and `N passed, M failed`, and fails naming each failing seed,
//! its step and the tail of that step's output.
//!
//! Slow, too: the seeds of `corpus::gate_seeds()` (one by default) go
//! through the whole quality gate, as `archgen generate --verify` runs it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use archgen_tests::corpus;

/// The `ENCRYPTION_KEYS` of the runs: base64url of 32 bytes.
const ENCRYPTION_KEY: &str = "ZTJlLWVuY3J5cHRpb24ta2V5LW9mLTMyLWJ5dGVzLSE";

fn corpus_dir() -> PathBuf {
    archgen_tests::workspace_root().join("target/corpus")
}

/// Writes the spec of a seed to `target/corpus/specs/NN.yaml`.
fn write_spec(seed: u64) -> PathBuf {
    let dir = corpus_dir().join("specs");
    std::fs::create_dir_all(&dir).expect("target/corpus/specs is created");
    let path = dir.join(format!("{seed:02}.yaml"));
    std::fs::write(&path, corpus::spec(seed)).expect("the spec is written");
    path
}

#[test]
fn every_corpus_spec_passes_check() {
    let engine = render::Engine::with_builtins();
    let mut failures = Vec::new();
    for seed in corpus::SEEDS {
        let path = write_spec(seed);
        if let Err(blueprint_core::spec::LoadError::Invalid(e)) = engine.parse_file(&path) {
            let errors: Vec<String> = e
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| format!("  line {:?}: {}", d.line, d.message))
                .collect();
            failures.push(format!(
                "seed {seed} (target/corpus/specs/{seed:02}.yaml):\n{}",
                errors.join("\n")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} corpus specs fail check:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(corpus::SEEDS.count() >= 30);
}

#[test]
fn the_default_slice_holds_every_regression_seed() {
    for (seed, what) in corpus::REGRESSIONS {
        assert!(
            corpus::DEFAULT_SLICE.contains(seed),
            "seed {seed} found a fix ({what}): keep it in DEFAULT_SLICE"
        );
    }
}

#[test]
fn corpus_specs_are_deterministic() {
    for seed in [0, 7, 35] {
        assert_eq!(corpus::spec(seed), corpus::spec(seed));
    }
    assert_ne!(corpus::spec(1), corpus::spec(2));
}

/// Runs a command; `Err` carries its output's tail.
fn run(command: &mut Command) -> Result<(), String> {
    let out = command
        .output()
        .map_err(|e| format!("cannot be run: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(archgen_tests::tail(
            &format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
            40,
        ))
    }
}

/// The generated tests the corpus runs: those of the entities (CRUD,
/// validation, ownership, workflows), access and field rules, filters,
/// values, idempotency and the integrations, which vary with the spec.
/// The rest ([`SPEC_INDEPENDENT`]) run in the end-to-end tests and in the
/// gate's `test` stage (on the examples and the gate's corpus seeds).
fn test_subset(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(dir.join("tests"))
        .expect("the project has tests/")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.starts_with("test_") && n.ends_with(".py") && !SPEC_INDEPENDENT.contains(&n.as_str())
        })
        .map(|n| format!("tests/{n}"))
        .collect();
    files.sort();
    files
}

/// The python-fastapi test files whose cases do not vary with the spec's
/// entities (auth, headers, crypto, rate limits, the servers' start-up and
/// faults, …): the corpus leaves them out.
const SPEC_INDEPENDENT: &[&str] = &[
    "test_audit.py",
    "test_auth.py",
    "test_backup.py",
    "test_client_address.py",
    "test_crypto.py",
    "test_db.py",
    "test_faults.py",
    "test_grants.py",
    "test_headers.py",
    "test_health.py",
    "test_lockout.py",
    "test_logging.py",
    "test_migrations.py",
    "test_privacy.py",
    "test_rate_limits.py",
    "test_retention.py",
    "test_security.py",
];

/// The python-fastapi test templates the corpus runs ([`test_subset`]);
/// `test_entity.py` is written once per entity.
const SPEC_DEPENDENT: &[&str] = &[
    "test_access.py",
    "test_email.py",
    "test_entity.py",
    "test_filters.py",
    "test_idempotency.py",
    "test_rules.py",
    "test_values.py",
];

#[test]
fn every_test_template_is_run_or_left_out_by_the_corpus_on_purpose() {
    let dir = archgen_tests::workspace_root().join("crates/stacks/templates/python-fastapi/tests");
    let mut unsorted = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("the test templates are there") {
        let name = entry.expect("a directory entry").file_name();
        let name = name.to_string_lossy();
        let Some(file) = name.strip_suffix(".hbs") else {
            continue;
        };
        if file.starts_with("test_")
            && !SPEC_INDEPENDENT.contains(&file)
            && !SPEC_DEPENDENT.contains(&file)
        {
            unsorted.push(file.to_string());
        }
    }
    assert!(
        unsorted.is_empty(),
        "say whether the corpus runs {unsorted:?}: add each to SPEC_DEPENDENT (its cases vary with \
         the spec) or SPEC_INDEPENDENT (they do not) in tests/tests/corpus.rs"
    );
}

/// What one seed's run gives: the time of each step, and the failing
/// steps with the tails of their output.
#[derive(Default)]
struct Outcome {
    timings: Vec<(String, f64)>,
    failures: Vec<(String, String)>,
}

impl Outcome {
    fn step(&mut self, name: &str, f: impl FnOnce() -> Result<(), String>) -> bool {
        let started = Instant::now();
        let result = f();
        self.timings
            .push((name.to_string(), started.elapsed().as_secs_f64()));
        match result {
            Ok(()) => true,
            Err(e) => {
                self.failures.push((name.to_string(), e));
                false
            }
        }
    }
}

/// Generates and checks one seed's project. Every check runs even after
/// one failed (as `make lint` does), so one run shows each problem; the
/// tests need the migrations, so they run only when those passed.
fn check_seed(seed: u64, cluster: &str) -> Outcome {
    let spec = write_spec(seed);
    let dir = corpus_dir().join("projects").join(format!("{seed:02}"));
    let _ = std::fs::remove_dir_all(&dir);
    // Asked before the project is written (see `mypy_seed`).
    let mypy_seed = archgen_tests::projects::mypy_seed();
    let mypy_cache = corpus_dir().join("mypy-cache").join(format!("{seed:02}"));
    let mut outcome = Outcome::default();
    let generated = outcome.step("generate", || {
        // As `archgen generate` does; a spec that does not render is this
        // seed's failure, not the end of the run.
        let parsed = blueprint_core::spec::parse_file(&spec)
            .map_err(|e| e.to_string())?
            .spec;
        let engine = render::Engine::with_builtins();
        let options = render::Options::new();
        let generated = render::generate(&parsed, &engine, &options).map_err(|e| e.to_string())?;
        let (tree, hash) = (generated.tree, generated.spec_hash);
        let write = render::write::WriteOptions::for_render(&options).with_force(true);
        render::write::write_tree(&tree, &dir, &hash, &write)
            .map(|_| ())
            .map_err(|e| e.to_string())
    });
    if !generated {
        return outcome;
    }
    let venv = archgen_tests::projects::shared_venv(&dir);
    let bin = venv.join("bin");
    let mut url = String::new();
    if !outcome.step("database", || {
        url = archgen_tests::fresh_database(cluster, &format!("corpus_{seed:02}"))?;
        Ok(())
    }) {
        return outcome;
    }
    let tool = |name: &str| {
        let mut c = Command::new(bin.join(name));
        c.current_dir(&dir)
            .env("PYTHONPATH", "src")
            .env("DATABASE_URL", &url)
            .env("SECRET_KEY", "corpus-secret-key-long-enough-for-tests")
            .env("ENCRYPTION_KEYS", ENCRYPTION_KEY)
            .env("COOKIE_SECURE", "false")
            // A cache per seed: every project has modules of the same names
            // (`tests.factories`, …) with other contents, and two mypy runs
            // sharing one cache at once crashed ("INTERNAL ERROR").
            .env("MYPY_CACHE_DIR", &mypy_cache)
            .env_remove("REDIS_URL");
        c
    };
    let lint_dirs = ["src", "tests", "migrations"];
    outcome.step("ruff format --check", || {
        run(tool("ruff")
            .args(["format", "--check", "--diff"])
            .args(lint_dirs))
    });
    outcome.step("ruff check", || {
        run(tool("ruff").arg("check").args(lint_dirs))
    });
    archgen_tests::projects::seed_mypy_cache(mypy_seed.as_deref(), &mypy_cache);
    if outcome.step("mypy", || run(&mut tool("mypy"))) {
        archgen_tests::projects::keep_mypy_seed(&mypy_cache);
    }
    if outcome.step("alembic upgrade head", || {
        run(tool("alembic").args(["upgrade", "head"]))
    }) {
        outcome.step("alembic check", || run(tool("alembic").arg("check")));
        let tests = test_subset(&dir);
        outcome.step("pytest (the tests that vary with the spec)", || {
            run(tool("pytest")
                .args(["-q", "--maxfail=5", "-p", "no:cacheprovider"])
                .args(&tests))
        });
    }
    if outcome.failures.is_empty() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    outcome
}

#[test]
fn corpus_projects_pass_their_own_checks() {
    if archgen_tests::skip_slow_tests() {
        return;
    }
    let cluster = archgen_tests::pg_cluster_url();
    // A seed the gate takes is checked there: its lint, migration and test
    // stages run the same tools, and its whole test suite.
    let gated = corpus::gate_seeds();
    let seeds: Vec<u64> = corpus::selected_seeds()
        .into_iter()
        .filter(|seed| !gated.contains(seed))
        .collect();
    let started = Instant::now();
    let failed = archgen_tests::in_parallel(&seeds, |&seed| check_and_report(seed, &cluster));
    eprintln!(
        "corpus: {} passed, {} failed in {:.0}s (the gate checks seeds {:?})",
        seeds.len() - failed.len(),
        failed.len(),
        started.elapsed().as_secs_f64(),
        gated
    );
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}

/// Checks one seed and prints its timings: the failure message when a
/// step failed.
fn check_and_report(seed: u64, cluster: &str) -> Result<(), String> {
    let t = Instant::now();
    let outcome = check_seed(seed, cluster);
    let steps: Vec<String> = outcome
        .timings
        .iter()
        .map(|(n, s)| format!("{n} {s:.1}s"))
        .collect();
    let verdict = if outcome.failures.is_empty() {
        "passed".to_string()
    } else {
        let names: Vec<&str> = outcome.failures.iter().map(|(n, _)| n.as_str()).collect();
        format!("FAILED ({})", names.join(", "))
    };
    eprintln!(
        "corpus seed {seed:02}: {verdict} in {:.1}s ({})",
        t.elapsed().as_secs_f64(),
        steps.join(", ")
    );
    if outcome.failures.is_empty() {
        return Ok(());
    }
    let detail: Vec<String> = outcome
        .failures
        .iter()
        .map(|(step, output)| format!("  {step} failed:\n{output}"))
        .collect();
    Err(format!(
        "seed {seed:02} (target/corpus/specs/{seed:02}.yaml, project target/corpus/projects/{seed:02}):\n{}",
        detail.join("\n")
    ))
}

#[test]
fn corpus_projects_pass_the_gate() {
    if archgen_tests::skip_slow_tests() {
        return;
    }
    let cluster = archgen_tests::pg_cluster_url();
    let engine = render::Engine::with_builtins();
    let mut failed = Vec::new();
    for seed in corpus::gate_seeds() {
        let started = Instant::now();
        // Parsed from memory: the other slow test of this file writes the
        // same spec files at the same time.
        let spec = blueprint_core::spec::parse_str(
            &format!("target/corpus/specs/{seed:02}.yaml"),
            &corpus::spec(seed),
            blueprint_core::spec::Format::Yaml,
        )
        .expect("a corpus spec passes check")
        .spec;
        let options = render::Options::new();
        let generated = render::generate(&spec, &engine, &options).expect("renders");
        let dir = corpus_dir().join("gate").join(format!("{seed:02}"));
        let write = render::write::WriteOptions::for_render(&options)
            .with_force(true)
            .with_spec(blueprint_core::spec::to_yaml(&spec));
        render::write::write_tree(&generated.tree, &dir, &generated.spec_hash, &write)
            .expect("writes");
        let report = archgen_tests::projects::gate(&dir, &cluster);
        let report_path = dir.with_extension("json");
        std::fs::write(&report_path, report.to_json()).expect("the report is written");
        eprintln!(
            "corpus gate seed {seed:02}: score {} ({}) in {:.0}s",
            report.score,
            if report.passed { "passed" } else { "FAILED" },
            started.elapsed().as_secs_f64()
        );
        if !report.passed {
            failed.push(format!(
                "seed {seed:02} ({}):\n{}",
                report_path.display(),
                archgen_tests::projects::why_failed(&report, &dir)
            ));
        } else {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}
