//! End to end: golden trees (`tests/golden/<name>`, the generated
//! python-fastapi projects of `tests/specs/good/rich.yaml`,
//! `tests/specs/good/every-type.yaml` and the tasks example), each first
//! checked to equal fresh generation, copied into `target/e2e/<name>`,
//! then installed, migrated, linted and tested against a fresh database on
//! the throwaway PostgreSQL of `scripts/pg-start`; then the tasks project
//! is served with `make run` and called from outside with a cookie-keeping
//! client. So the goldens are the tested projects. The tasks project is
//! only installed and migrated here: `scripts/test` runs the quality gate
//! (lint and tests included) on the same tree, and on the other examples'.
//!
//! Slow: runs only with `ARCHGEN_SLOW_TESTS=1` (`scripts/test` sets it).
//!
//! The rich project runs against a throwaway `redis-server` (when one is
//! installed; `scripts/setup` installs it), so its whole suite runs with
//! its rate limits counted in Redis; the others count in PostgreSQL. The
//! clinic project is not run here: `scripts/test` takes it through the
//! quality gate (install, lint, tests and more) with both stacks.
//!
//! `tests/specs/good/taken-names.yaml` (the clinic example with entities
//! named `Session`, `Response`, `Claim` and `Column`, names the generated
//! modules already import) has no golden tree: it is generated fresh,
//! then installed, linted and tested like the others, so a model class
//! that shadows an import fails here.
//!
//! The projects run on the virtualenv the slow tests share for their locks
//! (`make VENV=…`, `archgen_tests::projects::shared_venv`), so no project
//! installs its packages again, and mypy starts from the cache of
//! a project that passed (`archgen_tests::projects::mypy_seed`), so it
//! does not analyse those packages again either.

use std::io::Read;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One project at a time: two cores are shared.
static SERIAL: Mutex<()> = Mutex::new(());

/// The `ENCRYPTION_KEYS` of the end-to-end runs: base64url of 32 bytes.
const E2E_ENCRYPTION_KEY: &str = "ZTJlLWVuY3J5cHRpb24ta2V5LW9mLTMyLWJ5dGVzLSE";

fn root() -> PathBuf {
    archgen_tests::workspace_root()
}

/// Copies the golden tree of `name` into `target/e2e/<name>` with the
/// writer `archgen generate` uses (which leaves unchanged files alone, so a
/// kept `.venv` stays valid), after checking that the golden equals fresh
/// generation of its spec.
fn install_golden(name: &str, spec: &Path) -> PathBuf {
    let (tree, spec_hash) = archgen_tests::golden::checked(name, spec);
    let dir = root().join("target/e2e").join(name);
    let options = render::Options::new();
    let write = render::write::WriteOptions::for_render(&options).with_force(true);
    render::write::write_tree(&tree, &dir, &spec_hash, &write).expect("the project is written");
    dir
}

/// A spec with no golden tree, generated fresh into `target/e2e/<name>`.
fn install_generated(name: &str, spec: &Path) -> PathBuf {
    let (tree, spec_hash) = archgen_tests::golden::generate(spec);
    let dir = root().join("target/e2e").join(name);
    let options = render::Options::new();
    let write = render::write::WriteOptions::for_render(&options).with_force(true);
    render::write::write_tree(&tree, &dir, &spec_hash, &write).expect("the project is written");
    dir
}

/// `make` in the project `dir`, on the virtualenv the slow tests share
/// (the Makefile's `VENV`), brought up to the project's locks first.
fn make_in(dir: &Path) -> Command {
    let mut command = Command::new("make");
    command
        .current_dir(dir)
        .env("VENV", archgen_tests::projects::shared_venv(dir));
    command
}

fn make(dir: &Path, database_url: &str, redis_url: Option<&str>, targets: &[&str]) {
    for target in targets {
        let started = Instant::now();
        let mut command = make_in(dir);
        match redis_url {
            Some(url) => command.env("REDIS_URL", url),
            None => command.env_remove("REDIS_URL"),
        };
        let out = command
            .arg(target)
            .env("DATABASE_URL", database_url)
            .env("SECRET_KEY", "e2e-secret-key-long-enough-for-tests")
            .env("ENCRYPTION_KEYS", E2E_ENCRYPTION_KEY)
            .env("COOKIE_SECURE", "false")
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
        if *target == "lint" {
            archgen_tests::projects::keep_mypy_seed(&dir.join(".mypy_cache"));
        }
    }
}

/// Every make target a project is checked with.
const CHECKED: [&str; 4] = ["install", "migrate", "lint", "test"];

fn run_project(name: &str, spec: &Path) -> (PathBuf, String) {
    run_project_with(name, spec, None, &CHECKED)
}

