//! The `typescript-fastify` stack: every example spec and the specs of
//! `tests/specs/good` plan with it, deterministically, with the whole
//! schema in its migration; and, slow, the projects of `rich`,
//! `every-type`, `taken-names` and a slice of the corpus install (`npm ci` from the
//! committed lock), lint (`tsc`, ESLint, Prettier), migrate and pass their
//! own vitest suites against a fresh database on the throwaway PostgreSQL
//! of `scripts/pg-start`, on Node.js 24; the database they migrate is the
//! one python-fastapi's migrations make for the same spec, as `pg_dump`
//! prints it; and served, they pass every check of the gate's conformance
//! suite. The example specs' projects go through the whole quality gate in
//! `scripts/test` instead, which runs the same tools and more.
//!
//! Each project is written to `target/typescript-fastify/<name>` with the
//! writer `archgen generate` uses, which leaves unchanged files alone, so a
//! kept `node_modules` makes warm runs fast.
//!
//! Slow: runs only with `ARCHGEN_SLOW_TESTS=1` (`scripts/test` sets it),
//! two projects at a time.

use archgen_tests::corpus;
use archgen_tests::typescript_fastify::{engine, generate};
use render::Options;
use stacks::typescript_fastify::ID;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `ENCRYPTION_KEYS` of the runs: base64url of 32 bytes.
const ENCRYPTION_KEY: &str = "ZTJlLWVuY3J5cHRpb24ta2V5LW9mLTMyLWJ5dGVzLSE";

fn specs() -> Vec<PathBuf> {
    let mut specs = archgen_tests::example_specs();
    let good = archgen_tests::specs_dir().join("good");
    let mut more: Vec<PathBuf> = std::fs::read_dir(&good)
        .expect("tests/specs/good exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    more.sort();
    specs.extend(more);
    specs
}

#[test]
fn every_spec_plans_deterministically_with_its_whole_schema() {
    let engine = engine();
    for path in specs() {
        let first = generate(&engine, &path);
        let second = generate(&engine, &path);
        assert!(
            first.tree == second.tree,
            "{}: two generations differ",
            path.display()
        );
        let migration = first
            .tree
            .get_str("src/migrations/0001_initial.ts")
            .unwrap_or_else(|| panic!("{}: no initial migration", path.display()));
        let types = first.tree.get_str("src/database.ts").expect("row types");
        let model = model::AppModel::from_blueprint(&first.blueprint);
        for table in model::schema::Schema::of(&model).tables {
            let create = format!(
                "CREATE TABLE {} (",
                model::schema::sql::identifier(&table.name)
            );
            assert!(
                migration.contains(&create),
                "{}: the migration does not create {}",
                path.display(),
                table.name
            );
            assert!(
                types.contains(&format!("  {}: ", table.name)),
                "{}: no row type for {}",
                path.display(),
                table.name
            );
        }
        // The entities as the project serves them: every one, in the model's order.
        let served: serde_json::Value = serde_json::from_str(
            first
                .tree
                .get_str("src/entities/model.json")
                .expect("the model file"),
        )
        .expect("the model file is JSON");
        let names: Vec<&str> = served["entities"]
            .as_array()
            .expect("an entity list")
            .iter()
            .filter_map(|e| e["name"].as_str())
            .collect();
        let expected: Vec<&str> = model.entities.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, expected, "{}", path.display());
        for file in [
            "package.json",
            "package-lock.json",
            "Makefile",
            "src/app.ts",
        ] {
            assert!(
                first.tree.get_str(file).is_some(),
                "{}: no {file}",
                path.display()
            );
        }
    }
}

/// The documents cite this stack's real files: every path it names as
/// realizing a capability or holding an entity is a generated file (or,
/// ending in `/`, a folder holding one), and the ADRs record its choice.
/// One model, one contract: the API document of each spec is python-fastapi's,
/// byte for byte (the conformance suite checks the served one equals it).
#[test]
fn the_api_document_is_python_fastapis() {
    let engine = engine();
    for path in specs() {
        let ours = generate(&engine, &path);
        let theirs =
            archgen_tests::typescript_fastify::generate_with(&engine, &path, "python-fastapi");
        let document = ours
            .tree
            .get_str("docs/openapi.json")
            .unwrap_or_else(|| panic!("{}: no docs/openapi.json", path.display()));
        assert!(
            Some(document) == theirs.tree.get_str("docs/openapi.json"),
            "{}: the API document differs from python-fastapi's",
            path.display()
        );
    }
}

