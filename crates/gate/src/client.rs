//! The `client` stage: the project's typed TypeScript client
//! (`clients/ts/`) installs with `npm ci`, builds (`npm run build`: its
//! types generated from the project's OpenAPI document, then `tsc`) and
//! passes its own tests (`npm run test:run`: the built tests) against the
//! app the gate is running (`API_URL`), signed in where it needs an admin
//! as an account the gate creates (`ADMIN_EMAIL`, `ADMIN_PASSWORD`). npm keeps its downloads under the gate's cache
//! (`<cache>/npm`, or the caller's `npm_config_cache`), so warm runs
//! install from disk.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::process::run_logged;
use crate::{stage_report, GateError, Project, StageReport};

use render::docs::client_ts::CLIENT_DIR;

/// The steps, each an npm command with its timeout in seconds.
const STEPS: [(&str, &[&str], u64); 3] = [
    (
        "install",
        &["ci", "--no-audit", "--no-fund", "--prefer-offline"],
        600,
    ),
    ("build", &["run", "build"], 300),
    ("test", &["run", "test:run"], 300),
];

/// What the stage needs.
pub(crate) struct ClientRun<'a> {
    /// The project.
    pub project: &'a Project,
    /// The gate's cache directory.
    pub cache: &'a Path,
    /// Where the logs go.
    pub logs: &'a Path,
    /// The running app's port.
    pub port: u16,
    /// An admin account the tests may sign in as, when one could be made.
    pub admin: Option<(String, String)>,
    /// Whether the run was stopped.
    pub stopped: &'a (dyn Fn() -> bool + Sync),
}

/// The npm cache: the caller's `npm_config_cache`, else `<cache>/npm`.
fn npm_cache(cache: &Path) -> PathBuf {
    std::env::var_os("npm_config_cache")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| cache.join("npm"))
}

/// Whether `npm` runs.
fn npm_available() -> bool {
    Command::new("npm")
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs the stage: skipped when the project has no client, failed when
/// npm is missing or a step fails.
pub(crate) fn stage(run: &ClientRun<'_>) -> Result<StageReport, GateError> {
    let dir = run.project.dir.join(CLIENT_DIR);
    if !dir.join("package.json").is_file() {
        return Ok(StageReport::skipped(
            "client",
            format!("the project has no {CLIENT_DIR}/package.json"),
        ));
    }
    let started = Instant::now();
    if !npm_available() {
        return Ok(stage_report(
            "client",
            false,
            started.elapsed(),
            "npm is not installed: install Node.js 20 or later with npm (scripts/setup does)",
        ));
    }
    let npm_cache = npm_cache(run.cache);
    let mut log = String::new();
    let mut success = true;
    for (name, args, timeout) in STEPS {
        let mut cmd = Command::new("npm");
        cmd.args(args)
            .current_dir(&dir)
            .stdin(Stdio::null())
            .process_group(0)
            .env("npm_config_cache", &npm_cache)
            .env("npm_config_update_notifier", "false")
            .env("API_URL", format!("http://127.0.0.1:{}", run.port));
        if let Some((email, password)) = &run.admin {
            cmd.env("ADMIN_EMAIL", email)
                .env("ADMIN_PASSWORD", password);
        }
        let path = run.logs.join(format!("client-{name}.log"));
        let outcome = run_logged(cmd, &path, Duration::from_secs(timeout), run.stopped)?;
        log.push_str(&format!("$ npm {}\n{}\n", args.join(" "), outcome.log));
        if !outcome.success {
            success = false;
            break;
        }
    }
    Ok(stage_report("client", success, started.elapsed(), &log))
}
