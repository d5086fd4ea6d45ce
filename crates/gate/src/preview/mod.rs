//! `archgen preview`: a generated project running on loopback with demo
//! data, restarted as its spec changes (`docs/preview.md`).
//!
//! [`Preview::start`] does what the gate does before its checks, with the
//! gate's own parts: a throwaway database ([`crate::db::Database`], on a
//! cluster of its own or a given server), the stack's `install` and
//! `migrate` targets with the gate's package caches, one account per role
//! with the plan's user command, the `run` target in a process group of its
//! own; then it seeds [`demo`] rows through the API and serves the
//! project's `docs/` folder ([`site`]). [`Preview::reload`] takes a new
//! generation of the same directory: it installs again only when a lock
//! file changed, migrates and restarts the app only when something it runs
//! changed, and resets the database (accounts and demo rows again) when the
//! schema change is destructive or the migration cannot keep the rows.
//! Dropping the [`Preview`] stops the app, the site, the database and the
//! cluster.
//!
//! ```no_run
//! let engine = render::Engine::with_builtins();
//! let spec = engine.parse_file(std::path::Path::new("tasks.yaml")).unwrap().spec;
//! let project = gate::Project::from_spec(std::path::Path::new("tasks"), &spec, &engine).unwrap();
//! let stack = engine.stack(&project.stack).unwrap();
//! let preview = gate::preview::Preview::start(&project, stack, &gate::preview::PreviewOptions::default(), &gate::Quiet).unwrap();
//! println!("API on {}", preview.api_url());
//! for account in preview.accounts() {
//!     println!("{} {} {}", account.role, account.email, account.password);
//! }
//! drop(preview); // stops everything it started
//! ```

pub mod demo;
pub mod site;

use crate::conformance::http::{Client, Session};
use crate::db::{self, Database};
use crate::process::{free_port, make_command, run_logged, tail, Server};
use crate::{GateError, Progress, Project};
use serde_json::{json, Value};
use stacks::Stack;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Settings of a preview.
#[derive(Debug, Clone, Default)]
pub struct PreviewOptions {
    /// A database server to create the preview's databases on (any
    /// database URL of it); without one a cluster of its own is started.
    pub database_url: Option<String>,
    /// The app's port on 127.0.0.1 (a free one when unset).
    pub port: Option<u16>,
    /// Where dependency caches live ([`crate::cache_dir`] when unset).
    pub cache_dir: Option<PathBuf>,
    /// The seed of the demo rows.
    pub seed: u64,
    /// Set it (from a Ctrl-C handler) to stop a step in progress:
    /// [`GateError::Interrupted`] is returned.
    pub cancel: Arc<AtomicBool>,
}

/// An account the preview made, one per role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The role.
    pub role: String,
    /// The sign-in email.
    pub email: String,
    /// The password.
    pub password: String,
}

/// What seeding made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seeded {
    /// Rows created, per entity name, in creation order.
    pub created: Vec<(String, usize)>,
    /// Rows the app refused, each with its answer (the rows pointing at
    /// them are left out too).
    pub refused: Vec<String>,
}

impl Seeded {
    /// How many rows were created in all.
    pub fn total(&self) -> usize {
        self.created.iter().map(|(_, n)| n).sum()
    }
}

/// What a [`Preview::reload`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reloaded {
    /// `make install` ran (a lock file changed).
    pub installed: bool,
    /// The app was migrated and restarted.
    pub restarted: bool,
    /// The database was made again (and the accounts and demo rows with
    /// it), with the reason.
    pub reset: Option<String>,
    /// The demo rows of a reset.
    pub seeded: Option<Seeded>,
    /// Whether the admin app was built again.
    pub admin_rebuilt: bool,
}

/// A running preview: dropping it stops the app and the docs site and
/// drops the databases (and the cluster it started).
#[derive(Debug)]
pub struct Preview {
    dir: PathBuf,
    logs: PathBuf,
    plan: stacks::VerificationPlan,
    env: Vec<(String, String)>,
    port: u16,
    accounts: Vec<Account>,
    locks: String,
    seed: u64,
    cancel: Arc<AtomicBool>,
    seeded: Seeded,
    cache: PathBuf,
    // Whether `clients/admin/dist` holds a build of this session.
    admin_built: bool,
    // Dropped in this order: the app, the site, its database, then the
    // first database (and with it the cluster).
    server: Option<Server>,
    site: site::Site,
    app_db: Option<Database>,
    root_db: Database,
}