#[test]
fn the_documents_cite_the_stacks_own_files() {
    use stacks::Stack;
    let engine = engine();
    for path in archgen_tests::example_specs() {
        let generated = generate(&engine, &path);
        let model = model::AppModel::from_blueprint(&generated.blueprint);
        let realizations = stacks::typescript_fastify::TypescriptFastify.realizations(&model);
        let paths: Vec<&str> = generated.tree.paths().collect();
        let mut cited = 0;
        for file in realizations
            .capabilities
            .values()
            .chain(realizations.entities.values())
            .flatten()
        {
            cited += 1;
            let found = if file.ends_with('/') {
                paths.iter().any(|p| p.starts_with(file.as_str()))
            } else {
                paths.contains(&file.as_str())
            };
            assert!(
                found,
                "{}: {file} is cited but not generated",
                path.display()
            );
        }
        assert!(cited > 40, "{}: only {cited} paths cited", path.display());
        let documents: String = generated
            .tree
            .iter()
            .filter(|(p, _)| p.starts_with("docs/"))
            .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
            .collect();
        for expected in [
            "Build the backend with TypeScript and Fastify",
            "src/ratelimit.ts",
            "src/maintenance.ts",
            "src/security/crypto.ts",
        ] {
            assert!(
                documents.contains(expected),
                "{}: the documents never mention {expected}",
                path.display()
            );
        }
        assert!(
            !documents.contains("routers/"),
            "{}: the documents cite python-fastapi's files",
            path.display()
        );
    }
}

/// `make` in the project with Node.js 24 first on `PATH` and the
/// environment the gate gives.
fn make_command(dir: &Path, node_bin: &Path, database_url: &str) -> Command {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![node_bin.to_path_buf()];
    paths.extend(std::env::split_paths(&path));
    let mut command = Command::new("make");
    command
        .current_dir(dir)
        .env("PATH", std::env::join_paths(paths).expect("PATH joins"))
        .env("DATABASE_URL", database_url)
        .env("SECRET_KEY", "e2e-secret-key-long-enough-for-tests")
        .env("ENCRYPTION_KEYS", ENCRYPTION_KEY)
        .env("COOKIE_SECURE", "false")
        .env("LOG_LEVEL", "warn")
        .env("npm_config_cache", archgen_tests::npm_cache_dir());
    command
}

