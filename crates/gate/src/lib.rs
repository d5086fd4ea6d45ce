//! The archgen quality gate.
//!
//! Runs a generated project through its stack's verification plan (install,
//! migrate, lint, test, run) against a throwaway PostgreSQL database, then
//! runs the stack-neutral [conformance suite](conformance), the project's
//! typed client's own tests ([`client`]), the admin app's browser tests
//! ([`admin`]), the mobile app's checks and browser tests ([`mobile`]) and
//! schemathesis ([`fuzz`])
//! against the running app, scans the project's
//! files for what no backend should ship ([`scan`]), and scores it all in a
//! [`QualityReport`] (`docs/quality-gate.md`).
//!
//! # Warm runs
//!
//! A second run on the same project does not redo what cannot have
//! changed: dependency downloads come from the cache ([`cache_dir`]), an
//! npm install is skipped when `node_modules` was installed from the same
//! `package-lock.json` by the same Node.js, and a TypeScript check that
//! only reads files (a type check, a lint, the mobile app's unit tests)
//! is skipped when it passed before on exactly the same files of
//! `clients/` (a SHA-256 of them, its command and the Node.js version).
//! The project's own tests (the `test` stage) are not run again when they
//! passed on exactly the same backend files (all but `clients/`, the
//! virtualenv and the tools' caches), make target, Python, Node.js and
//! PostgreSQL server. A whole run is not made again when an earlier one
//! passed on exactly the same inputs (the project's files, its model, the
//! stack's plan, the running gate program, the toolchain, Node.js and the
//! PostgreSQL server): its report stands, with
//! [`QualityReport::reused_from`] saying when it was made. Otherwise builds
//! and everything that talks to the running app always run; each stage's
//! [`StageReport::steps`] says which steps were reused, and
//! [`VerifyOptions::fresh`] reuses nothing.
//!
//! ```no_run
//! use std::path::Path;
//! let engine = render::Engine::with_builtins();
//! let project = gate::Project::load(Path::new("tasks"), None, &engine).unwrap();
//! let stack = engine.stack(&project.stack).unwrap();
//! let report = gate::verify(&project, stack, &gate::VerifyOptions::default(), &gate::Quiet).unwrap();
//! println!("passed: {}, score {}", report.passed, report.score);
//! ```

#![warn(missing_docs)]

pub mod admin;
pub mod client;
pub mod conformance;
pub mod db;
mod error;
pub mod faults;
pub mod fuzz;
pub mod locate;
pub mod mobile;
mod npm;
pub mod preview;
mod process;
pub mod provider;
pub mod report;
mod reuse;
pub mod scan;

pub use error::GateError;
pub use report::{
    CheckResult, Finding, QualityReport, Severity, StageDetail, StageReport, StageStatus, StepTime,
};

use base64::Engine as _;
use blueprint_core::graph::Blueprint;
use model::AppModel;
use process::{make_command, run_logged, tail, Server};
use stacks::Stack;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How many lines of a stage's output the report keeps.
const EXCERPT_LINES: usize = 40;

/// A generated project, the blueprint it was generated from and its
/// application model.
#[derive(Debug, Clone)]
pub struct Project {
    /// The project directory.
    pub dir: PathBuf,
    /// The complete blueprint (lowered, compliance woven in).
    pub blueprint: Blueprint,
    /// The application model of the complete blueprint, which the
    /// conformance suite checks the app against.
    pub model: AppModel,
    /// The stack it was generated with (the spec's `stack`).
    pub stack: String,
}

impl Project {
    /// A project directory with its spec: `spec` when given, else the one
    /// archgen kept in [`render::write::SPEC_PATH`] when it generated the
    /// project. The spec is checked, and its blueprint completed, by the
    /// engine the project was generated with ([`render::Engine::parse_file`],
    /// [`render::Engine::complete`]): its stacks and vendors are known, and
    /// its compliance rules rebuild the same blueprint.
    ///
    /// ```
    /// let empty = tempfile::tempdir().unwrap();
    /// let engine = render::Engine::with_builtins();
    /// let err = gate::Project::load(empty.path(), None, &engine).unwrap_err();
    /// assert!(err.to_string().contains(".archgen/spec.yaml"));
    /// ```
    ///
    /// # Errors
    ///
    /// [`GateError::NotAProject`] when there is no spec to read;
    /// [`GateError::Spec`] when it does not parse or names what the engine
    /// does not know; [`GateError::Render`] when its compliance controls
    /// cannot be woven.
    pub fn load(
        dir: &Path,
        spec: Option<&Path>,
        engine: &render::Engine,
    ) -> Result<Project, GateError> {
        if !dir.is_dir() {
            return Err(GateError::NotAProject {
                path: dir.to_path_buf(),
                reason: "no such directory".into(),
            });
        }
        let spec_path = match spec {
            Some(p) => p.to_path_buf(),
            None => {
                let kept = dir.join(render::write::SPEC_PATH);
                if !kept.is_file() {
                    return Err(GateError::NotAProject {
                        path: dir.to_path_buf(),
                        reason: format!("it has no {}", render::write::SPEC_PATH),
                    });
                }
                kept
            }
        };
        let checked = engine.parse_file(&spec_path).map_err(|e| GateError::Spec {
            path: spec_path.clone(),
            reason: match e {
                blueprint_core::spec::LoadError::Invalid(errors) => {
                    blueprint_core::diag::summary(&errors.diagnostics)
                }
                other => other.to_string(),
            },
        })?;
        Project::from_spec(dir, &checked.spec, engine)
    }

    /// A project directory generated from a spec in hand, its blueprint
    /// completed with the engine's compliance analyzer.
    ///
    /// ```
    /// let spec = blueprint_core::builder::SpecBuilder::new("tasks").with_entity("Task", |e| e).spec();
    /// let engine = render::Engine::with_builtins();
    /// let project = gate::Project::from_spec(std::path::Path::new("tasks"), &spec, &engine).unwrap();
    /// assert_eq!(project.stack, "python-fastapi");
    /// assert!(project.blueprint.element_by_str("req.csrf-protection").is_some());
    /// ```
    ///
    /// # Errors
    ///
    /// [`GateError::Render`] when the compliance controls cannot be woven.
    pub fn from_spec(
        dir: &Path,
        spec: &blueprint_core::spec::Spec,
        engine: &render::Engine,
    ) -> Result<Project, GateError> {
        let (blueprint, _) = engine.complete(spec)?;
        Ok(Project {
            dir: dir.to_path_buf(),
            model: engine.app_model(&blueprint, &spec.stack)?,
            blueprint,
            stack: spec.stack.clone(),
        })
    }
}