impl Preview {
    /// Starts a preview of a generated project: database, install,
    /// migrate, accounts, the app, demo rows, the docs site. Whatever it
    /// started is stopped again when it fails.
    ///
    /// # Errors
    ///
    /// [`GateError::Step`] when a make target fails or the app does not
    /// answer `/healthz` (with the log's tail); [`GateError::NoPostgres`]
    /// and [`GateError::Database`] for the database; [`GateError::Io`];
    /// [`GateError::Interrupted`].
    pub fn start(
        project: &Project,
        stack: &dyn Stack,
        options: &PreviewOptions,
        progress: &dyn Progress,
    ) -> Result<Preview, GateError> {
        let logs = project.dir.join(".archgen").join("preview");
        std::fs::create_dir_all(&logs)
            .map_err(|e| GateError::io("cannot create the log directory", &logs, e))?;
        let cache = options.cache_dir.clone().unwrap_or_else(crate::cache_dir);
        let plan = stack.verification();
        // The preview keeps an environment of its own in its folder: no
        // keyed cache (those are for the gate's runs, one install at a time).
        let caches = crate::package_caches(&plan, &cache, |k| std::env::var_os(k), |_| None);
        for crate::PackageCache { dir, .. } in &caches {
            std::fs::create_dir_all(dir)
                .map_err(|e| GateError::io("cannot create the cache directory", dir, e))?;
        }
        let port = match options.port {
            Some(port) => {
                // Said now, rather than as an app that never answers.
                std::net::TcpListener::bind(("127.0.0.1", port)).map_err(|e| {
                    GateError::PortTaken {
                        port,
                        reason: e.to_string(),
                    }
                })?;
                port
            }
            None => free_port()?,
        };
        match &options.database_url {
            Some(_) => progress.note("creating the preview's database on the given server"),
            None => progress.note("starting a throwaway PostgreSQL cluster"),
        }
        let began = std::time::Instant::now();
        let root_db = Database::create(options.database_url.as_deref(), false)?;
        let app_db = root_db.sibling()?;
        progress.note(&format!(
            "database ready ({:.1} s)",
            began.elapsed().as_secs_f64()
        ));
        let site = site::Site::start(&project.dir.join("docs"), port)?;
        let mut env = crate::app_env(app_db.url(), port, caches);
        // Swagger UI on the docs site calls the app from another origin.
        env.push(("CORS_ORIGINS".into(), site.url()));
        let mut preview = Preview {
            dir: project.dir.clone(),
            logs,
            plan,
            env,
            port,
            accounts: Vec::new(),
            locks: lock_fingerprint(&project.dir),
            seed: options.seed,
            cancel: options.cancel.clone(),
            seeded: Seeded::default(),
            cache,
            admin_built: false,
            server: None,
            site,
            app_db: Some(app_db),
            root_db,
        };
        preview.make("install", progress)?;
        preview.make("migrate", progress)?;
        preview.accounts_and_app(project, progress)?;
        preview.seeded = preview.seed_rows(project, progress);
        preview.build_admin(project, progress)?;
        Ok(preview)
    }

    /// Takes a new generation of the project (already written to its
    /// directory): `changed` are the paths the write changed (relative,
    /// `/`-separated). Installs again when a lock file changed, and, when
    /// anything but the documents changed, migrates and restarts the app.
    /// With `reset`, or when the migration fails on the kept rows, the
    /// database is made again with the accounts and demo rows.
    ///
    /// # Errors
    ///
    /// As [`Preview::start`]; the app is not running after an error (a
    /// later reload starts it again).
    pub fn reload(
        &mut self,
        project: &Project,
        changed: &[String],
        reset: Option<String>,
        progress: &dyn Progress,
    ) -> Result<Reloaded, GateError> {
        let mut done = Reloaded::default();
        // The app reads the admin app's build on every request: a new
        // build needs no restart.
        if changed.iter().any(|p| p.starts_with(ADMIN_DIR_SLASH)) {
            self.build_admin(project, progress)?;
            done.admin_rebuilt = true;
        }
        let runs = changed.iter().any(|p| !is_document(p));
        if !runs && reset.is_none() && self.server.is_some() {
            return Ok(done);
        }
        // The app holds sessions on the database: stop it first.
        self.server = None;
        let locks = lock_fingerprint(&self.dir);
        if locks != self.locks {
            self.make("install", progress)?;
            self.locks = locks;
            done.installed = true;
        }
        let mut reset = reset;
        if reset.is_none() {
            if let Err(e) = self.make("migrate", progress) {
                reset = Some(format!("the migration could not keep the rows ({e})"));
            }
        }
        if let Some(reason) = &reset {
            progress.note(&format!("resetting the database: {reason}"));
            self.app_db = None;
            let db = self.root_db.sibling()?;
            set_var(&mut self.env, "DATABASE_URL", db.url());
            self.app_db = Some(db);
            self.make("migrate", progress)?;
            self.accounts_and_app(project, progress)?;
        } else {
            self.server = Some(self.spawn_app(progress)?);
        }
        if reset.is_some() {
            let seeded = self.seed_rows(project, progress);
            self.seeded = seeded.clone();
            done.seeded = Some(seeded);
        }
        done.restarted = true;
        done.reset = reset;
        Ok(done)
    }