/// Runs `make <target>` in the project ([`make_command`]).
fn make(dir: &Path, node_bin: &Path, database_url: &str, target: &str) {
    let started = Instant::now();
    let out = make_command(dir, node_bin, database_url)
        .arg(target)
        .output()
        .unwrap_or_else(|e| panic!("make cannot be run ({e}): install GNU make"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!(
        "{}: make {target}: {:.1}s",
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        out.status.success(),
        "make {target} failed in {}:\n{}",
        dir.display(),
        archgen_tests::tail(&text, 80)
    );
}

#[test]
fn example_projects_install_lint_migrate_and_pass_their_tests() {
    if archgen_tests::skip_slow_tests() {
        return;
    }
    let node_bin = archgen_tests::node24_bin_dir();
    let engine = engine();
    let cluster = archgen_tests::pg_cluster_url();
    let good = archgen_tests::specs_dir().join("good");
    let mut specs: Vec<(PathBuf, String)> = ["rich.yaml", "every-type.yaml", "taken-names.yaml"]
        .map(|n| good.join(n))
        .into_iter()
        .map(|path| {
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("a spec's name")
                .to_string();
            (path, name)
        })
        .collect();
    // Specs this stack was not written for: the corpus's (`ARCHGEN_CORPUS`
    // selects them as for the corpus test; by default a slice of its own).
    let seeds = match std::env::var(corpus::CORPUS_VAR) {
        Ok(v) if !v.trim().is_empty() => corpus::selected_seeds(),
        _ => CORPUS_SLICE.to_vec(),
    };
    let dir = archgen_tests::workspace_root().join("target/typescript-fastify");
    std::fs::create_dir_all(&dir).expect("the folder is made");
    for seed in seeds {
        let path = dir.join(format!("corpus-{seed:02}.yaml"));
        std::fs::write(&path, corpus::spec(seed)).expect("the spec is written");
        specs.push((path, format!("corpus-{seed:02}")));
    }
    let failures = archgen_tests::in_parallel(&specs, |(path, name)| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            check_project(&engine, path, name, &node_bin, &cluster);
        }))
        .map_err(|panic| {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("it panicked");
            format!("{name}: {message}")
        })
    });
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The corpus seeds the slow test takes by default: 8 (a unique integer
/// with two values, so its tests can make only two rows), 9 (a `bigint`
/// from -2^63 to 2^63 - 1, past JavaScript's exact numbers) and 53, past
/// the corpus's 36 (an owned entity with a two-valued unique integer that
/// another owned entity links to: making room for the link's row deleted
/// the row the conformance suite's GDPR export check had just made).
const CORPUS_SLICE: [u64; 3] = [8, 9, 53];

/// Generates the spec at `path` with the stack into
/// `target/typescript-fastify/<name>`, installs, lints, migrates and tests
/// it, runs the conformance checks the stack meets against it served, and
/// compares its database with python-fastapi's for the same spec.
fn check_project(engine: &render::Engine, path: &Path, name: &str, node_bin: &Path, cluster: &str) {
    let generated = generate(engine, path);
    let dir = archgen_tests::workspace_root()
        .join("target/typescript-fastify")
        .join(name);
    let options = Options::new().with_stack(ID);
    let write = render::write::WriteOptions::for_render(&options).with_force(true);
    render::write::write_tree(&generated.tree, &dir, &generated.spec_hash, &write)
        .expect("the project is written");
    let url = archgen_tests::fresh_database(cluster, &format!("tsf_{}", name.replace('-', "_")))
        .unwrap_or_else(|e| panic!("{e}"));
    for target in ["install", "lint", "migrate", "test"] {
        make(&dir, node_bin, &url, target);
    }
    conformance(engine, &generated, &dir, node_bin, &url);
    let python = python_schema(engine, path, name, cluster);
    let ours = schema_dump(&url);
    if let Some((line, (a, b))) = python
        .lines()
        .zip(ours.lines())
        .enumerate()
        .find(|(_, (a, b))| a != b)
    {
        panic!(
            "{name}: the schemas differ at line {}:\n  python-fastapi:     {a}\n  typescript-fastify: {b}",
            line + 1
        );
    }
    assert_eq!(
        python.lines().count(),
        ours.lines().count(),
        "{name}: one schema is longer:\n{}",
        if python.len() > ours.len() {
            &python
        } else {
            &ours
        }
    );
}

/// The schema of a database as `pg_dump` prints it, without the
/// migration tools' own tables and `pg_dump`'s session lines.
fn schema_dump(url: &str) -> String {
    let out = Command::new("pg_dump")
        .args(["--schema-only", "--no-owner", "--no-privileges"])
        .args(["--exclude-table=alembic_version", "--exclude-table=kysely_migration*"])
        .arg(url)
        .output()
        .unwrap_or_else(|e| panic!("pg_dump cannot be run ({e}): install PostgreSQL's client tools (scripts/setup does)"));
    assert!(
        out.status.success(),
        "pg_dump failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with("\\restrict") && !l.starts_with("\\unrestrict"))
        .filter(|l| !l.starts_with("-- Dumped"))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The schema python-fastapi's migrations make for the same spec (its
/// integrations dropped alike): the one model gives one database.
fn python_schema(engine: &render::Engine, spec: &Path, name: &str, cluster: &str) -> String {
    let generated =
        archgen_tests::typescript_fastify::generate_with(engine, spec, "python-fastapi");
    let dir = archgen_tests::workspace_root()
        .join("target/typescript-fastify")
        .join(format!("{name}-python"));
    let options = Options::new();
    let write = render::write::WriteOptions::for_render(&options).with_force(true);
    render::write::write_tree(&generated.tree, &dir, &generated.spec_hash, &write)
        .expect("the python project is written");
    let venv = archgen_tests::projects::shared_venv(&dir);
    let url =
        archgen_tests::fresh_database(cluster, &format!("tsf_{}_python", name.replace('-', "_")))
            .unwrap_or_else(|e| panic!("{e}"));
    let out = Command::new(venv.join("bin/alembic"))
        .args(["upgrade", "heads"])
        .current_dir(&dir)
        .env("PYTHONPATH", "src")
        .env("DATABASE_URL", &url)
        .env("SECRET_KEY", "e2e-secret-key-long-enough-for-tests")
        .env("ENCRYPTION_KEYS", ENCRYPTION_KEY)
        .output()
        .expect("alembic runs");
    assert!(
        out.status.success(),
        "{name}: python-fastapi's migrations failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    schema_dump(&url)
}

/// A free TCP port on the loopback address.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Stops `make run` and the server it started (one process group).
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill")
            .args(["-s", "TERM", "--", &group])
            .status();
        std::thread::sleep(Duration::from_millis(300));
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &group])
            .status();
        let _ = self.0.wait();
    }
}

