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
use std::time::Instant;

use crate::admin::{chromium, Account};
use crate::npm::{self, AppSide, Prepare, Prepared, Reuse, Step};
use crate::process::free_port;
use crate::{client, stage_report, GateError, Project, StageReport};

use render::docs::mobile_app::MOBILE_DIR;

/// The steps, each an npm command with its timeout in seconds.
const STEPS: [Step; 6] = [
    npm::install(900),
    npm::TYPECHECK,
    npm::LINT,
    // Unit tests against a fake API: they read files only.
    (
        "test",
        &["exec", "--no", "--", "jest", "--ci"],
        300,
        Reuse::Unchanged,
    ),
    (
        "export",
        &["exec", "--no", "--", "expo", "export", "--platform", "web"],
        300,
        Reuse::Never,
    ),
    (
        "e2e",
        &["exec", "--no", "--", "playwright", "test"],
        300,
        Reuse::Never,
    ),
];

/// What the stage needs.
pub(crate) struct MobileRun<'a> {
    /// The app the tests run against.
    pub app: AppSide<'a>,
    /// An account of the model's first admin role, when one could be made.
    pub admin: Option<Account>,
}

/// Whether the project has a mobile app.
pub(crate) fn has_app(project: &Project) -> bool {
    project.dir.join(MOBILE_DIR).join("package.json").is_file()
}

/// How many of [`STEPS`] need no running app: they run ahead of it
/// ([`prepare`]).
const AHEAD: usize = 5;

/// Expo's settings for every step: offline, no telemetry.
fn expo_env() -> Vec<(String, OsString)> {
    vec![
        ("CI".into(), "1".into()),
        ("EXPO_OFFLINE".into(), "1".into()),
        ("EXPO_NO_TELEMETRY".into(), "1".into()),
    ]
}

/// The steps that need no running app (install, type check, lint, unit
/// tests, web export), run ahead of it after the typed client is built:
/// the stage's report instead when it is skipped (no mobile app, npm or
/// Chromium missing) or the typed client does not build.
pub(crate) fn prepare(run: &Prepare<'_>) -> Result<Prepared, GateError> {
    if !has_app(run.project) {
        return Ok(Err(StageReport::skipped(
            "mobile",
            format!("the project has no {MOBILE_DIR}/package.json"),
        )));
    }
    if !npm::available() {
        return Ok(Err(StageReport::skipped(
            "mobile",
            "npm is not installed: install Node.js 20.19.4 or later with npm (scripts/setup does)",
        )));
    }
    if chromium().is_none() {
        return Ok(Err(StageReport::skipped(
            "mobile",
            "Chromium is not installed: set CHROMIUM_PATH or install chromium (scripts/setup does)",
        )));
    }
    let started = Instant::now();
    if let Err(reason) = client::ensure_built(run.project, run.cache, run.logs, run.stopped)? {
        return Ok(Err(stage_report(
            "mobile",
            false,
            started.elapsed(),
            &reason,
        )));
    }
    let dir = run.project.dir.join(MOBILE_DIR);
    let env = expo_env();
    Ok(Ok(npm::run_steps(
        &run.steps(&dir, "mobile", &env),
        &STEPS[..AHEAD],
    )?))
}

/// Runs the stage on what [`prepare`] did: the browser tests on the web
/// export against the app, when every step before them passed.
pub(crate) fn stage(run: &MobileRun<'_>, prepared: Prepared) -> Result<StageReport, GateError> {
    let mut steps = match prepared {
        Ok(steps) => steps,
        Err(report) => return Ok(report),
    };
    let output = run.app.logs.join("mobile-e2e");
    if steps.success {
        let mut env = expo_env();
        env.extend([
            (
                "CHROMIUM_PATH".into(),
                chromium().unwrap_or_default().into(),
            ),
            ("E2E_OUTPUT".into(), output.clone().into()),
            ("API_URL".into(), run.app.base_url().into()),
            ("MOBILE_WEB_PORT".into(), free_port()?.to_string().into()),
        ]);
        npm::push_account(&mut env, "ADMIN", run.admin.as_ref());
        steps.then(run.app.run(MOBILE_DIR, "mobile", &env, &STEPS[AHEAD..])?);
    }
    let mut extra = String::new();
    if steps.failed == Some("e2e") {
        extra.push_str(&format!(
            "screenshots of the failures: {}\n",
            output.display()
        ));
    }
    if let Some(note) = npm::flaky_note(&steps.log) {
        extra.push_str(&note);
    }
    Ok(npm::report("mobile", steps, &extra))
}
