//! The `admin` stage: the project's admin web app (`clients/admin/`)
//! installs with `npm ci`, type-checks (`tsc --noEmit`), builds (`vite
//! build` into `dist/`), and passes its browser tests (Playwright, one
//! headless Chromium, one worker) against the app the gate is running,
//! which serves the fresh build at `/admin/`, same origin as the API. The
//! tests sign in as accounts the gate creates: one of the model's first
//! admin role (`ADMIN_EMAIL`, `ADMIN_PASSWORD`) and, when the model has
//! one, one of a less privileged role (`USER_EMAIL`, `USER_PASSWORD`).
//! Chromium is Debian's (`CHROMIUM_PATH`, else `chromium` on the PATH):
//! Playwright downloads no browser. Screenshots of failures go to
//! `.archgen/gate/admin-e2e/`. npm keeps its downloads under the gate's
//! cache, as the `client` stage does.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::process::run_logged;
use crate::{stage_report, GateError, Project, StageReport};

use render::docs::admin_app::ADMIN_DIR;

/// The steps, each an npm command with its timeout in seconds.
const STEPS: [(&str, &[&str], u64); 4] = [
    (
        "install",
        &["ci", "--no-audit", "--no-fund", "--prefer-offline"],
        600,
    ),
    ("typecheck", &["exec", "--no", "--", "tsc", "--noEmit"], 180),
    ("build", &["exec", "--no", "--", "vite", "build"], 180),
    ("test", &["exec", "--no", "--", "playwright", "test"], 300),
];

/// An account the browser tests sign in as: email and password.
pub(crate) type Account = (String, String);

/// What the stage needs.
pub(crate) struct AdminRun<'a> {
    /// The project.
    pub project: &'a Project,
    /// The gate's cache directory.
    pub cache: &'a Path,
    /// Where the logs go.
    pub logs: &'a Path,
    /// The running app's port.
    pub port: u16,
    /// An account of the model's first admin role, when one could be made.
    pub admin: Option<Account>,
    /// An account of the less privileged role the tests use, when the
    /// model has one and it could be made.
    pub user: Option<Account>,
    /// Whether the run was stopped.
    pub stopped: &'a (dyn Fn() -> bool + Sync),
}

/// The Chromium the tests drive: `CHROMIUM_PATH`, else `chromium` or
/// `chromium-browser` on the PATH.
pub fn chromium() -> Option<PathBuf> {
    if let Some(named) = std::env::var_os("CHROMIUM_PATH").filter(|v| !v.is_empty()) {
        let path = PathBuf::from(named);
        return path.is_file().then_some(path);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| [dir.join("chromium"), dir.join("chromium-browser")])
        .find(|p| p.is_file())
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

/// Builds the project's admin app into `clients/admin/dist/`, where the
/// backend serves it at `/admin/` (for `archgen preview`): `npm ci` when
/// `node_modules` is missing or older than `package-lock.json`, then `vite
/// build`. `Ok(Err(reason))` when the project has no admin app, npm is
/// missing or a step failed (the reason names the log).
pub(crate) fn build(
    project: &Project,
    cache: &Path,
    logs: &Path,
    stopped: &(dyn Fn() -> bool + Sync),
) -> Result<Result<Duration, String>, GateError> {
    let dir = project.dir.join(ADMIN_DIR);
    if !has_app(project) {
        return Ok(Err(format!("the project has no {ADMIN_DIR}/package.json")));
    }
    if !npm_available() {
        return Ok(Err(
            "npm is not installed: install Node.js 20.19 or later with npm".into(),
        ));
    }
    let started = Instant::now();
    let modified = |path: PathBuf| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let installed = match (
        modified(dir.join("node_modules/.package-lock.json")),
        modified(dir.join("package-lock.json")),
    ) {
        (Some(installed), Some(locked)) => installed >= locked,
        _ => false,
    };
    let npm_cache = std::env::var_os("npm_config_cache")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| cache.join("npm"));
    for (name, args, timeout) in STEPS {
        if name == "typecheck" || name == "test" || (name == "install" && installed) {
            continue;
        }
        let mut cmd = Command::new("npm");
        cmd.args(args)
            .current_dir(&dir)
            .stdin(Stdio::null())
            .process_group(0)
            .env("npm_config_cache", &npm_cache)
            .env("npm_config_update_notifier", "false")
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        let path = logs.join(format!("admin-{name}.log"));
        let outcome = run_logged(cmd, &path, Duration::from_secs(timeout), stopped)?;
        if !outcome.success {
            return Ok(Err(format!(
                "`npm {}` failed; its log is {}",
                args.join(" "),
                path.display()
            )));
        }
    }
    Ok(Ok(started.elapsed()))
}

/// Whether the project has an admin app.
pub(crate) fn has_app(project: &Project) -> bool {
    project.dir.join(ADMIN_DIR).join("package.json").is_file()
}

/// Runs the stage: skipped when the project has no admin app, or npm or
/// Chromium is missing; failed when a step fails.
pub(crate) fn stage(run: &AdminRun<'_>) -> Result<StageReport, GateError> {
    let dir = run.project.dir.join(ADMIN_DIR);
    if !has_app(run.project) {
        return Ok(StageReport::skipped(
            "admin",
            format!("the project has no {ADMIN_DIR}/package.json"),
        ));
    }
    if !npm_available() {
        return Ok(StageReport::skipped(
            "admin",
            "npm is not installed: install Node.js 20.19 or later with npm (scripts/setup does)",
        ));
    }
    let Some(chromium) = chromium() else {
        return Ok(StageReport::skipped(
            "admin",
            "Chromium is not installed: set CHROMIUM_PATH or install chromium (scripts/setup does)",
        ));
    };
    let started = Instant::now();
    let npm_cache = std::env::var_os("npm_config_cache")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| run.cache.join("npm"));
    let output = run.logs.join("admin-e2e");
    let mut log = String::new();
    let mut times = Vec::new();
    let mut success = true;
    for (name, args, timeout) in STEPS {
        let mut cmd = Command::new("npm");
        cmd.args(args)
            .current_dir(&dir)
            .stdin(Stdio::null())
            .process_group(0)
            .env("npm_config_cache", &npm_cache)
            .env("npm_config_update_notifier", "false")
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
            .env("CI", "1")
            .env("CHROMIUM_PATH", &chromium)
            .env("E2E_OUTPUT", &output)
            .env("ADMIN_URL", format!("http://127.0.0.1:{}/admin/", run.port));
        for (prefix, account) in [("ADMIN", &run.admin), ("USER", &run.user)] {
            if let Some((email, password)) = account {
                cmd.env(format!("{prefix}_EMAIL"), email)
                    .env(format!("{prefix}_PASSWORD"), password);
            }
        }
        let path = run.logs.join(format!("admin-{name}.log"));
        let step = Instant::now();
        let outcome = run_logged(cmd, &path, Duration::from_secs(timeout), run.stopped)?;
        times.push(format!("{name} {:.1} s", step.elapsed().as_secs_f64()));
        log.push_str(&format!("$ npm {}\n{}\n", args.join(" "), outcome.log));
        if !outcome.success {
            success = false;
            if name == "test" {
                log.push_str(&format!(
                    "screenshots of the failures: {}\n",
                    output.display()
                ));
            }
            break;
        }
    }
    log.push_str(&format!("times: {}\n", times.join(", ")));
    Ok(stage_report("admin", success, started.elapsed(), &log))
}