/// Serves the project with `make run` and runs the gate's stack-neutral
/// conformance suite against it, as python-fastapi's projects are: every
/// check must pass. Every check's verdict is written to
/// `.archgen/conformance.txt` in the project.
fn conformance(
    engine: &render::Engine,
    generated: &render::Generated,
    dir: &Path,
    node_bin: &Path,
    url: &str,
) {
    let port = free_port();
    let model = engine
        .app_model(&generated.blueprint, ID)
        .expect("the model of a generated spec");
    // An app with the `oidc` integration builds its login redirect from a
    // provider's discovery document: the gate's loopback stand-in serves one.
    let oidc_callback = model
        .routes
        .iter()
        .find(|r| r.operation == model::Operation::OidcCallback);
    let discovery = oidc_callback
        .map(|_| gate::provider::Discovery::start().expect("the stand-in OpenID provider starts"));
    let mut run = make_command(dir, node_bin, url);
    // An app that takes Stripe payments talks to stripe-mock, as in the gate,
    // and the suite signs webhook events with the secret it was given.
    let takes_payments = model
        .routes
        .iter()
        .any(|r| r.operation == model::Operation::StripeWebhook);
    let stripe_secret = takes_payments.then(|| "whsec_typescript_conformance".to_string());
    let stripe_mock = takes_payments.then(|| {
        let program = gate::stripe_mock_program()
            .expect("stripe-mock is installed (scripts/setup builds it)");
        let port = free_port();
        let child = Command::new(program)
            .args(["-http-port", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("stripe-mock starts");
        let served = Served(child);
        // It answers once it has loaded Stripe's API description.
        let deadline = Instant::now() + Duration::from_secs(30);
        while ureq::get(&format!("http://127.0.0.1:{port}/v1/balance"))
            .header("Authorization", "Bearer sk_test_123")
            .call()
            .is_err()
        {
            assert!(
                Instant::now() < deadline,
                "stripe-mock did not answer in 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        (served, port)
    });
    if let (Some(secret), Some((_, port))) = (&stripe_secret, &stripe_mock) {
        run.env("STRIPE_WEBHOOK_SECRET", secret)
            .env("STRIPE_SECRET_KEY", "sk_test_0123456789abcdef")
            .env("STRIPE_API_BASE", format!("http://127.0.0.1:{port}"));
    }
    if let (Some(discovery), Some(callback)) = (&discovery, oidc_callback) {
        run.env("OIDC_ISSUER", discovery.issuer())
            .env("OIDC_CLIENT_ID", "archgen-test")
            .env("OIDC_CLIENT_SECRET", "archgen-test-secret")
            .env(
                "OIDC_REDIRECT_URI",
                format!("http://127.0.0.1:{port}{}", callback.path),
            );
    }
    let child = run
        .arg("run")
        .env("HOST", "127.0.0.1")
        .env("PORT", port.to_string())
        .env("RATE_LIMIT_CLIENT", "100000")
        .env("RATE_LIMIT_USER", "100000")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("make run starts");
    let _served = Served(child);
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    while ureq::get(&format!("{base}/healthz")).call().is_err() {
        assert!(
            Instant::now() < deadline,
            "{}: make run did not serve /healthz in 60 s",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let create_user = |email: &str, password: &str, role: &str| -> Result<(), String> {
        let out = make_command(dir, node_bin, url)
            .args([
                "user",
                &format!("EMAIL={email}"),
                &format!("PASSWORD={password}"),
                &format!("ROLE={role}"),
            ])
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    };
    // The contract's outbox: the latest mail to an address, for the checks
    // that follow a mailed link.
    let read_mail = |recipient: &str| -> Result<Option<String>, String> {
        let sql = format!(
            "SELECT body_text FROM mail_outbox WHERE recipient = '{}' \
             ORDER BY created_at DESC, id DESC LIMIT 1",
            recipient.replace('\'', "''")
        );
        let out = Command::new("psql")
            .args([
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                &sql,
                url,
            ])
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        let text = String::from_utf8_lossy(&out.stdout).trim_end().to_string();
        Ok((!text.is_empty()).then_some(text))
    };
    let options = gate::conformance::Options {
        create_user: Some(&create_user),
        read_mail: model
            .email
            .is_some()
            .then_some(&read_mail as &gate::conformance::MailReader),
        stripe_webhook_secret: stripe_secret.clone(),
        ..Default::default()
    };
    let started = Instant::now();
    let results = gate::conformance::run(&model, &base, &options);
    // Every check's verdict, for a look at what the stack does not meet yet.
    let verdicts: Vec<String> = results
        .iter()
        .map(|r| {
            let verdict = if r.passed { "pass" } else { "FAIL" };
            format!("{verdict} {}: {}", r.name, r.detail)
        })
        .collect();
    let records = dir.join(".archgen");
    std::fs::create_dir_all(&records).expect(".archgen is made");
    std::fs::write(records.join("conformance.txt"), verdicts.join("\n") + "\n")
        .expect("the verdicts are written");
    let failed: Vec<String> = results
        .iter()
        .filter(|r| !r.passed)
        .map(|r| format!("{}: {}", r.name, r.detail))
        .collect();
    eprintln!(
        "{}: conformance: {} of {} checks pass in {:.1}s",
        dir.display(),
        results.len() - failed.len(),
        results.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        results.iter().any(|r| r.name.starts_with("crud.")),
        "no entity check ran: {verdicts:?}"
    );
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