/// Settings of a gate run.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// A database server the gate may create a database on (any database
    /// URL of it); without one the gate starts its own cluster.
    pub database_url: Option<String>,
    /// Keep the database on the given server after the run.
    pub keep_db: bool,
    /// Where dependency caches live ([`cache_dir`] when unset).
    pub cache_dir: Option<PathBuf>,
    /// Leave out the `fuzz` stage ([`fuzz`]): it is reported as skipped.
    /// For runs that judge something else and would only wait for it.
    pub skip_fuzz: bool,
    /// Leave out the `faults` stage ([`faults`]): it is reported as
    /// skipped. For runs that judge something else.
    pub skip_faults: bool,
    /// Reuse nothing of an earlier run: every npm install, every step and
    /// the project's own tests run, even where a [warm run](crate#warm-runs)
    /// would skip them.
    pub fresh: bool,
    /// Leave out the `client`, `admin` and `mobile` stages ([`client`],
    /// [`admin`], [`mobile`]):
    /// they are reported as skipped. For runs that judge something else,
    /// or machines without Node.js.
    pub skip_client: bool,
    /// Set it (from a Ctrl-C handler) to stop the run: the app, the cluster
    /// and the database are stopped and dropped, and
    /// [`GateError::Interrupted`] is returned.
    pub cancel: Arc<AtomicBool>,
}

/// What a front end shows while the gate runs (the library never prints).
pub trait Progress {
    /// A stage starts.
    fn stage_started(&self, name: &str);
    /// A stage ended (passed, failed or skipped).
    fn stage_finished(&self, stage: &StageReport);
    /// Something worth telling the user (the database in use, say).
    fn note(&self, message: &str);
}

/// A [`Progress`] that shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Quiet;

impl Progress for Quiet {
    fn stage_started(&self, _: &str) {}
    fn stage_finished(&self, _: &StageReport) {}
    fn note(&self, _: &str) {}
}

/// archgen's cache directory: `$ARCHGEN_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/archgen`, else `~/.cache/archgen`, else `archgen-cache`
/// in the system temp directory.
///
/// ```
/// let packages = gate::cache_dir().join("packages");
/// assert!(packages.ends_with("packages"));
/// ```
pub fn cache_dir() -> PathBuf {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var("ARCHGEN_CACHE_DIR")
        .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("archgen")))
        .or_else(|| var("HOME").map(|d| d.join(".cache").join("archgen")))
        .unwrap_or_else(|| std::env::temp_dir().join("archgen-cache"))
}

/// The stable staging directory `archgen generate --verify` renders a spec
/// into before the gate passes it: one per spec hash and stack, under the
/// cache, so installed dependencies are reused between runs.
///
/// ```
/// let a = gate::staging_dir(std::path::Path::new("/c"), "0123456789abcdef0123", "python-fastapi");
/// assert_eq!(a, std::path::Path::new("/c/staging/0123456789abcdef-python-fastapi"));
/// ```
pub fn staging_dir(cache: &Path, spec_hash: &str, stack: &str) -> PathBuf {
    let short: String = spec_hash.chars().take(16).collect();
    cache.join("staging").join(format!("{short}-{stack}"))
}

/// Holds a staging directory ([`staging_dir`]) for one run: an exclusive
/// lock on `<dir>.lock`, released when the returned file is dropped. A
/// second `archgen generate --verify` of the same spec and stack (another
/// terminal, another CI job on the machine) waits for the first, instead
/// of installing into the same folders at the same time; `waiting` is
/// called once before it waits.
///
/// # Errors
///
/// The lock file cannot be created or locked.
///
/// ```
/// let temp = tempfile::tempdir().unwrap();
/// let held = gate::lock_staging(&temp.path().join("staging"), || {}).unwrap();
/// let other = std::fs::File::options().write(true).open(temp.path().join("staging.lock")).unwrap();
/// assert!(matches!(other.try_lock(), Err(std::fs::TryLockError::WouldBlock)));
/// drop(held);
/// assert!(other.try_lock().is_ok());
/// ```
pub fn lock_staging(dir: &Path, waiting: impl FnOnce()) -> std::io::Result<std::fs::File> {
    let mut name = dir.as_os_str().to_os_string();
    name.push(".lock");
    let path = PathBuf::from(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let file = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            waiting();
            file.lock()?;
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(e),
    }
    Ok(file)
}

/// The environment a project's make targets run with: its database, fresh
/// secrets, loopback on `port`, rate limits out of the way (the gate and
/// the preview send many requests from one address), and the package
/// caches.
pub(crate) fn app_env(
    database_url: &str,
    port: u16,
    caches: Vec<PackageCache>,
) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = vec![
        ("DATABASE_URL".into(), database_url.to_string()),
        ("SECRET_KEY".into(), db::random_hex(32)),
        ("ENCRYPTION_KEYS".into(), random_key()),
        ("COOKIE_SECURE".into(), "false".into()),
        ("PORT".into(), port.to_string()),
        ("HOST".into(), "127.0.0.1".into()),
        ("RATE_LIMIT_CLIENT".into(), "100000".into()),
        ("RATE_LIMIT_USER".into(), "100000".into()),
    ];
    env.extend(
        caches
            .into_iter()
            .map(|c| (c.variable, c.dir.to_string_lossy().into_owned())),
    );
    env
}

/// A password padded (with `x`) to the password control's shortest and
/// cut to its longest.
pub(crate) fn fit_password(mut password: String, params: &model::ControlParams) -> String {
    while (password.chars().count() as u64) < params.password_min_length {
        password.push('x');
    }
    if params.password_max_length >= params.password_min_length.max(1) {
        password = password
            .chars()
            .take(params.password_max_length as usize)
            .collect();
    }
    password
}

fn random_key() -> String {
    let mut key = [0u8; 32];
    if getrandom::fill(&mut key).is_err() {
        let hex = db::random_hex(32);
        key.copy_from_slice(&hex.as_bytes()[..32]);
    }
    base64::engine::general_purpose::URL_SAFE.encode(key)
}

