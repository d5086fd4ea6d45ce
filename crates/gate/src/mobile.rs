//! The `mobile` stage: the project's mobile app (`clients/mobile/`, Expo)
//! installs with `npm ci` (with the typed client it depends on built
//! first, when the `client` stage has not), type-checks (`tsc --noEmit`),
//! lints (`npm run lint`: ESLint and Prettier, as in the `client` stage),
//! passes its jest-expo tests, exports its web build (`expo export
//! --platform web` into `dist/`), and passes its browser tests
//! (Playwright, one headless Chromium, one worker) on that build against
//! the app the gate is running: `e2e/serve.mjs` serves the build on a
//! free loopback port and passes the API's paths on to the app, so the
//! page and the API share one origin. The tests sign in as an account of
//! the model's first admin role the gate makes (`ADMIN_EMAIL`,
//! `ADMIN_PASSWORD`). Chromium is the `admin` stage's
//! ([`crate::admin::chromium`]); screenshots of failures go to
//! `.archgen/gate/mobile-e2e/`. Expo runs offline and without telemetry.

use std::ffi::OsString;
use std::path::Path;
use std::time::Instant;

use crate::admin::{chromium, Account};
use crate::npm::{self, Step, StepRun};
use crate::process::free_port;
use crate::{client, stage_report, GateError, Project, StageReport};

use render::docs::mobile_app::MOBILE_DIR;

/// The steps, each an npm command with its timeout in seconds.
const STEPS: [Step; 6] = [
    (
        "install",
        &["ci", "--no-audit", "--no-fund", "--prefer-offline"],
        900,
    ),
    ("typecheck", &["exec", "--no", "--", "tsc", "--noEmit"], 180),
    ("lint", &["run", "lint"], 180),
    ("test", &["exec", "--no", "--", "jest", "--ci"], 300),
    (
        "export",
        &["exec", "--no", "--", "expo", "export", "--platform", "web"],
        300,
    ),
    ("e2e", &["exec", "--no", "--", "playwright", "test"], 300),
];

/// What the stage needs.
pub(crate) struct MobileRun<'a> {
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
    /// Whether the run was stopped.
    pub stopped: &'a (dyn Fn() -> bool + Sync),
}

/// Whether the project has a mobile app.
pub(crate) fn has_app(project: &Project) -> bool {
    project.dir.join(MOBILE_DIR).join("package.json").is_file()
}

/// Runs the stage: skipped when the project has no mobile app, or npm or
/// Chromium is missing; failed when the typed client does not build or a
/// step fails.
pub(crate) fn stage(run: &MobileRun<'_>) -> Result<StageReport, GateError> {
    if !has_app(run.project) {
        return Ok(StageReport::skipped(
            "mobile",
            format!("the project has no {MOBILE_DIR}/package.json"),
        ));
    }
    if !npm::available() {
        return Ok(StageReport::skipped(
            "mobile",
            "npm is not installed: install Node.js 20.19.4 or later with npm (scripts/setup does)",
        ));
    }
    let Some(chromium) = chromium() else {
        return Ok(StageReport::skipped(
            "mobile",
            "Chromium is not installed: set CHROMIUM_PATH or install chromium (scripts/setup does)",
        ));
    };
    let started = Instant::now();
    if let Err(reason) = client::ensure_built(run.project, run.cache, run.logs, run.stopped)? {
        return Ok(stage_report("mobile", false, started.elapsed(), &reason));
    }
    let output = run.logs.join("mobile-e2e");
    let mut env: Vec<(String, OsString)> = vec![
        ("CI".into(), "1".into()),
        ("EXPO_OFFLINE".into(), "1".into()),
        ("EXPO_NO_TELEMETRY".into(), "1".into()),
        ("CHROMIUM_PATH".into(), chromium.into()),
        ("E2E_OUTPUT".into(), output.clone().into()),
        (
            "API_URL".into(),
            format!("http://127.0.0.1:{}", run.port).into(),
        ),
        ("MOBILE_WEB_PORT".into(), free_port()?.to_string().into()),
    ];
    if let Some((email, password)) = &run.admin {
        env.push(("ADMIN_EMAIL".into(), email.into()));
        env.push(("ADMIN_PASSWORD".into(), password.into()));
    }
    let steps = npm::run_steps(
        &StepRun {
            dir: &run.project.dir.join(MOBILE_DIR),
            cache: run.cache,
            logs: run.logs,
            prefix: "mobile",
            env: &env,
            stopped: run.stopped,
        },
        &STEPS,
    )?;
    let mut log = steps.log;
    if steps.failed == Some("e2e") {
        log.push_str(&format!(
            "screenshots of the failures: {}\n",
            output.display()
        ));
    }
    if let Some(note) = npm::flaky_note(&log) {
        log.push_str(&note);
    }
    log.push_str(&format!("times: {}\n", steps.times));
    Ok(stage_report(
        "mobile",
        steps.success,
        started.elapsed(),
        &log,
    ))
}