    /// The app's base URL (`http://127.0.0.1:PORT`).
    pub fn api_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The admin web app's URL (served by the app at `/admin/`), when this
    /// session built it.
    pub fn admin_url(&self) -> Option<String> {
        self.admin_built
            .then(|| format!("http://127.0.0.1:{}/admin/", self.port))
    }

    /// The docs site's URL: the ArchiMate views and diagrams, and Swagger
    /// UI at `/swagger`.
    pub fn site_url(&self) -> String {
        self.site.url()
    }

    /// The accounts, one per role, in the model's role order.
    pub fn accounts(&self) -> &[Account] {
        &self.accounts
    }

    /// What the last seeding made.
    pub fn seeded(&self) -> &Seeded {
        &self.seeded
    }

    /// The app's log file.
    pub fn server_log(&self) -> PathBuf {
        self.logs.join("run.log")
    }

    /// Whether the app stopped on its own (it crashed): a reload starts it
    /// again.
    pub fn app_exited(&mut self) -> bool {
        self.server.as_mut().is_some_and(Server::exited)
    }

    /// The database the app uses (its URL).
    pub fn database_url(&self) -> Option<&str> {
        self.app_db.as_ref().map(Database::url)
    }

    fn stopped(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }

    /// Runs a stage of the plan by name (nothing when the plan has none).
    /// Builds the admin app (`npm ci` when needed, `vite build`) for the
    /// app to serve at `/admin/`. Without npm, or when a step fails, the
    /// preview goes on without it and says why.
    fn build_admin(&mut self, project: &Project, progress: &dyn Progress) -> Result<(), GateError> {
        if !crate::admin::has_app(project) {
            return Ok(());
        }
        progress.stage_started("admin app");
        let stopped = || self.stopped();
        match crate::admin::build(project, &self.cache, &self.logs, &stopped)? {
            Ok(took) => {
                self.admin_built = true;
                progress.note(&format!("admin app built ({:.1} s)", took.as_secs_f64()));
            }
            Err(reason) => {
                progress.note(&format!("the admin app is not served: {reason}"));
            }
        }
        Ok(())
    }

    fn make(&self, name: &str, progress: &dyn Progress) -> Result<(), GateError> {
        let Some(stage) = self.plan.stages.iter().find(|s| s.name == name) else {
            return Ok(());
        };
        progress.stage_started(name);
        let log = self.logs.join(format!("{name}.log"));
        let cmd = make_command(
            &self.dir,
            std::slice::from_ref(&stage.make_target),
            &self.env,
        );
        let stopped = || self.stopped();
        let outcome = run_logged(cmd, &log, Duration::from_secs(stage.timeout_secs), &stopped)?;
        let report = crate::stage_report(name, outcome.success, outcome.duration, &outcome.log);
        progress.stage_finished(&report);
        if outcome.success {
            Ok(())
        } else {
            Err(GateError::Step {
                what: format!("make {}", stage.make_target),
                log,
                excerpt: tail(&outcome.log, 15),
            })
        }
    }

