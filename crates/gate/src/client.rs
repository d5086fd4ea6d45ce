//! The `client` stage: the project's typed TypeScript client
//! (`clients/ts/`) installs with `npm ci`, builds (`npm run build`: its
//! types generated from the project's OpenAPI document, then `tsc`), lints
//! (`npm run lint`: ESLint with typescript-eslint's strict type-checked
//! rules, then Prettier's check) and passes its own tests (`npm run test:run`: the built tests) against the
//! app the gate is running (`API_URL`), signed in where it needs an admin
//! as an account the gate creates (`ADMIN_EMAIL`, `ADMIN_PASSWORD`). npm keeps its downloads under the gate's cache
//! (`<cache>/npm`, or the caller's `npm_config_cache`), so warm runs
//! install from disk.

use std::ffi::OsString;
use std::path::Path;
use std::time::Instant;

use crate::npm::{self, Step, StepRun};
use crate::{stage_report, GateError, Project, StageReport};

use render::docs::client_ts::CLIENT_DIR;

/// The steps, each an npm command with its timeout in seconds.
const STEPS: [Step; 4] = [
    (
        "install",
        &["ci", "--no-audit", "--no-fund", "--prefer-offline"],
        600,
    ),
    ("build", &["run", "build"], 300),
    ("lint", &["run", "lint"], 180),
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
    if !npm::available() {
        return Ok(stage_report(
            "client",
            false,
            started.elapsed(),
            "npm is not installed: install Node.js 20 or later with npm (scripts/setup does)",
        ));
    }
    let mut env: Vec<(String, OsString)> = vec![(
        "API_URL".into(),
        format!("http://127.0.0.1:{}", run.port).into(),
    )];
    if let Some((email, password)) = &run.admin {
        env.push(("ADMIN_EMAIL".into(), email.into()));
        env.push(("ADMIN_PASSWORD".into(), password.into()));
    }
    let steps = npm::run_steps(
        &StepRun {
            dir: &dir,
            cache: run.cache,
            logs: run.logs,
            prefix: "client",
            env: &env,
            stopped: run.stopped,
        },
        &STEPS,
    )?;
    Ok(stage_report(
        "client",
        steps.success,
        started.elapsed(),
        &steps.log,
    ))
}

/// Builds the typed client (`npm ci` when `node_modules` is missing, then
/// `npm run build`) when its `dist/` is missing: the mobile app depends on
/// the built package. `Ok(Err(reason))` when a step failed.
pub(crate) fn ensure_built(
    project: &Project,
    cache: &Path,
    logs: &Path,
    stopped: &(dyn Fn() -> bool + Sync),
) -> Result<Result<(), String>, GateError> {
    let dir = project.dir.join(CLIENT_DIR);
    if dir.join("dist/src/index.js").is_file() {
        return Ok(Ok(()));
    }
    let steps: &[Step] = if dir.join("node_modules").is_dir() {
        &STEPS[1..2]
    } else {
        &STEPS[..2]
    };
    let run = npm::run_steps(
        &StepRun {
            dir: &dir,
            cache,
            logs,
            prefix: "client",
            env: &[],
            stopped,
        },
        steps,
    )?;
    Ok(if run.success {
        Ok(())
    } else {
        Err(format!(
            "the typed client ({CLIENT_DIR}) did not build: `{}` failed\n{}",
            run.failed.unwrap_or("build"),
            run.log
        ))
    })
}
