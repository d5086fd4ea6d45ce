//! The `admin` stage: the project's admin web app (`clients/admin/`)
//! installs with `npm ci`, type-checks (`tsc --noEmit`), lints (`npm run
//! lint`: ESLint and Prettier, as in the `client` stage), builds (`vite
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

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::npm::{self, AppSide, Prepare, Prepared, Reuse, Step, StepRun};
use crate::{GateError, Project, StageReport};

use render::docs::admin_app::ADMIN_DIR;

/// The steps, each an npm command with its timeout in seconds.
const STEPS: [Step; 5] = [
    npm::install(600),
    npm::TYPECHECK,
    npm::LINT,
    (
        "build",
        &["exec", "--no", "--", "vite", "build"],
        300,
        Reuse::Never,
    ),
    (
        "test",
        &["exec", "--no", "--", "playwright", "test"],
        300,
        Reuse::Never,
    ),
];

/// An account the browser tests sign in as: email and password.
pub(crate) type Account = (String, String);

/// What the stage needs.
pub(crate) struct AdminRun<'a> {
    /// The app the tests run against.
    pub app: AppSide<'a>,
    /// An account of the model's first admin role, when one could be made.
    pub admin: Option<Account>,
    /// An account of the less privileged role the tests use, when the
    /// model has one and it could be made.
    pub user: Option<Account>,
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

/// Builds the project's admin app into `clients/admin/dist/`, where the
/// backend serves it at `/admin/` (for `archgen preview`): `npm ci` unless
/// `node_modules` was installed from `package-lock.json` as it is, then
/// `vite build`. `Ok(Err(reason))` when the project has no admin app, npm is
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
    if !npm::available() {
        return Ok(Err(
            "npm is not installed: install Node.js 20.19 or later with npm".into(),
        ));
    }
    let started = Instant::now();
    let steps: Vec<Step> = STEPS
        .into_iter()
        .filter(|(name, ..)| ["install", "build"].contains(name))
        .collect();
    let run = npm::run_steps(
        &StepRun {
            dir: &dir,
            cache,
            logs,
            prefix: "admin",
            env: &[],
            stopped,
            sources: &project.dir.join(crate::reuse::SOURCES),
            fresh: false,
        },
        &steps,
    )?;
    if let Some(failed) = run.failed {
        return Ok(Err(format!(
            "`{failed}` failed; its log is {}",
            logs.join(format!("admin-{failed}.log")).display()
        )));
    }
    Ok(Ok(started.elapsed()))
}

/// Whether the project has an admin app.
pub(crate) fn has_app(project: &Project) -> bool {
    project.dir.join(ADMIN_DIR).join("package.json").is_file()
}

/// How many of [`STEPS`] need no running app: they run ahead of it
/// ([`prepare`]).
const AHEAD: usize = 4;

/// The steps that need no running app (install, type check, lint,
/// build), run ahead of it: the stage's report instead when it is skipped
/// (no admin app, npm or Chromium missing).
pub(crate) fn prepare(run: &Prepare<'_>) -> Result<Prepared, GateError> {
    if !has_app(run.project) {
        return Ok(Err(StageReport::skipped(
            "admin",
            format!("the project has no {ADMIN_DIR}/package.json"),
        )));
    }
    if !npm::available() {
        return Ok(Err(StageReport::skipped(
            "admin",
            "npm is not installed: install Node.js 20.19 or later with npm (scripts/setup does)",
        )));
    }
    if chromium().is_none() {
        return Ok(Err(StageReport::skipped(
            "admin",
            "Chromium is not installed: set CHROMIUM_PATH or install chromium (scripts/setup does)",
        )));
    }
    let dir = run.project.dir.join(ADMIN_DIR);
    let env = [("CI".to_string(), OsString::from("1"))];
    Ok(Ok(npm::run_steps(
        &run.steps(&dir, "admin", &env),
        &STEPS[..AHEAD],
    )?))
}

/// Runs the stage on what [`prepare`] did: the browser tests against the
/// app, when every step before them passed.
pub(crate) fn stage(run: &AdminRun<'_>, prepared: Prepared) -> Result<StageReport, GateError> {
    let mut steps = match prepared {
        Ok(steps) => steps,
        Err(report) => return Ok(report),
    };
    let output = run.app.logs.join("admin-e2e");
    if steps.success {
        let mut env: Vec<(String, OsString)> = vec![
            ("CI".into(), "1".into()),
            (
                "CHROMIUM_PATH".into(),
                chromium().unwrap_or_default().into(),
            ),
            ("E2E_OUTPUT".into(), output.clone().into()),
            (
                "ADMIN_URL".into(),
                format!("{}/admin/", run.app.base_url()).into(),
            ),
        ];
        npm::push_account(&mut env, "ADMIN", run.admin.as_ref());
        npm::push_account(&mut env, "USER", run.user.as_ref());
        steps.then(run.app.run(ADMIN_DIR, "admin", &env, &STEPS[AHEAD..])?);
    }
    let mut extra = String::new();
    if steps.failed == Some("test") {
        extra.push_str(&format!(
            "screenshots of the failures: {}\n",
            output.display()
        ));
    }
    if let Some(note) = npm::flaky_note(&steps.log) {
        extra.push_str(&note);
    }
    Ok(npm::report("admin", steps, &extra))
}