    /// Makes the accounts (their passwords chosen once per preview) while
    /// the app starts: both only need the migrated database.
    fn accounts_and_app(
        &mut self,
        project: &Project,
        progress: &dyn Progress,
    ) -> Result<(), GateError> {
        if self.accounts.is_empty() {
            let params = &project.model.params;
            self.accounts = project
                .model
                .roles
                .iter()
                .map(|role| Account {
                    role: role.name.clone(),
                    email: format!("{}@example.com", role.name.replace('_', "-")),
                    password: crate::fit_password(
                        format!("{}-preview-{}", role.name, db::random_hex(6)),
                        params,
                    ),
                })
                .collect();
        }
        let this = &*self;
        let (made, server) = std::thread::scope(|scope| {
            let made = scope.spawn(|| this.create_accounts());
            let server = this.spawn_app(progress);
            (made.join(), server)
        });
        let server = server?;
        made.unwrap_or_else(|_| {
            Err(GateError::Step {
                what: "creating the accounts".into(),
                log: self.logs.join("user.log"),
                excerpt: "the thread making them panicked".into(),
            })
        })?;
        progress.note(&format!(
            "{} accounts made while the app started",
            self.accounts.len()
        ));
        self.server = Some(server);
        Ok(())
    }

    fn create_accounts(&self) -> Result<(), GateError> {
        let stopped = || self.stopped();
        for account in &self.accounts {
            crate::create_user(
                &self.dir,
                &self.plan.create_user,
                &self.env,
                &self.logs,
                &stopped,
                &account.email,
                &account.password,
                &account.role,
            )
            .map_err(|why| GateError::Step {
                what: format!("creating the `{}` account", account.role),
                log: self.logs.join("user.log"),
                excerpt: why,
            })?;
        }
        Ok(())
    }

    /// Starts the app and waits until it answers `/healthz`.
    fn spawn_app(&self, progress: &dyn Progress) -> Result<Server, GateError> {
        let Some(stage) = self.plan.stages.iter().find(|s| s.name == "run") else {
            return Err(GateError::Step {
                what: "serving the app".into(),
                log: self.logs.clone(),
                excerpt: "the stack's verification plan has no `run` stage".into(),
            });
        };
        progress.stage_started("run");
        let log = self.server_log();
        let cmd = make_command(
            &self.dir,
            std::slice::from_ref(&stage.make_target),
            &self.env,
        );
        let started = std::time::Instant::now();
        let mut server = Server::spawn(cmd, &log)?;
        let stopped = || self.stopped();
        let up = crate::wait_healthy(
            &mut server,
            self.port,
            Duration::from_secs(stage.timeout_secs),
            &stopped,
        )?;
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        progress.stage_finished(&crate::stage_report("run", up, started.elapsed(), &text));
        if !up {
            return Err(GateError::Step {
                what: format!(
                    "serving the app on port {} (GET /healthz did not answer 200)",
                    self.port
                ),
                log,
                excerpt: tail(&text, 15),
            });
        }
        Ok(server)
    }

    /// Creates the demo rows through the API, each as its author's account.
    fn seed_rows(&self, project: &Project, progress: &dyn Progress) -> Seeded {
        progress.stage_started("seed");
        let started = std::time::Instant::now();
        let seeded = seed(
            &project.model,
            &self.api_url(),
            &self.accounts,
            &demo::demo_rows(&project.model, self.seed),
        );
        let summary = format!(
            "{} demo rows ({}){}",
            seeded.total(),
            seeded
                .created
                .iter()
                .map(|(e, n)| format!("{n} {e}"))
                .collect::<Vec<_>>()
                .join(", "),
            if seeded.refused.is_empty() {
                String::new()
            } else {
                format!("; {} refused", seeded.refused.len())
            }
        );
        let mut report = crate::stage_report("seed", true, started.elapsed(), "");
        report.log_excerpt = summary.clone();
        progress.stage_finished(&report);
        progress.note(&summary);
        for why in seeded.refused.iter().take(5) {
            progress.note(&format!("demo row refused: {why}"));
        }
        seeded
    }
}

fn set_var(env: &mut [(String, String)], key: &str, value: &str) {
    for (k, v) in env.iter_mut() {
        if k == key {
            *v = value.to_string();
        }
    }
}

/// Whether a generated path is only read by people (the documents the
/// site serves from disk, the typed client): a change there restarts
/// nothing.
/// The admin app's directory with a trailing slash, to match changed paths.
const ADMIN_DIR_SLASH: &str = "clients/admin/";

fn is_document(path: &str) -> bool {
    (path.starts_with("docs/") && path != "docs/openapi.json")
        || path.starts_with("clients/")
        || path.starts_with(".archgen/")
        || path.ends_with(".md")
}