fn run_project_with(
    name: &str,
    spec: &Path,
    redis_url: Option<&str>,
    targets: &[&str],
) -> (PathBuf, String) {
    let seed = archgen_tests::projects::mypy_seed();
    let dir = install_golden(name, spec);
    archgen_tests::projects::seed_mypy_cache(seed.as_deref(), &dir.join(".mypy_cache"));
    let url = archgen_tests::fresh_database(
        &archgen_tests::pg_cluster_url(),
        &format!("e2e_{}", name.replace('-', "_")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    make(&dir, &url, redis_url, targets);
    (dir, url)
}

/// A throwaway `redis-server` on a free loopback port, stopped on drop.
struct Redis {
    server: Server,
    url: String,
}

impl Redis {
    /// Starts one, or `None` when `redis-server` is not installed.
    fn start() -> Option<Redis> {
        let port = free_port();
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .current_dir(std::env::temp_dir())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let server = Server(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not come up in 20 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(Redis {
            server,
            url: format!("redis://127.0.0.1:{port}/0"),
        })
    }
}

#[test]
fn rich_installs_migrates_lints_and_passes_its_tests() {
    if archgen_tests::skip_slow_tests() {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let redis = Redis::start();
    run_project_with(
        "rich",
        &root().join("tests/specs/good/rich.yaml"),
        redis.as_ref().map(|r| r.url.as_str()),
        &CHECKED,
    );
    if let Some(mut redis) = redis {
        let status = redis.server.0.try_wait().expect("redis-server is polled");
        assert!(status.is_none(), "redis-server stopped early: {status:?}");
    }
}

#[test]
fn every_type_installs_migrates_lints_and_passes_its_tests() {
    if archgen_tests::skip_slow_tests() {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    run_project(
        "every-type",
        &root().join("tests/specs/good/every-type.yaml"),
    );
}

#[test]
fn entities_named_as_imported_classes_lint_and_pass_their_tests() {
    if archgen_tests::skip_slow_tests() {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let name = "taken-names";
    let seed = archgen_tests::projects::mypy_seed();
    let dir = install_generated(name, &root().join("tests/specs/good/taken-names.yaml"));
    archgen_tests::projects::seed_mypy_cache(seed.as_deref(), &dir.join(".mypy_cache"));
    let url = archgen_tests::fresh_database(&archgen_tests::pg_cluster_url(), "e2e_taken_names")
        .unwrap_or_else(|e| panic!("{e}"));
    make(&dir, &url, None, &CHECKED);
}

/// Kills the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A tiny cookie-keeping client over `ureq`.
struct Client {
    agent: ureq::Agent,
    base: String,
    cookies: Vec<(String, String)>,
    csrf: Option<String>,
}

impl Client {
    fn new(base: &str) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        Client {
            agent,
            base: base.to_string(),
            cookies: Vec::new(),
            csrf: None,
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn call(&mut self, method: &str, path: &str, body: Option<&str>, csrf: bool) -> (u16, String) {
        let url = format!("{}{path}", self.base);
        let cookie = self.cookie_header();
        let result = match body {
            Some(json) => {
                let mut req = match method {
                    "POST" => self.agent.post(&url),
                    "PATCH" => self.agent.patch(&url),
                    _ => self.agent.put(&url),
                }
                .header("Content-Type", "application/json");
                if !cookie.is_empty() {
                    req = req.header("Cookie", &cookie);
                }
                if let (true, Some(token)) = (csrf, &self.csrf) {
                    req = req.header("X-CSRF-Token", token);
                }
                req.send(json)
            }
            None => {
                let mut req = match method {
                    "DELETE" => self.agent.delete(&url),
                    _ => self.agent.get(&url),
                };
                if !cookie.is_empty() {
                    req = req.header("Cookie", &cookie);
                }
                if let (true, Some(token)) = (csrf, &self.csrf) {
                    req = req.header("X-CSRF-Token", token);
                }
                req.call()
            }
        };
        let mut response = result.expect("the server answers");
        for value in response.headers().get_all("set-cookie") {
            let Ok(text) = value.to_str() else { continue };
            let Some((pair, _)) = text.split_once(';').or(Some((text, ""))) else {
                continue;
            };
            if let Some((k, v)) = pair.split_once('=') {
                self.cookies.retain(|(name, _)| name != k);
                self.cookies
                    .push((k.to_string(), v.trim_matches('"').to_string()));
                if k == "csrf_token" {
                    self.csrf = Some(v.to_string());
                }
            }
        }
        let status = response.status().as_u16();
        let mut text = String::new();
        let _ = response.body_mut().as_reader().read_to_string(&mut text);
        (status, text)
    }
}

#[test]
fn tasks_project_serves_from_outside() {
    if archgen_tests::skip_slow_tests() {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // Its lint and tests are the quality gate's, which `scripts/test` runs
    // on the same tree (the golden test keeps it equal to fresh output).
    let (dir, url) = run_project_with(
        "tasks",
        &root().join("examples/specs/tasks.yaml"),
        None,
        &["install", "migrate"],
    );

    let out = make_in(&dir)
        .args([
            "user",
            "EMAIL=ops@example.com",
            "PASSWORD=a long operator passphrase",
            "ROLE=admin",
        ])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap_or_else(|e| panic!("make cannot be run ({e}): install GNU make"));
    assert!(
        out.status.success(),
        "make user: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let port = free_port();
    let server = make_in(&dir)
        .arg("run")
        .env("DATABASE_URL", &url)
        .env("SECRET_KEY", "e2e-secret-key-long-enough-for-tests")
        .env("ENCRYPTION_KEYS", E2E_ENCRYPTION_KEY)
        .env("COOKIE_SECURE", "false")
        .env("PORT", port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("make cannot be run ({e}): install GNU make"));
    let _server = ServerGroup(Server(server));
    let base = format!("http://127.0.0.1:{port}");
    let mut client = Client::new(&base);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
            && client.call("GET", "/healthz", None, false).0 == 200
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not come up in 60 s"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    assert_eq!(client.call("GET", "/readyz", None, false).0, 200);
    let (status, served) = client.call("GET", "/openapi.json", None, false);
    assert_eq!(status, 200);
    let shipped =
        std::fs::read_to_string(dir.join("docs/openapi.json")).expect("docs/openapi.json");
    let parse = |t: &str| serde_json::from_str::<serde_json::Value>(t).expect("JSON");
    assert_eq!(
        parse(&served),
        parse(&shipped),
        "/openapi.json is not docs/openapi.json"
    );

    // 401: no session.
    assert_eq!(client.call("GET", "/api/projects", None, false).0, 401);
    // Register a member, then sign in as the operator. The tasks spec names an
    // email provider, so registration answers 202 whether or not the address
    // was taken, and the account is confirmed through the mailed link.
    let (status, body) = client.call(
        "POST",
        "/api/auth/register",
        Some(r#"{"email": "member@example.com", "password": "a long member passphrase"}"#),
        false,
    );
    assert_eq!(status, 202, "{body}");
    let (status, body) = client.call(
        "POST",
        "/api/auth/login",
        Some(r#"{"email": "ops@example.com", "password": "a long operator passphrase"}"#),
        false,
    );
    assert_eq!(status, 200, "{body}");
    assert!(client.csrf.is_some(), "login sets the csrf_token cookie");
    // 403: a state change without the CSRF header.
    let (status, _) = client.call(
        "POST",
        "/api/projects",
        Some(r#"{"name": "Launch"}"#),
        false,
    );
    assert_eq!(status, 403);
    // 201: with it.
    let (status, body) = client.call("POST", "/api/projects", Some(r#"{"name": "Launch"}"#), true);
    assert_eq!(status, 201, "{body}");
    assert!(body.contains("\"owner_id\""), "{body}");
    // 404: an id nobody has.
    let (status, _) = client.call(
        "GET",
        "/api/projects/00000000-0000-4000-8000-000000000000",
        None,
        false,
    );
    assert_eq!(status, 404);
    let (status, body) = client.call("GET", "/api/projects", None, false);
    assert_eq!(status, 200);
    assert!(body.contains("Launch"), "{body}");
    // The audit log recorded the sign-in and the create, for admins only.
    let (status, body) = client.call("GET", "/api/admin/audit-events?action=create", None, false);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"Project\""), "{body}");
    // The operator's own data, then the erasure of the account.
    let (status, body) = client.call("GET", "/api/me/export", None, false);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Launch"), "{body}");
    assert_eq!(client.call("DELETE", "/api/me", None, false).0, 403);
    assert_eq!(client.call("DELETE", "/api/me", None, true).0, 204);
    assert_eq!(client.call("GET", "/api/auth/me", None, false).0, 401);
    // `make retention` runs against the same database and reports counts.
    let out = make_in(&dir)
        .arg("retention")
        .env("DATABASE_URL", &url)
        .output()
        .unwrap_or_else(|e| panic!("make cannot be run ({e}): install GNU make"));
    assert!(
        out.status.success(),
        "make retention: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("deleted"));
}

/// Stops `make run` and the server it started (one process group).
struct ServerGroup(Server);

impl Drop for ServerGroup {
    fn drop(&mut self) {
        let pid = self.0 .0.id();
        let _ = Command::new("kill")
            .args(["-s", "TERM", "--", &format!("-{pid}")])
            .status();
        std::thread::sleep(Duration::from_millis(300));
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &format!("-{pid}")])
            .status();
    }
}