/// Runs the gate on a project: the static scan, then each stage of the
/// stack's verification plan against a throwaway database, then the
/// conformance suite against the app `run` started. Everything started is
/// stopped before it returns, whatever happens.
///
/// ```no_run
/// let engine = render::Engine::with_builtins();
/// let spec = engine.parse_file(std::path::Path::new("tasks.yaml")).unwrap().spec;
/// let project = gate::Project::from_spec(std::path::Path::new("tasks"), &spec, &engine).unwrap();
/// let options = gate::VerifyOptions {
///     database_url: Some("postgresql://postgres@127.0.0.1:5432/postgres".into()),
///     ..gate::VerifyOptions::default()
/// };
/// let stack = stacks::python_fastapi::PythonFastapi;
/// let report = gate::verify(&project, &stack, &options, &gate::Quiet).unwrap();
/// for reason in report.reasons() {
///     eprintln!("{reason}");
/// }
/// ```
///
/// # Errors
///
/// A [`GateError`] when the gate itself cannot run (no PostgreSQL, the
/// disk, an interrupt). A project that fails is an `Ok` report with
/// `passed: false`.
pub fn verify(
    project: &Project,
    stack: &dyn Stack,
    options: &VerifyOptions,
    progress: &dyn Progress,
) -> Result<QualityReport, GateError> {
    let project = &*with_absolute_dir(project)?;
    let mut report = QualityReport::new(&project.blueprint.spec().product.name, stack.id());
    report.findings = scan::scan(&project.dir);

    let logs = project.dir.join(".archgen").join("gate");
    std::fs::create_dir_all(&logs)
        .map_err(|e| GateError::io("cannot create the log directory", &logs, e))?;
    let cache = options.cache_dir.clone().unwrap_or_else(cache_dir);
    let plan = stack.verification();
    let caches = package_caches(
        &plan,
        &cache,
        |k| std::env::var_os(k),
        |c| cache_key(&project.dir, &plan, c, options.fresh),
    );
    for c in &caches {
        std::fs::create_dir_all(&c.dir)
            .map_err(|e| GateError::io("cannot create the cache directory", &c.dir, e))?;
    }
    let shared_installs: Vec<PathBuf> = caches
        .iter()
        .filter(|c| c.shared_install)
        .map(|c| c.dir.clone())
        .collect();

    match &options.database_url {
        Some(_) => progress.note("creating a throwaway database on the given server"),
        None => progress.note(
            "no DATABASE_URL given: starting a throwaway PostgreSQL cluster (removed afterwards)",
        ),
    }
    let database = db::Database::create(options.database_url.as_deref(), options.keep_db)?;
    progress.note(&format!("database `{}`", database.name()));

    // A run on exactly the inputs of an earlier passing run is not made
    // again: its report stands, saying so. A run asked to keep its
    // database is made, so that the database holds what it did.
    let run_key = if options.fresh || options.keep_db {
        None
    } else {
        run_key(project, stack.id(), &plan, &database, options)
    };
    if let Some(earlier) = run_key.as_ref().and_then(|k| reuse::passed_run(&cache, k)) {
        progress.note(
            "reused: the gate passed before on exactly these files, model, toolchain and gate, \
             so its report stands (`--fresh` runs it again)",
        );
        return Ok(earlier);
    }

    let port = process::free_port()?;
    let mut env = app_env(database.url(), port, caches);
    // A project that takes Stripe payments talks to stripe-mock (Stripe's
    // own fake of its API), and its webhook gets a secret the conformance
    // suite signs events with.
    let stripe = StripeFake::start(&project.model, &logs, &mut env, progress);

    // The project's tests and the app run side by side, each on a database
    // of its own, when the plan tests before it runs: the tests empty
    // tables, the app keeps its rows.
    let position = |name: &str| plan.stages.iter().position(|s| s.name == name);
    let concurrent = matches!((position("test"), position("run")), (Some(t), Some(r)) if t < r);
    let migrate = plan.stages.iter().find(|s| s.name == "migrate").cloned();
    let app_database = if concurrent {
        Some(database.sibling()?)
    } else {
        None
    };
    let mut app_env = env.clone();
    // An app with the `oidc` integration builds its login redirect from a
    // provider's discovery document: a loopback stand-in serves one.
    let _discovery = if project
        .model
        .routes
        .iter()
        .any(|r| r.operation == model::Operation::OidcLogin)
    {
        let discovery = provider::Discovery::start()
            .map_err(|e| GateError::io("cannot start the stand-in OpenID provider", &logs, e))?;
        let callback = project
            .model
            .routes
            .iter()
            .find(|r| r.operation == model::Operation::OidcCallback)
            .map_or_else(String::new, |r| {
                format!("http://127.0.0.1:{port}{}", r.path)
            });
        app_env.extend([
            ("OIDC_ISSUER".to_string(), discovery.issuer()),
            ("OIDC_CLIENT_ID".to_string(), "archgen-gate".to_string()),
            ("OIDC_CLIENT_SECRET".to_string(), db::random_hex(16)),
            ("OIDC_REDIRECT_URI".to_string(), callback),
        ]);
        Some(discovery)
    } else {
        None
    };
    if let Some(db) = &app_database {
        for (k, v) in &mut app_env {
            if k == "DATABASE_URL" {
                *v = db.url().to_string();
            }
        }
    }
    // The fuzz stage runs beside the client, admin and mobile stages,
    // against an app of its own on a database of its own: neither sees the
    // other's rows, and schemathesis's requests do not slow the browser
    // tests' app.
    let fuzz_database = if options.skip_fuzz {
        None
    } else {
        Some(database.sibling()?)
    };
    let fuzz_port = process::free_port()?;
    let mut fuzz_env = app_env.clone();
    for (k, v) in &mut fuzz_env {
        match (k.as_str(), &fuzz_database) {
            ("DATABASE_URL", Some(db)) => *v = db.url().to_string(),
            ("PORT", _) => *v = fuzz_port.to_string(),
            _ => {}
        }
    }
    let abort = AtomicBool::new(false);
    let stopped = || options.cancel.load(Ordering::SeqCst) || abort.load(Ordering::SeqCst);
    // The TypeScript surfaces' steps that need no app run ahead of it, in a
    // thread of their own; set when their results are no longer wanted.
    let unwanted = AtomicBool::new(false);
    let ahead_stopped = || stopped() || unwanted.load(Ordering::SeqCst);
    let prepare = npm::Prepare {
        project,
        cache: &cache,
        logs: &logs,
        stopped: &ahead_stopped,
        fresh: options.fresh,
        sources: project.dir.join(reuse::SOURCES),
    };

    let outcome = std::thread::scope(|scope| -> Result<(), GateError> {
        let mut background = None;
        let result = (|| -> Result<(), GateError> {
            // Each stage's steps ahead of the app reach it as they end, the
            // client's first (the mobile app reads its build), so a stage
            // waits for its own steps only.
            let (ready, prepared) = std::sync::mpsc::channel();
            if !options.skip_client {
                let prepare = &prepare;
                scope.spawn(move || {
                    let stages: [npm::PrepareFn; 3] =
                        [client::prepare, admin::prepare, mobile::prepare];
                    for stage in stages {
                        let outcome = stage(prepare);
                        let failed = outcome.is_err();
                        if ready.send(outcome).is_err() || failed {
                            break;
                        }
                    }
                });
            }
            let mut server: Option<Server> = None;
            let mut failed = false;
            for stage in &plan.stages {
                if options.cancel.load(Ordering::SeqCst) {
                    return Err(GateError::Interrupted);
                }
                if failed {
                    let skipped = StageReport::skipped(&stage.name, "an earlier stage failed");
                    progress.stage_finished(&skipped);
                    report.stages.push(skipped);
                    continue;
                }
                progress.stage_started(&stage.name);
                let log_path = logs.join(format!("{}.log", stage.name));
                let timeout = Duration::from_secs(stage.timeout_secs);
                let target = std::slice::from_ref(&stage.make_target);
                // The project's own tests are not run again on exactly the
                // files and toolchain, Node.js and PostgreSQL they passed on.
                let tests_key = (stage.name == "test")
                    .then(|| tests_key(project, &plan.test_inputs, &database, &stage.make_target))
                    .flatten();
                if let Some(key) = tests_key.as_ref().filter(|_| !options.fresh) {
                    if reuse::passed_before(&cache, key) {
                        let reused = reused_tests(&stage.make_target);
                        progress.stage_finished(&reused);
                        report.stages.push(reused);
                        continue;
                    }
                }
                if concurrent && stage.name == "test" {
                    let cmd = make_command(&project.dir, target, &env);
                    let stopped = &stopped;
                    let handle = scope.spawn(move || run_logged(cmd, &log_path, timeout, stopped));
                    background = Some((report.stages.len(), handle, tests_key));
                    report
                        .stages
                        .push(StageReport::skipped(&stage.name, "still running"));
                    continue;
                }
                let result = if stage.name == "run" {
                    run_stage(
                        project,
                        stage,
                        &app_env,
                        migrate.as_ref().filter(|_| concurrent),
                        (&logs, "run"),
                        port,
                        &stopped,
                        &mut server,
                    )?
                } else {
                    // One run at a time installs into an environment that
                    // projects with the same locks share.
                    let _installing = if stage.name == "install" {
                        shared_installs
                            .iter()
                            .map(|dir| {
                                lock_staging(dir, || {
                                    progress.note(&format!(
                                        "waiting for another run's install into {}",
                                        dir.display()
                                    ));
                                })
                                .map_err(|e| GateError::io("cannot lock", dir, e))
                            })
                            .collect::<Result<Vec<_>, _>>()?
                    } else {
                        Vec::new()
                    };
                    let cmd = make_command(&project.dir, target, &env);
                    let outcome = run_logged(cmd, &log_path, timeout, &stopped)?;
                    if let Some(key) = tests_key.as_ref().filter(|_| outcome.success) {
                        reuse::remember(&cache, key, "the project's own tests");
                    }
                    stage_report(&stage.name, outcome.success, outcome.duration, &outcome.log)
                };
                failed = result.status == StageStatus::Failed;
                progress.stage_finished(&result);
                report.stages.push(result);
            }
            let conformance = match &server {
                Some(_) => {
                    progress.stage_started("conformance");
                    conformance_stage(
                        project,
                        app_database.as_ref().unwrap_or(&database),
                        &stripe,
                        &plan.create_user,
                        &app_env,
                        &logs,
                        port,
                        options,
                        &stopped,
                    )
                }
                None => StageReport::skipped("conformance", "the app was not running"),
            };
            if options.cancel.load(Ordering::SeqCst) {
                return Err(GateError::Interrupted);
            }
            progress.stage_finished(&conformance);
            report.stages.push(conformance);
            if server.is_none() {
                unwanted.store(true, Ordering::SeqCst);
            }
            let app_side = npm::AppSide {
                project,
                cache: &cache,
                logs: &logs,
                port,
                stopped: &stopped,
            };
            let fuzzing = match (&server, &fuzz_database) {
                (Some(_), Some(_)) => {
                    progress.stage_started("fuzz");
                    let beside = FuzzBeside {
                        project,
                        plan: &plan,
                        migrate: migrate.as_ref(),
                        env: &fuzz_env,
                        logs: &logs,
                        cache: &cache,
                        port: fuzz_port,
                        stopped: &stopped,
                    };
                    Some(scope.spawn(move || fuzz_beside(&beside)))
                }
                _ => None,
            };
            // The next stage's steps ahead of the app, once they ended;
            // `None` when the app is not running (nothing waits for them).
            let next_prepared = || -> Result<Option<npm::Prepared>, GateError> {
                if server.is_none() || options.skip_client {
                    return Ok(None);
                }
                match prepared.recv() {
                    Ok(outcome) => outcome.map(Some),
                    Err(_) => Err(GateError::Database {
                        what: "the client stages' steps ahead of the app".into(),
                        output: "their thread ended before every stage's steps".into(),
                    }),
                }
            };
            let client = match (&server, next_prepared()?) {
                (Some(_), _) if options.skip_client => {
                    StageReport::skipped("client", "left out by the caller")
                }
                (Some(_), Some(prepared)) => {
                    progress.stage_started("client");
                    let admin = client_admin(project, &plan.create_user, &app_env, &logs, &stopped);
                    client::stage(
                        &client::ClientRun {
                            app: app_side,
                            admin,
                        },
                        prepared,
                    )?
                }
                _ => StageReport::skipped("client", "the app was not running"),
            };
            progress.stage_finished(&client);
            report.stages.push(client);
            let admin_app = match (&server, next_prepared()?) {
                (Some(_), _) if options.skip_client => {
                    StageReport::skipped("admin", "left out by the caller")
                }
                (Some(_), Some(prepared)) => {
                    progress.stage_started("admin");
                    let account = |role: Option<&model::Role>| {
                        if !admin::has_app(project) {
                            return None;
                        }
                        role_account(
                            project,
                            "admin-app",
                            role?,
                            &plan.create_user,
                            &app_env,
                            &logs,
                            &stopped,
                        )
                    };
                    let less = render::docs::admin_app::less_privileged_role(&project.model);
                    admin::stage(
                        &admin::AdminRun {
                            app: app_side,
                            admin: account(project.model.admin_roles().next()),
                            user: account(less),
                        },
                        prepared,
                    )?
                }
                _ => StageReport::skipped("admin", "the app was not running"),
            };
            progress.stage_finished(&admin_app);
            report.stages.push(admin_app);
            let mobile_app = match (&server, next_prepared()?) {
                (Some(_), _) if options.skip_client => {
                    StageReport::skipped("mobile", "left out by the caller")
                }
                (Some(_), Some(prepared)) => {
                    progress.stage_started("mobile");
                    let run = mobile::MobileRun {
                        app: app_side,
                        admin: project
                            .model
                            .admin_roles()
                            .next()
                            .filter(|_| mobile::has_app(project))
                            .and_then(|role| {
                                role_account(
                                    project,
                                    "mobile",
                                    role,
                                    &plan.create_user,
                                    &app_env,
                                    &logs,
                                    &stopped,
                                )
                            }),
                    };
                    mobile::stage(&run, prepared)?
                }
                _ => StageReport::skipped("mobile", "the app was not running"),
            };
            progress.stage_finished(&mobile_app);
            report.stages.push(mobile_app);
            let fuzzed = match fuzzing {
                Some(handle) => handle.join().unwrap_or_else(|_| {
                    Err(GateError::Database {
                        what: "the fuzz stage".into(),
                        output: "its thread panicked".into(),
                    })
                })?,
                None if server.is_none() => StageReport::skipped("fuzz", "the app was not running"),
                None => StageReport::skipped("fuzz", "left out by the caller"),
            };
            progress.stage_finished(&fuzzed);
            report.stages.push(fuzzed);
            // The app is stopped first: the stage serves one of its own.
            let was_running = server.take().is_some();
            let faulted = if !was_running {
                StageReport::skipped("faults", "the app was not running")
            } else if options.skip_faults {
                StageReport::skipped("faults", "left out by the caller")
            } else {
                progress.stage_started("faults");
                faults::stage(&faults::FaultRun {
                    project,
                    plan: &plan,
                    env: &app_env,
                    logs: &logs,
                    stopped: &stopped,
                })?
            };
            progress.stage_finished(&faulted);
            report.stages.push(faulted);
            Ok(())
        })();
        // The app is stopped (it lived in the closure); now the tests.
        if result.is_err() {
            abort.store(true, Ordering::SeqCst);
        }
        if let Some((index, handle, key)) = background {
            let joined = handle.join().unwrap_or_else(|_| {
                Err(GateError::Database {
                    what: "the test stage".into(),
                    output: "its thread panicked".into(),
                })
            });
            if let Ok(outcome) = &joined {
                if let Some(key) = key.as_ref().filter(|_| outcome.success) {
                    reuse::remember(&cache, key, "the project's own tests");
                }
                let stage = stage_report("test", outcome.success, outcome.duration, &outcome.log);
                progress.stage_finished(&stage);
                report.stages[index] = stage;
            } else if result.is_ok() {
                joined?;
            }
        }
        result
    });
    outcome?;
    if database.kept() {
        progress.note(&format!("kept the database: {}", database.url()));
        if let Some(db) = &app_database {
            progress.note(&format!("kept the app's database: {}", db.url()));
        }
    }
    drop(app_database);
    drop(database);
    report.finish();
    if let Some(key) = &run_key {
        reuse::remember_run(&cache, key, &report);
    }
    Ok(report)
}

