//! The generated README's "On your machine" block works as written: the
//! tasks project is rendered into `target/readme-runs/tasks`, the shell
//! lines of that block are run in order with bash against the throwaway
//! PostgreSQL of `scripts/pg-start` (only the server URL the README asks
//! the user to set is replaced), with none of the app's variables in the
//! environment, and the app it leaves running answers `GET /healthz` with
//! 200 and lets the first administrator sign in.
//!
//! Slow (it installs the project): runs only with `ARCHGEN_SLOW_TESTS=1`.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The heading the block sits under, and the variable naming the server.
const HEADING: &str = "### On your machine";
const SERVER_VARIABLE: &str = "export POSTGRES_SERVER=";

fn render(dir: &Path) {
    let spec = archgen_tests::workspace_root().join("examples/specs/tasks.yaml");
    let spec = blueprint_core::spec::parse_file(&spec)
        .expect("a valid example")
        .spec;
    let engine = render::Engine::with_builtins();
    let options = render::Options::new().with_stack("python-fastapi");
    let generated = render::generate(&spec, &engine, &options).expect("the project renders");
    let write = render::write::WriteOptions::for_render(&options).with_force(true);
    render::write::write_tree(&generated.tree, dir, &generated.spec_hash, &write)
        .expect("the project is written");
}

/// The lines of the first fenced `sh` block under `heading`.
fn run_block(readme: &str, heading: &str) -> Vec<String> {
    let after = readme
        .find(heading)
        .map(|i| &readme[i + heading.len()..])
        .unwrap_or_else(|| panic!("the README has no `{heading}`"));
    let mut lines = after.lines().skip_while(|l| l.trim() != "```sh");
    assert!(lines.next().is_some(), "no ```sh block under `{heading}`");
    let block: Vec<String> = lines
        .take_while(|l| l.trim() != "```")
        .map(str::to_string)
        .collect();
    assert!(!block.is_empty(), "the block under `{heading}` is empty");
    block
}

/// The text after `prefix` in the only line that holds it, up to `end`.
fn value_after<'a>(lines: &'a [String], prefix: &str, end: char) -> &'a str {
    let found: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.find(prefix).map(|i| &l[i + prefix.len()..]))
        .map(|rest| rest.split(end).next().unwrap_or(rest))
        .collect();
    assert_eq!(found.len(), 1, "`{prefix}` in {lines:#?}");
    found[0]
}

/// Stops the block's shell and the server it left running (one group).
struct Group(Child);

impl Drop for Group {
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

fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(60)..].join("\n")
}

#[test]
fn the_readme_run_block_brings_up_the_app() {
    if archgen_tests::skip_slow_tests() {
        return;
    }
    let root = archgen_tests::workspace_root().join("target/readme-runs");
    let dir: PathBuf = root.join("tasks");
    render(&dir);
    let readme = std::fs::read_to_string(dir.join("README.md")).expect("README.md");
    let block = run_block(&readme, HEADING);

    // What the README tells the user, read from the block itself.
    let example_server = value_after(&block, SERVER_VARIABLE, ' ').to_string();
    let database = value_after(&block, "CREATE DATABASE ", '\'').to_string();
    let email = value_after(&block, "EMAIL=", ' ').to_string();
    let password = value_after(&block, "PASSWORD='", '\'').to_string();
    let login_path = value_after(&block, "http://127.0.0.1:8000", ' ').to_string();
    assert!(login_path.ends_with("/auth/login"), "{login_path}");
    assert!(
        block.iter().any(|l| l.starts_with("make run")),
        "the block does not end by running the app: {block:#?}"
    );

    // The throwaway cluster stands in for the user's server; a database
    // left by an earlier run is dropped first.
    let cluster = archgen_tests::pg_cluster_url();
    let server = cluster
        .rsplit_once('/')
        .map(|(s, _)| s.to_string())
        .expect("a URL with a database");
    let out = Command::new("psql")
        .args([&cluster, "-v", "ON_ERROR_STOP=1", "-qc"])
        .arg(format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
        .output()
        .expect("psql runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let script: Vec<String> = std::iter::once("set -euo pipefail".to_string())
        .chain(block.iter().map(|l| {
            if l.starts_with(SERVER_VARIABLE) {
                l.replacen(&example_server, &server, 1)
            } else {
                l.clone()
            }
        }))
        .collect();
    let script_path = root.join("run-block.sh");
    std::fs::write(&script_path, script.join("\n") + "\n").expect("write the script");
    let log_path = root.join("run-block.log");
    let log = std::fs::File::create(&log_path).expect("the log");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let mut command = Command::new("bash");
    command
        .arg(&script_path)
        .current_dir(&dir)
        .env("PORT", port.to_string())
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("the log"))
        .stderr(log)
        .process_group(0);
    for name in [
        "DATABASE_URL",
        "SECRET_KEY",
        "ENCRYPTION_KEYS",
        "COOKIE_SECURE",
        "REDIS_URL",
        "POSTGRES_SERVER",
        "VIRTUAL_ENV",
    ] {
        command.env_remove(name);
    }
    if std::env::var_os("PIP_CACHE_DIR").is_none() {
        command.env("PIP_CACHE_DIR", gate::cache_dir().join("pip"));
    }
    let started = Instant::now();
    let mut group = Group(command.spawn().expect("bash runs"));

    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = started + Duration::from_secs(900);
    loop {
        if let Some(status) = group.0.try_wait().expect("bash is polled") {
            panic!(
                "the README block stopped ({status}) before the app answered; {} ends with:\n{}",
                log_path.display(),
                tail(&log_path)
            );
        }
        if let Ok(r) = agent.get(&format!("{base}/healthz")).call() {
            if r.status().as_u16() == 200 {
                break;
            }
        }
        assert!(
            Instant::now() < deadline,
            "GET /healthz did not answer 200 within 900 s; the log ends with:\n{}",
            tail(&log_path)
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    eprintln!(
        "the README block served the app after {:.1}s",
        started.elapsed().as_secs_f64()
    );

    let body = serde_json::json!({ "email": email, "password": password }).to_string();
    let mut response = agent
        .post(&format!("{base}{login_path}"))
        .header("Content-Type", "application/json")
        .send(body.as_str())
        .expect("the login answers");
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    assert_eq!(
        status, 200,
        "the first administrator cannot sign in: {text}"
    );
    let account: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(account["email"], email.as_str(), "{text}");
    drop(group);
}

#[test]
fn the_run_block_is_found_and_read() {
    let readme = "# x\n\n### On your machine\n\ntext\n\n```sh\nexport POSTGRES_SERVER=postgresql://u@h:5432\nmake run   # http://127.0.0.1:8000/api/auth/login\n```\n\n```sh\nnot this\n```\n";
    let block = run_block(readme, HEADING);
    assert_eq!(block.len(), 2);
    assert_eq!(
        value_after(&block, SERVER_VARIABLE, ' '),
        "postgresql://u@h:5432"
    );
    assert_eq!(
        value_after(&block, "http://127.0.0.1:8000", ' '),
        "/api/auth/login"
    );
}
