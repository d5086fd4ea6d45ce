//! Schemathesis, every check, against the served tasks project (the golden
//! tree `tests/golden/tasks`, checked to equal fresh generation): the
//! OpenAPI document the backend serves is exactly as strict as the API,
//! and no input gets a 500.
//!
//! The project is copied into `target/schemathesis/tasks` (its `.venv` is
//! kept between runs), installed, migrated against a fresh database on the
//! throwaway PostgreSQL of `scripts/pg-start`, given an admin account with
//! `make user`, and served with `make run`. The test signs in as that
//! admin and runs schemathesis from `target/tools-venv` (`scripts/setup`
//! installs it, pinned) with `tests/schemathesis/schemathesis.toml`, which
//! hands it the session cookie and the CSRF header and says why each check
//! it narrows is narrowed. A fixed seed and a bounded number of cases per
//! operation keep the run deterministic and within a few minutes.
//!
//! Slow: runs only with `ARCHGEN_SLOW_TESTS=1` (`scripts/test` sets it).

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The seed of every run: the same cases each time.
const SEED: &str = "1";

/// Cases per operation and phase: enough to reach every status the
/// document lists, few enough for a run of one to two minutes.
const MAX_EXAMPLES: &str = "30";

/// The checks `--checks all` leaves out, each for the reason given in
/// `tests/schemathesis/schemathesis.toml`.
const EXCLUDED_CHECKS: &str = "ensure_resource_availability";

/// `ENCRYPTION_KEYS` of the run: base64url of 32 bytes.
const ENCRYPTION_KEY: &str = "c2NoZW1hdGhlc2lzLWVuY3J5cHRpb24ta2V5LTMyYiE";

const SECRET_KEY: &str = "schemathesis-secret-key-long-enough-for-tests";
const ADMIN_EMAIL: &str = "ops@example.com";
const ADMIN_PASSWORD: &str = "a long operator passphrase";

fn root() -> PathBuf {
    archgen_tests::workspace_root()
}

/// The `st` executable `scripts/setup` installs.
fn schemathesis() -> PathBuf {
    let st = root().join("target/tools-venv/bin/st");
    assert!(
        st.is_file(),
        "{} is missing: run scripts/setup (it installs schemathesis, pinned)",
        st.display()
    );
    st
}

/// A fresh, empty database on the cluster; returns its URL.
fn fresh_database(cluster: &str, name: &str) -> String {
    for sql in [
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        format!("CREATE DATABASE {name}"),
    ] {
        let out = Command::new("psql")
            .args([cluster, "-v", "ON_ERROR_STOP=1", "-qc", &sql])
            .output()
            .unwrap_or_else(|e| {
                panic!("psql cannot be run ({e}): install PostgreSQL's client tools (scripts/setup does)")
            });
        assert!(
            out.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let base = cluster.rsplit_once('/').map(|(b, _)| b).unwrap_or(cluster);
    format!("{base}/{name}")
}

/// The environment every `make` target of the run gets.
fn project_env(command: &mut Command, database_url: &str) {
    command
        .env("DATABASE_URL", database_url)
        .env("SECRET_KEY", SECRET_KEY)
        .env("ENCRYPTION_KEYS", ENCRYPTION_KEY)
        .env("COOKIE_SECURE", "false")
        // Thousands of cases from one client and one user: no throttling.
        .env("RATE_LIMIT_CLIENT", "1000000")
        .env("RATE_LIMIT_USER", "1000000")
        .env_remove("REDIS_URL");
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn make(dir: &Path, database_url: &str, args: &[&str]) {
    let mut command = Command::new("make");
    project_env(&mut command, database_url);
    let out = command
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("make cannot be run ({e}): install GNU make"));
    assert!(
        out.status.success(),
        "make {} failed in {}:\n{}{}",
        args.join(" "),
        dir.display(),
        tail(&String::from_utf8_lossy(&out.stdout), 40),
        tail(&String::from_utf8_lossy(&out.stderr), 40)
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// `make run` and the server it started (one process group), stopped when
/// the test ends, however it ends.
struct ServerGroup(Child);

impl Drop for ServerGroup {
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

/// Signs in and returns the `session` and `csrf_token` cookies.
fn sign_in(base: &str) -> (String, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let body = serde_json::json!({ "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD });
    let response = agent
        .post(&format!("{base}/api/auth/login"))
        .header("Content-Type", "application/json")
        .send(body.to_string())
        .expect("the server answers");
    assert_eq!(response.status().as_u16(), 200, "the admin signs in");
    let cookie = |name: &str| {
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| k.trim() == name)
            .map(|(_, v)| v.trim_matches('"').to_string())
            .unwrap_or_else(|| panic!("login sets the {name} cookie"))
    };
    (cookie("session"), cookie("csrf_token"))
}

#[test]
fn tasks_api_passes_every_schemathesis_check() {
    if archgen_tests::skip_slow_tests() {
        return;
    }
    let st = schemathesis();
    let (tree, spec_hash) =
        archgen_tests::golden::checked("tasks", &root().join("examples/specs/tasks.yaml"));
    let dir = root().join("target/schemathesis/tasks");
    let options = render::Options::new();
    let write = render::write::WriteOptions::for_render(&options).with_force(true);
    render::write::write_tree(&tree, &dir, &spec_hash, &write).expect("the project is written");

    let url = fresh_database(&archgen_tests::pg_cluster_url(), "schemathesis_tasks");
    make(&dir, &url, &["install"]);
    make(&dir, &url, &["migrate"]);
    make(
        &dir,
        &url,
        &[
            "user",
            &format!("EMAIL={ADMIN_EMAIL}"),
            &format!("PASSWORD={ADMIN_PASSWORD}"),
            "ROLE=admin",
        ],
    );

    let port = free_port();
    let mut command = Command::new("make");
    project_env(&mut command, &url);
    let server = command
        .arg("run")
        .current_dir(&dir)
        .env("PORT", port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("make cannot be run ({e}): install GNU make"));
    let _server = ServerGroup(server);
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    while ureq::get(&format!("{base}/healthz")).call().is_err() {
        assert!(
            Instant::now() < deadline,
            "the server did not come up in 60 s"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    let (session, csrf) = sign_in(&base);

    let started = Instant::now();
    let out = Command::new(&st)
        .arg("--config-file")
        .arg(root().join("tests/schemathesis/schemathesis.toml"))
        .args(["run", &format!("{base}/openapi.json"), "--url", &base])
        .args(["--checks", "all", "--exclude-checks", EXCLUDED_CHECKS])
        .args(["--seed", SEED, "--max-examples", MAX_EXAMPLES])
        .args([
            "--generation-database",
            "none",
            "--workers",
            "1",
            "--no-color",
        ])
        .env("ARCHGEN_ST_SESSION", &session)
        .env("ARCHGEN_ST_CSRF", &csrf)
        .current_dir(&dir)
        .output()
        .unwrap_or_else(|e| panic!("{} cannot be run: {e}", st.display()));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!(
        "schemathesis: {:.0}s\n{}",
        started.elapsed().as_secs_f64(),
        tail(&text, 14)
    );
    assert!(
        out.status.success(),
        "schemathesis found failures:\n{}",
        tail(&text, 200)
    );
    assert!(
        text.contains("passed") && !text.contains("failures"),
        "schemathesis ran no case or reported failures:\n{}",
        tail(&text, 60)
    );
}