/// The key of a whole run ([`reuse`]): the project's files (the stack's
/// tool outputs and the gate's logs left out, `clients/` by its own
/// fingerprint), its application model, the stack and its verification
/// plan, the running program, the toolchain's, Node.js's and the
/// PostgreSQL server's versions, whether stripe-mock is at hand, and the
/// stages left out. `None` when one cannot be read (the run is then made).
fn run_key(
    project: &Project,
    stack: &str,
    plan: &stacks::VerificationPlan,
    database: &db::Database,
    options: &VerifyOptions,
) -> Option<String> {
    let backend = reuse::backend_fingerprint(&project.dir, &plan.test_inputs)?;
    let sources = project.dir.join(reuse::SOURCES);
    let clients = if sources.is_dir() {
        reuse::fingerprint(&sources)?
    } else {
        "none".to_string()
    };
    let model = serde_json::to_string(&project.model).ok()?;
    let mut tools = toolchain(&plan.test_inputs, database)?;
    tools.push(format!("stripe-mock {}", stripe_mock_program().is_some()));
    let left_out = format!(
        "fuzz {} faults {} client {}",
        options.skip_fuzz, options.skip_faults, options.skip_client
    );
    let inputs = [
        stack.to_string(),
        format!("{plan:?}"),
        model,
        reuse::own_build()?.to_string(),
        tools.join("; "),
        left_out,
        clients,
    ];
    let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    Some(reuse::step_key("run", &inputs, "", &backend))
}