/// The contents of the project's lock files (the dependency lists `make
/// install` reads): `*.lock`, `*-lock.json`, `pyproject.toml`,
/// `requirements*.txt` at the top of the project.
fn lock_fingerprint(dir: &Path) -> String {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    name.ends_with(".lock")
                        || name.ends_with("-lock.json")
                        || name == "pyproject.toml"
                        || (name.starts_with("requirements") && name.ends_with(".txt"))
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut all = String::new();
    for name in names {
        all.push_str(&name.to_string_lossy());
        all.push('\n');
        all.push_str(&std::fs::read_to_string(&name).unwrap_or_default());
    }
    use sha2::Digest;
    format!("{:x}", sha2::Sha256::digest(all.as_bytes()))
}

/// Creates demo rows through the API: each author's account signs in,
/// links are resolved to the ids the app gave the rows they point at, and a
/// row whose required target was refused is left out.
fn seed(
    model: &model::AppModel,
    base: &str,
    accounts: &[Account],
    rows: &[demo::DemoRow],
) -> Seeded {
    let api = model.api.base_path.trim_end_matches('/').to_string();
    let mut client = Client::new(base);
    let mut sessions: Vec<Option<Session>> = vec![None; model.roles.len()];
    let mut ids: Vec<Option<String>> = vec![None; rows.len()];
    let mut seeded = Seeded::default();
    for (i, row) in rows.iter().enumerate() {
        let entity = model.get(row.entity);
        if sessions[row.author.0].is_none() {
            let Some(account) = accounts.get(row.author.0) else {
                continue;
            };
            let mut session = Session::default();
            let body = json!({"email": account.email, "password": account.password});
            match client.send(
                &mut session,
                "POST",
                &format!("{api}/auth/login"),
                Some(&body),
                false,
                &[],
            ) {
                Ok(r) if r.status < 300 => sessions[row.author.0] = Some(session),
                Ok(r) => {
                    seeded
                        .refused
                        .push(format!("signing in as `{}`: {}", account.role, r.brief()));
                    continue;
                }
                Err(e) => {
                    seeded.refused.push(e);
                    continue;
                }
            }
        }
        let mut body = row.fields.clone();
        let mut complete = true;
        for link in &row.links {
            match &ids[link.row] {
                Some(id) if link.to_one => {
                    body.insert(link.key.clone(), json!(id));
                }
                Some(id) => {
                    body.insert(link.key.clone(), json!([id]));
                }
                None => {
                    let required = entity
                        .relations
                        .iter()
                        .any(|r| r.key == link.key && r.required);
                    if required {
                        complete = false;
                    }
                }
            }
        }
        if !complete {
            continue;
        }
        let Some(session) = sessions[row.author.0].as_mut() else {
            continue;
        };
        let path = format!("{api}/{}", entity.collection);
        match client.send(
            session,
            "POST",
            &path,
            Some(&Value::Object(body)),
            true,
            &[],
        ) {
            Ok(r) if r.status == 201 => {
                ids[i] = r.json()["id"].as_str().map(str::to_string);
                match seeded.created.iter_mut().find(|(n, _)| *n == entity.name) {
                    Some((_, n)) => *n += 1,
                    None => seeded.created.push((entity.name.clone(), 1)),
                }
            }
            Ok(r) => seeded.refused.push(format!(
                "a {} as `{}`: {}",
                entity.name,
                model.roles[row.author.0].name,
                r.brief()
            )),
            Err(e) => seeded.refused.push(e),
        }
    }
    seeded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_restart_nothing() {
        assert!(is_document("docs/ARCHITECTURE.md"));
        assert!(is_document("clients/ts/src/index.ts"));
        assert!(!is_document("docs/openapi.json"));
        assert!(!is_document("src/team_tasks/models.py"));
        assert!(!is_document("migrations/versions/0002_add.py"));
    }

    #[test]
    fn lock_files_are_fingerprinted() {
        let dir = tempfile::tempdir().unwrap();
        let empty = lock_fingerprint(dir.path());
        std::fs::write(dir.path().join("src.py"), "x").unwrap();
        assert_eq!(lock_fingerprint(dir.path()), empty);
        std::fs::write(dir.path().join("requirements.lock"), "fastapi==1").unwrap();
        let one = lock_fingerprint(dir.path());
        assert_ne!(one, empty);
        std::fs::write(dir.path().join("requirements.lock"), "fastapi==2").unwrap();
        assert_ne!(lock_fingerprint(dir.path()), one);
    }
}
