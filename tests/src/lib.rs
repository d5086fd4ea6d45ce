//! Helpers shared by archgen's workspace-level tests: where things are, the
//! golden trees ([`golden`]), the switch for slow tests
//! ([`skip_slow_tests`]), and the throwaway PostgreSQL.

use std::io::Write;
use std::path::{Path, PathBuf};

pub mod corpus;
pub mod golden;
pub mod projects;
pub mod typescript_fastify;

/// The environment variable that turns the slow tests on: set it to `1`
/// (`scripts/test` does) to run the tests that install generated projects,
/// start PostgreSQL or servers, or run the quality gate.
pub const SLOW_TESTS_VAR: &str = "ARCHGEN_SLOW_TESTS";

/// Whether to skip a slow test: true unless `ARCHGEN_SLOW_TESTS=1`. A
/// skipped test prints one line saying so and how to run it, written
/// past the test harness's output capture so that it shows, and returns
/// early:
///
/// ```
/// if archgen_tests::skip_slow_tests() {
///     return;
/// }
/// ```
///
/// Everyday `cargo test --workspace` stays fast; `scripts/test` runs
/// everything.
pub fn skip_slow_tests() -> bool {
    let run = std::env::var(SLOW_TESTS_VAR).is_ok_and(|v| v == "1");
    if !run {
        let thread = std::thread::current();
        let test = thread.name().unwrap_or("a slow test");
        let line = format!(
            "skipped slow test {test}: run it with {SLOW_TESTS_VAR}=1 (scripts/test sets it)\n"
        );
        // libtest captures `eprintln!`; a direct write to stderr shows, in
        // one piece.
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
    !run
}

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace root")
        .to_path_buf()
}

/// The `tests/specs` folder.
pub fn specs_dir() -> PathBuf {
    workspace_root().join("tests").join("specs")
}

/// The example specs shipped in `examples/specs`, sorted by name.
pub fn example_specs() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(workspace_root().join("examples").join("specs"))
        .expect("examples/specs exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    v.sort();
    v
}

/// A synthetic spec of `n` entities, the shape the benchmarks use: each
/// entity is owned, read by its owner and admins, and has six scalar
/// fields (string, text, decimal, integer, boolean,
/// date) and a many-to-one relation to the previous entity.
///
/// ```
/// let yaml = archgen_tests::synthetic_spec(3);
/// let spec = blueprint_core::spec::parse_str("s.yaml", &yaml, blueprint_core::spec::Format::Yaml).unwrap().spec;
/// assert_eq!(spec.entities.len(), 3);
/// ```
pub fn synthetic_spec(n: usize) -> String {
    let mut s = String::from(
        "spec_version: 1\nproduct:\n  name: synthetic\n  description: A generated product for benchmarks.\nroles:\n  member: { signup: true }\n  admin: { admin: true }\nentities:\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            "  Item{i}:\n    owned: true\n    access: {{ read: [owner, admin] }}\n    fields:\n      name: {{ type: string, required: true, max: 120 }}\n      notes: text\n      amount: {{ type: decimal, precision: 12, scale: 2 }}\n      quantity: {{ type: integer, min: 0 }}\n      active: {{ type: boolean, default: true }}\n      due_on: date\n"
        ));
        if i > 0 {
            s.push_str(&format!(
                "    relations:\n      previous: {{ to: Item{}, on_delete: cascade }}\n",
                i - 1
            ));
        }
    }
    s
}

/// Starts the repository's throwaway PostgreSQL cluster (`scripts/pg-start`,
/// idempotent) and returns its URL, for tests of generated backends.
///
/// # Panics
///
/// When `scripts/pg-start` cannot run, PostgreSQL's server tools are not
/// installed (run `scripts/setup`) or the cluster does not start; the
/// message names which.
///
/// ```no_run
/// let url = archgen_tests::pg_cluster_url();
/// assert!(url.starts_with("postgresql://"));
/// ```
pub fn pg_cluster_url() -> String {
    // Once per test process: tests of one binary run in parallel threads,
    // and two `scripts/pg-start` at once would both try to start it.
    static URL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    URL.get_or_init(start_pg_cluster).clone()
}