pub(crate) fn stage_report(
    name: &str,
    success: bool,
    duration: Duration,
    log: &str,
) -> StageReport {
    StageReport {
        name: name.to_string(),
        status: if success {
            StageStatus::Passed
        } else {
            StageStatus::Failed
        },
        duration_ms: duration.as_millis() as u64,
        log_excerpt: tail(log, EXCERPT_LINES),
        checks: None,
        results: Vec::new(),
        details: if success {
            Vec::new()
        } else {
            locate::details(log, locate::MAX_DETAILS)
        },
        steps: Vec::new(),
    }
}

/// The `run` stage: migrates the app's own database first (when the tests
/// run beside it), starts the app and waits for `/healthz`.
#[allow(clippy::too_many_arguments)]
fn run_stage(
    project: &Project,
    stage: &stacks::Stage,
    env: &[(String, String)],
    migrate: Option<&stacks::Stage>,
    (logs, log_name): (&Path, &str),
    port: u16,
    stopped: &(dyn Fn() -> bool + Sync),
    server: &mut Option<Server>,
) -> Result<StageReport, GateError> {
    let started = Instant::now();
    if let Some(migrate) = migrate {
        let cmd = make_command(
            &project.dir,
            std::slice::from_ref(&migrate.make_target),
            env,
        );
        let log = logs.join(format!("{log_name}-migrate.log"));
        let outcome = run_logged(
            cmd,
            &log,
            Duration::from_secs(migrate.timeout_secs),
            stopped,
        )?;
        if !outcome.success {
            let mut stage = stage_report(&stage.name, false, started.elapsed(), &outcome.log);
            stage.log_excerpt = format!(
                "migrating the app's database failed:\n{}",
                stage.log_excerpt
            );
            return Ok(stage);
        }
    }
    let log_path = logs.join(format!("{log_name}.log"));
    let cmd = make_command(&project.dir, std::slice::from_ref(&stage.make_target), env);
    let mut spawned = Server::spawn(cmd, &log_path)?;
    let up = wait_healthy(
        &mut spawned,
        port,
        Duration::from_secs(stage.timeout_secs),
        stopped,
    )?;
    let log = std::fs::read_to_string(&log_path).unwrap_or_default();
    let mut report = stage_report(&stage.name, up, started.elapsed(), &log);
    if up {
        *server = Some(spawned);
        report.log_excerpt = tail(&log, 5);
    } else {
        report.log_excerpt.push_str(&format!(
            "\n(GET /healthz did not answer 200 within {} s)",
            stage.timeout_secs
        ));
    }
    Ok(report)
}

