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
use std::time::Duration;

use crate::npm::{self, AppSide, Prepare, Prepared, Reuse, Step, StepRun};
use crate::{stage_report, GateError, Project, StageReport};

use render::docs::client_ts::CLIENT_DIR;

/// The steps, each an npm command with its timeout in seconds.
const STEPS: [Step; 4] = [
    npm::install(600),
    ("build", &["run", "build"], 300, Reuse::Never),
    npm::LINT,
    ("test", &["run", "test:run"], 300, Reuse::Never),
];

/// What the stage needs.
pub(crate) struct ClientRun<'a> {
    /// The app the tests run against.
    pub app: AppSide<'a>,
    /// An admin account the tests may sign in as, when one could be made.
    pub admin: Option<(String, String)>,
}

/// How many of [`STEPS`] need no running app: they run ahead of it
/// ([`prepare`]).
const AHEAD: usize = 3;

/// The steps that need no running app (install, build, lint), run ahead
/// of it: the stage's report instead when the project has no client
/// (skipped) or npm is missing (failed).
pub(crate) fn prepare(run: &Prepare<'_>) -> Result<Prepared, GateError> {
    let dir = run.project.dir.join(CLIENT_DIR);
    if !dir.join("package.json").is_file() {
        return Ok(Err(StageReport::skipped(
            "client",
            format!("the project has no {CLIENT_DIR}/package.json"),
        )));
    }
    if !npm::available() {
        return Ok(Err(stage_report(
            "client",
            false,
            Duration::ZERO,
            "npm is not installed: install Node.js 20 or later with npm (scripts/setup does)",
        )));
    }
    Ok(Ok(npm::run_steps(
        &run.steps(&dir, "client", &[]),
        &STEPS[..AHEAD],
    )?))
}

/// Runs the stage on what [`prepare`] did: the tests against the app, when
/// every step before them passed.
pub(crate) fn stage(run: &ClientRun<'_>, prepared: Prepared) -> Result<StageReport, GateError> {
    let mut steps = match prepared {
        Ok(steps) => steps,
        Err(report) => return Ok(report),
    };
    if steps.success {
        let mut env: Vec<(String, OsString)> = vec![("API_URL".into(), run.app.base_url().into())];
        npm::push_account(&mut env, "ADMIN", run.admin.as_ref());
        steps.then(run.app.run(CLIENT_DIR, "client", &env, &STEPS[AHEAD..])?);
    }
    Ok(npm::report("client", steps, ""))
}

/// Builds the typed client (`npm ci` unless `node_modules` was installed
/// from its lock file, then `npm run build`) when its `dist/` is missing: the mobile app depends on
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
    let run = npm::run_steps(
        &StepRun {
            dir: &dir,
            cache,
            logs,
            prefix: "client",
            env: &[],
            stopped,
            sources: &project.dir.join(crate::reuse::SOURCES),
            fresh: false,
        },
        &STEPS[..2],
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