fn start_pg_cluster() -> String {
    let script = workspace_root().join("scripts/pg-start");
    let out = std::process::Command::new(&script)
        .output()
        .unwrap_or_else(|e| panic!("{} cannot be run: {e}", script.display()));
    assert!(
        out.status.success(),
        "scripts/pg-start failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("export DATABASE_URL="))
        .expect("scripts/pg-start prints DATABASE_URL")
        .trim()
        .to_string()
}

/// The `bin` directory of a Node.js 24, for projects of the
/// typescript-fastify stack: the machine's `node` when it is version 24,
/// else the newest one `scripts/setup` put in archgen's cache
/// (`node/24.*` under [`gate::cache_dir`]).
///
/// # Panics
///
/// When there is none; the message says to run `scripts/setup`.
pub fn node24_bin_dir() -> PathBuf {
    let on_path = std::process::Command::new("node")
        .args([
            "-p",
            "process.versions.node.split('.')[0] + ' ' + process.execPath",
        ])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string());
    if let Some((major, exec)) = on_path.as_deref().and_then(|t| t.split_once(' ')) {
        if major == "24" {
            if let Some(dir) = Path::new(exec).parent() {
                return dir.to_path_buf();
            }
        }
    }
    let cached = gate::cache_dir().join("node");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&cached)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("24."))
                && p.join("bin/node").is_file()
        })
        .collect();
    found.sort_by_key(|p| {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        name.split('.')
            .map(|part| part.parse::<u32>().unwrap_or(0))
            .collect::<Vec<_>>()
    });
    match found.pop() {
        Some(dir) => dir.join("bin"),
        None => panic!(
            "Node.js 24 is needed: the machine's node is another version and {} holds none; run scripts/setup",
            cached.display()
        ),
    }
}

/// The npm cache the tests share with the quality gate (`npm` under
/// [`gate::cache_dir`]), so packages download once per machine.
pub fn npm_cache_dir() -> PathBuf {
    gate::cache_dir().join("npm")
}

/// The last `lines` lines of a command's output, for failure messages.
///
/// ```
/// assert_eq!(archgen_tests::tail("a\nb\nc", 2), "b\nc");
/// ```
pub fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// A fresh, empty database `name` on the cluster at `cluster` (dropped
/// first, with its sessions, when it exists); its URL, or what `psql`
/// said.
///
/// ```no_run
/// let url = archgen_tests::fresh_database(&archgen_tests::pg_cluster_url(), "scratch").unwrap();
/// assert!(url.ends_with("/scratch"));
/// ```
pub fn fresh_database(cluster: &str, name: &str) -> Result<String, String> {
    for sql in [
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        format!("CREATE DATABASE {name}"),
    ] {
        let out = std::process::Command::new("psql")
            .args([cluster, "-v", "ON_ERROR_STOP=1", "-qc", &sql])
            .output()
            .map_err(|e| {
                format!("psql cannot be run ({e}): install PostgreSQL's client tools (scripts/setup does)")
            })?;
        if !out.status.success() {
            return Err(format!("{sql}: {}", String::from_utf8_lossy(&out.stderr)));
        }
    }
    let base = cluster.rsplit_once('/').map(|(b, _)| b).unwrap_or(cluster);
    Ok(format!("{base}/{name}"))
}

/// How many projects a slow test checks at once: most of their steps
/// (linters, type checkers, one test process) keep one core busy, and the
/// machines CI runs on have two.
pub const PROJECT_WORKERS: usize = 2;

/// Calls `check` on every item, [`PROJECT_WORKERS`] at a time, and
/// returns the failures (`Err` values) in the order of `items`. A panic in
/// `check` propagates once every item has been taken.
///
/// ```
/// let failures = archgen_tests::in_parallel(&[1, 2, 3, 4], |n| {
///     if n % 2 == 0 { Err(format!("{n} is even")) } else { Ok(()) }
/// });
/// assert_eq!(failures, ["2 is even", "4 is even"]);
/// ```
pub fn in_parallel<T: Sync>(
    items: &[T],
    check: impl Fn(&T) -> Result<(), String> + Sync,
) -> Vec<String> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..PROJECT_WORKERS {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                if let Err(failure) = check(item) {
                    failures
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((i, failure));
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap_or_else(|e| e.into_inner());
    failures.sort_by_key(|(i, _)| *i);
    failures.into_iter().map(|(_, f)| f).collect()
}