/// The key of the project's own tests ([`reuse`]): the backend's files,
/// the stage's make target, the versions of the toolchain the stack names
/// ([`stacks::TestInputs`]), of Node.js and of the PostgreSQL server.
/// `None` when one cannot be read (the tests then run).
fn tests_key(
    project: &Project,
    inputs: &stacks::TestInputs,
    database: &db::Database,
    target: &str,
) -> Option<String> {
    let files = reuse::backend_fingerprint(&project.dir, inputs)?;
    let tools = toolchain(inputs, database)?;
    Some(reuse::step_key(
        "test",
        &[target],
        &tools.join("; "),
        &files,
    ))
}

/// The versions of the toolchain the stack names ([`stacks::TestInputs`]),
/// of Node.js and of the PostgreSQL server, one text each. `None` when the
/// server's cannot be read.
fn toolchain(inputs: &stacks::TestInputs, database: &db::Database) -> Option<Vec<String>> {
    let server = database.query("SHOW server_version").ok()?;
    let mut tools = stack_tool_versions(inputs);
    tools.push(format!("node {}", reuse::node_version()));
    tools.push(format!("PostgreSQL {server}"));
    Some(tools)
}

/// The report of the project's own tests when they passed before on the
/// same key: passed, not run, saying so.
fn reused_tests(target: &str) -> StageReport {
    let mut stage = stage_report(
        "test",
        true,
        Duration::ZERO,
        "not run: the project's own tests passed before on exactly these files, with this toolchain, Node.js and PostgreSQL (`archgen verify --fresh` runs them)",
    );
    stage.steps = vec![StepTime {
        name: format!("make {target}"),
        duration_ms: 0,
        reused: true,
    }];
    stage
}

/// What the `fuzz` stage needs to run beside the client stages.
struct FuzzBeside<'a> {
    project: &'a Project,
    plan: &'a stacks::VerificationPlan,
    migrate: Option<&'a stacks::Stage>,
    /// The app's environment, with the fuzz stage's database and port.
    env: &'a [(String, String)],
    logs: &'a Path,
    cache: &'a Path,
    port: u16,
    stopped: &'a (dyn Fn() -> bool + Sync),
}

/// The `fuzz` stage on an app of its own: its database migrated, the app
/// served with the plan's `run` target on its own port (logs
/// `fuzz-app.log`, `fuzz-app-migrate.log`), schemathesis against it
/// ([`fuzz::stage`]), the app stopped. A failed start fails the stage.
fn fuzz_beside(run: &FuzzBeside<'_>) -> Result<StageReport, GateError> {
    let started = Instant::now();
    let Some(stage) = run.plan.stages.iter().find(|s| s.name == "run") else {
        return Ok(StageReport::skipped("fuzz", "the plan has no `run` stage"));
    };
    let mut server = None;
    let serving = run_stage(
        run.project,
        stage,
        run.env,
        run.migrate,
        (run.logs, "fuzz-app"),
        run.port,
        run.stopped,
        &mut server,
    )?;
    if server.is_none() {
        let log = format!(
            "the fuzz stage's own app did not start (its log is {}):\n{}",
            run.logs.join("fuzz-app.log").display(),
            serving.log_excerpt
        );
        return Ok(stage_report("fuzz", false, started.elapsed(), &log));
    }
    let create_user = |email: &str, password: &str, role: &str| {
        create_user(
            &run.project.dir,
            &run.plan.create_user,
            run.env,
            run.logs,
            run.stopped,
            email,
            password,
            role,
        )
    };
    let mut report = fuzz::stage(&fuzz::FuzzRun {
        project: run.project,
        cache: run.cache,
        logs: run.logs,
        port: run.port,
        create_user: &create_user,
        stopped: run.stopped,
    })?;
    drop(server);
    report.duration_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

/// A cache of the plan with the folder its variable points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PackageCache {
    /// The environment variable.
    pub variable: String,
    /// The folder it points at.
    pub dir: PathBuf,
    /// Whether the folder is one of the gate's keyed ones
    /// ([`stacks::Cache::keyed_by`]): one install at a time goes into it.
    pub shared_install: bool,
}

/// The package caches of a plan: each variable with the folder it points
/// at, the caller's own value (from `var`) when set, else the plan's
/// folder under `cache`; for a keyed cache, the folder `key` names under
/// it, and no entry when `key` gives none (`--fresh`, or a file that
/// cannot be read: the project's own environment then serves).
pub(crate) fn package_caches(
    plan: &stacks::VerificationPlan,
    cache: &Path,
    var: impl Fn(&str) -> Option<std::ffi::OsString>,
    key: impl Fn(&stacks::Cache) -> Option<String>,
) -> Vec<PackageCache> {
    plan.caches
        .iter()
        .filter_map(|c| {
            if let Some(theirs) = var(&c.variable).filter(|v| !v.is_empty()) {
                return Some(PackageCache {
                    variable: c.variable.clone(),
                    dir: PathBuf::from(theirs),
                    shared_install: false,
                });
            }
            let dir = if c.keyed_by.is_empty() {
                cache.join(&c.folder)
            } else {
                cache.join(&c.folder).join(key(c)?)
            };
            Some(PackageCache {
                variable: c.variable.clone(),
                dir,
                shared_install: !c.keyed_by.is_empty(),
            })
        })
        .collect()
}

/// The folder name of a keyed cache for `project` ([`reuse::keyed_folder`]
/// with the versions of the toolchain the plan names), or `None` with
/// `fresh`.
fn cache_key(
    project: &Path,
    plan: &stacks::VerificationPlan,
    cache: &stacks::Cache,
    fresh: bool,
) -> Option<String> {
    if fresh {
        return None;
    }
    let tools = stack_tool_versions(&plan.test_inputs);
    reuse::keyed_folder(project, &cache.keyed_by, &tools)
}

/// The versions the stack's toolchain commands print
/// ([`stacks::TestInputs::toolchain`]), one text each.
fn stack_tool_versions(inputs: &stacks::TestInputs) -> Vec<String> {
    inputs
        .toolchain
        .iter()
        .filter_map(|command| {
            let (program, args) = command.split_first()?;
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            Some(reuse::tool_version(program, &args))
        })
        .collect()
}

/// The `make` arguments that create a user: the plan's, placeholders
/// replaced.
fn user_command(template: &[String], email: &str, password: &str, role: &str) -> Vec<String> {
    template
        .iter()
        .map(|a| {
            a.replace("{email}", email)
                .replace("{password}", password)
                .replace("{role}", role)
        })
        .collect()
}

/// Creates a user with the plan's user command (`make` arguments with
/// placeholders), or says why it could not.
#[allow(clippy::too_many_arguments)]
pub(crate) fn create_user(
    dir: &Path,
    template: &[String],
    env: &[(String, String)],
    logs: &Path,
    stopped: &(dyn Fn() -> bool + Sync),
    email: &str,
    password: &str,
    role: &str,
) -> Result<(), String> {
    if template.is_empty() {
        return Err("the stack's verification plan has no user command".into());
    }
    let args = user_command(template, email, password, role);
    let cmd = make_command(dir, &args, env);
    match run_logged(
        cmd,
        &logs.join("user.log"),
        Duration::from_secs(120),
        stopped,
    ) {
        Ok(o) if o.success => Ok(()),
        Ok(o) => Err(format!(
            "make {} failed: {}",
            template.first().map(String::as_str).unwrap_or_default(),
            tail(&o.log, 5)
        )),
        Err(e) => Err(e.to_string()),
    }
}

/// An account of the model's first admin role for the client's tests,
/// made with the plan's user command (`None` when the project has no
/// client, there is no admin role or no command, or it failed: the tests
/// that need one say so).
fn client_admin(
    project: &Project,
    template: &[String],
    env: &[(String, String)],
    logs: &Path,
    stopped: &(dyn Fn() -> bool + Sync),
) -> Option<(String, String)> {
    let client = project.dir.join(render::docs::client_ts::CLIENT_DIR);
    if !client.join("package.json").is_file() {
        return None;
    }
    let role = project.model.admin_roles().next()?;
    let email = format!("client-admin-{}@example.com", db::random_hex(8));
    let password = db::random_hex(32);
    create_user(
        &project.dir,
        template,
        env,
        logs,
        stopped,
        &email,
        &password,
        &role.name,
    )
    .ok()?;
    Some((email, password))
}

/// An account of `role` for a surface's browser tests (`admin-app`,
/// `mobile`: the email's prefix), made with the plan's user command
/// (`None` when there is no command or it failed: the tests that need
/// one say so).
fn role_account(
    project: &Project,
    surface: &str,
    role: &model::Role,
    template: &[String],
    env: &[(String, String)],
    logs: &Path,
    stopped: &(dyn Fn() -> bool + Sync),
) -> Option<(String, String)> {
    let email = format!("{surface}-{}@example.com", db::random_hex(8));
    let password = fit_password(db::random_hex(16), &project.model.params);
    create_user(
        &project.dir,
        template,
        env,
        logs,
        stopped,
        &email,
        &password,
        &role.name,
    )
    .ok()?;
    Some((email, password))
}

/// The stripe-mock release the gate runs (the generated tests run the same).
pub const STRIPE_MOCK_VERSION: &str = "v0.203.0";

/// What a project taking Stripe payments gets during a gate run: a
/// stripe-mock on a free loopback port (its `STRIPE_API_BASE`), a test key
/// and a webhook secret the conformance suite signs events with.
#[derive(Default)]
struct StripeFake {
    /// The running stripe-mock (stopped when dropped).
    server: Option<Server>,
    /// The `STRIPE_WEBHOOK_SECRET` the app was given.
    webhook_secret: Option<String>,
    /// Why stripe-mock could not be started.
    unavailable: Option<String>,
}

impl StripeFake {
    /// Starts stripe-mock when the model has the Stripe webhook, and adds
    /// the app's Stripe settings to `env`.
    fn start(
        model: &AppModel,
        logs: &Path,
        env: &mut Vec<(String, String)>,
        progress: &dyn Progress,
    ) -> StripeFake {
        if !model
            .routes
            .iter()
            .any(|r| r.operation == model::Operation::StripeWebhook)
        {
            return StripeFake::default();
        }
        let secret = format!("whsec_{}", db::random_hex(24));
        env.push(("STRIPE_WEBHOOK_SECRET".into(), secret.clone()));
        env.push((
            "STRIPE_SECRET_KEY".into(),
            format!("sk_test_{}", db::random_hex(12)),
        ));
        let mut fake = StripeFake {
            webhook_secret: Some(secret),
            ..StripeFake::default()
        };
        let Some(program) = stripe_mock_program() else {
            fake.unavailable = Some(format!(
                "stripe-mock is not installed: run scripts/setup, or `GOBIN=~/.cache/stripe-mock/{STRIPE_MOCK_VERSION} go install github.com/stripe/stripe-mock@{STRIPE_MOCK_VERSION}`, or set STRIPE_MOCK to its program"
            ));
            return fake;
        };
        let started = process::free_port().and_then(|port| {
            let mut cmd = std::process::Command::new(&program);
            cmd.args(["-http-port", &port.to_string()]);
            Server::spawn(cmd, &logs.join("stripe-mock.log")).map(|s| (s, port))
        });
        match started {
            Ok((server, port)) => {
                progress.note(&format!("stripe-mock on port {port}"));
                env.push(("STRIPE_API_BASE".into(), format!("http://127.0.0.1:{port}")));
                fake.server = Some(server);
            }
            Err(e) => fake.unavailable = Some(format!("stripe-mock did not start: {e}")),
        }
        fake
    }
}

/// stripe-mock's program: `STRIPE_MOCK`, one on the PATH, or the copy
/// scripts/setup (and the generated tests) build in
/// `~/.cache/stripe-mock/<version>`; `None` when there is none.
///
/// ```
/// if let Some(program) = gate::stripe_mock_program() {
///     assert!(program.ends_with("stripe-mock") || std::env::var_os("STRIPE_MOCK").is_some());
/// }
/// ```
pub fn stripe_mock_program() -> Option<PathBuf> {
    if let Some(named) = std::env::var_os("STRIPE_MOCK") {
        return Some(PathBuf::from(named));
    }
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("stripe-mock"))
            .find(|p| p.is_file())
    });
    if on_path.is_some() {
        return on_path;
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    let cached = cache
        .join("stripe-mock")
        .join(STRIPE_MOCK_VERSION)
        .join("stripe-mock");
    cached.is_file().then_some(cached)
}

/// The conformance suite against the running app.
#[allow(clippy::too_many_arguments)]
fn conformance_stage(
    project: &Project,
    database: &db::Database,
    stripe: &StripeFake,
    create_user: &[String],
    env: &[(String, String)],
    logs: &Path,
    port: u16,
    options: &VerifyOptions,
    stopped: &(dyn Fn() -> bool + Sync),
) -> StageReport {
    let started = Instant::now();
    let template = create_user;
    let create_user = |email: &str, password: &str, role: &str| -> Result<(), String> {
        self::create_user(
            &project.dir,
            template,
            env,
            logs,
            stopped,
            email,
            password,
            role,
        )
    };
    // The contract's outbox (`mail_outbox`): the latest mail to an address,
    // for the checks that follow a mailed link.
    let read_mail = |recipient: &str| -> Result<Option<String>, String> {
        let sql = format!(
            "SELECT body_text FROM mail_outbox WHERE recipient = '{}' \
             ORDER BY created_at DESC, id DESC LIMIT 1",
            recipient.replace('\'', "''")
        );
        let out = database.query(&sql).map_err(|e| e.to_string())?;
        let text = out.trim_end();
        Ok((!text.is_empty()).then(|| text.to_string()))
    };
    let suite_options = conformance::Options {
        create_user: (!template.is_empty()).then_some(&create_user as &conformance::UserCreator),
        read_mail: project
            .model
            .email
            .is_some()
            .then_some(&read_mail as &conformance::MailReader),
        cancel: Some(&options.cancel),
        stripe_webhook_secret: stripe.webhook_secret.clone(),
        stripe_unavailable: stripe.unavailable.clone(),
    };
    let base = format!("http://127.0.0.1:{port}");
    let results = conformance::run(&project.model, &base, &suite_options);
    let failed: Vec<&CheckResult> = results.iter().filter(|r| !r.passed).collect();
    let excerpt = failed
        .iter()
        .take(EXCERPT_LINES)
        .map(|r| format!("{}: {}", r.name, r.detail))
        .collect::<Vec<_>>()
        .join("\n");
    StageReport {
        name: "conformance".into(),
        status: if failed.is_empty() {
            StageStatus::Passed
        } else {
            StageStatus::Failed
        },
        duration_ms: started.elapsed().as_millis() as u64,
        log_excerpt: excerpt,
        checks: Some(results.len()),
        results,
        details: Vec::new(),
        steps: Vec::new(),
    }
}

/// Waits for `GET /healthz` to answer 200, while the server runs.
pub(crate) fn wait_healthy(
    server: &mut Server,
    port: u16,
    timeout: Duration,
    stopped: &(dyn Fn() -> bool + Sync),
) -> Result<bool, GateError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(2)))
        .build()
        .into();
    let url = format!("http://127.0.0.1:{port}/healthz");
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if stopped() {
            return Err(GateError::Interrupted);
        }
        if server.exited() {
            return Ok(false);
        }
        if let Ok(r) = agent.get(&url).call() {
            if r.status().as_u16() == 200 {
                return Ok(true);
            }
        }
        std::thread::sleep(Duration::from_millis(150));
    }
    Ok(false)
}

/// The project with an absolute directory. Tools run in directories of
/// their own (schemathesis in the log directory), so a path relative to
/// where archgen was started, such as `archgen verify my-app`, would name
/// nothing there: every path the gate hands them is absolute.
fn with_absolute_dir(project: &Project) -> Result<std::borrow::Cow<'_, Project>, GateError> {
    if project.dir.is_absolute() {
        return Ok(std::borrow::Cow::Borrowed(project));
    }
    let dir = std::path::absolute(&project.dir)
        .map_err(|e| GateError::io("cannot resolve the project directory", &project.dir, e))?;
    Ok(std::borrow::Cow::Owned(Project {
        dir,
        ..project.clone()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> stacks::VerificationPlan {
        stacks::VerificationPlan {
            stages: Vec::new(),
            create_user: [
                "user",
                "EMAIL={email}",
                "PASSWORD={password}",
                "ROLE={role}",
            ]
            .map(String::from)
            .to_vec(),
            production_target: None,
            caches: vec![
                stacks::Cache {
                    variable: "TOOL_CACHE".into(),
                    folder: "tool".into(),
                    keyed_by: Vec::new(),
                },
                stacks::Cache {
                    variable: "TOOL_ENV".into(),
                    folder: "envs".into(),
                    keyed_by: vec!["tool.lock".into()],
                },
            ],
            test_inputs: stacks::TestInputs::default(),
        }
    }

    #[test]
    fn a_relative_project_directory_is_made_absolute() {
        let spec = blueprint_core::builder::SpecBuilder::new("tasks")
            .with_entity("Task", |e| e)
            .spec();
        let engine = render::Engine::with_builtins();
        let relative = Project::from_spec(Path::new("my-app"), &spec, &engine).unwrap();
        let made = with_absolute_dir(&relative).unwrap();
        assert!(made.dir.is_absolute(), "{}", made.dir.display());
        assert!(made.dir.ends_with("my-app"));
        assert_eq!(made.dir, std::env::current_dir().unwrap().join("my-app"));
        let absolute = Project::from_spec(Path::new("/srv/my-app"), &spec, &engine).unwrap();
        assert!(matches!(
            with_absolute_dir(&absolute).unwrap(),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn caches_live_in_ours_unless_the_caller_set_them() {
        let cache = Path::new("/c");
        let key = |_: &stacks::Cache| Some("k1".to_string());
        let ours = package_caches(&plan(), cache, |_| None, key);
        let dirs: Vec<(&str, &Path, bool)> = ours
            .iter()
            .map(|c| (c.variable.as_str(), c.dir.as_path(), c.shared_install))
            .collect();
        assert_eq!(
            dirs,
            [
                ("TOOL_CACHE", Path::new("/c/tool"), false),
                ("TOOL_ENV", Path::new("/c/envs/k1"), true)
            ]
        );
        let theirs = package_caches(
            &plan(),
            cache,
            |k| (k == "TOOL_ENV").then(|| "/elsewhere".into()),
            key,
        );
        assert_eq!(theirs[1].dir, PathBuf::from("/elsewhere"));
        assert!(!theirs[1].shared_install, "the caller's folder is theirs");
        let empty = package_caches(&plan(), cache, |_| Some("".into()), key);
        assert_eq!(empty[0].dir, PathBuf::from("/c/tool"));
        // --fresh (no key): the keyed cache is left out, the project's own
        // environment serves.
        let fresh = package_caches(&plan(), cache, |_| None, |_| None);
        assert_eq!(fresh.len(), 1);
        assert_eq!(fresh[0].variable, "TOOL_CACHE");
    }

    #[test]
    fn the_user_command_fills_the_placeholders() {
        let args = user_command(&plan().create_user, "a@example.com", "pw pw", "staff");
        assert_eq!(
            args,
            [
                "user",
                "EMAIL=a@example.com",
                "PASSWORD=pw pw",
                "ROLE=staff"
            ]
        );
    }
}
