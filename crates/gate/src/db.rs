//! The throwaway database: a uniquely named database on a server the user
//! names, or on a PostgreSQL cluster the gate starts for itself.

use crate::process::{free_port, sh_quote};
use crate::GateError;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Where PostgreSQL's programs are: the directory of `initdb` on PATH, else
/// the newest `/usr/lib/postgresql/*/bin`.
pub fn postgres_bindir() -> Option<PathBuf> {
    if let Some(initdb) = on_path("initdb") {
        let real = std::fs::canonicalize(&initdb).unwrap_or(initdb);
        return real.parent().map(Path::to_path_buf);
    }
    let mut dirs: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    dirs.sort();
    dirs.pop().map(|(_, bin)| bin)
}

fn on_path(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(program))
            .find(|p| p.is_file())
    })
}

fn psql_path() -> Result<PathBuf, GateError> {
    on_path("psql")
        .or_else(|| {
            postgres_bindir()
                .map(|b| b.join("psql"))
                .filter(|p| p.is_file())
        })
        .ok_or(GateError::NoPsql)
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A random lowercase hex string of `bytes` random bytes.
pub(crate) fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    if getrandom::fill(&mut buf).is_err() {
        // No system randomness: the clock and the pid still make names
        // unique per run.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let seed = nanos ^ u128::from(std::process::id());
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (seed >> ((i % 16) * 8)) as u8;
        }
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// Replaces the database name (the path) of a PostgreSQL URL.
///
/// ```
/// assert_eq!(
///     gate::db::with_database("postgresql://u:p@h:5432/postgres?sslmode=disable", "t1"),
///     "postgresql://u:p@h:5432/t1?sslmode=disable"
/// );
/// assert_eq!(gate::db::with_database("postgres://h", "t1"), "postgres://h/t1");
/// ```
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}

/// A PostgreSQL cluster the gate started in a temporary directory, on a
/// free loopback port, with its socket in that directory. Stopped and
/// removed when dropped.
#[derive(Debug)]
pub struct Cluster {
    dir: PathBuf,
    bindir: PathBuf,
    as_postgres: bool,
    port: u16,
    /// The server's options (`pg_ctl -o`), kept for a restart.
    options: String,
}

impl Cluster {
    /// Starts a cluster (as the unprivileged `postgres` user when running
    /// as root).
    ///
    /// # Errors
    ///
    /// [`GateError::NoPostgres`] when PostgreSQL is not installed;
    /// [`GateError::Database`] when `initdb` or `pg_ctl` fail.
    pub fn start() -> Result<Cluster, GateError> {
        let bindir = postgres_bindir().ok_or(GateError::NoPostgres)?;
        let as_postgres = is_root();
        if as_postgres {
            ensure_postgres_user()?;
        }
        let dir = std::env::temp_dir().join(format!("archgen-gate-pg-{}", random_hex(6)));
        std::fs::create_dir_all(&dir)
            .map_err(|e| GateError::io("cannot create the cluster directory", &dir, e))?;
        let mut cluster = Cluster {
            dir,
            bindir,
            as_postgres,
            port: 0,
            options: String::new(),
        };
        if as_postgres {
            let out = Command::new("chown")
                .arg("postgres")
                .arg(&cluster.dir)
                .output()
                .map_err(|e| GateError::io("cannot run chown on", &cluster.dir, e))?;
            if !out.status.success() {
                return Err(GateError::Database {
                    what: "chown postgres of the cluster directory".into(),
                    output: String::from_utf8_lossy(&out.stderr).into_owned(),
                });
            }
        }
        let data = cluster.dir.join("data");
        let initdb = cluster.bindir.join("initdb");
        cluster.run_pg(
            "initdb",
            &[
                initdb.to_string_lossy().as_ref(),
                "-D",
                data.to_string_lossy().as_ref(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        )?;
        cluster.port = free_port()?;
        cluster.options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100",
            cluster.port,
            cluster.dir.display()
        );
        cluster.server_start()?;
        Ok(cluster)
    }

    fn server_start(&self) -> Result<(), GateError> {
        let data = self.dir.join("data");
        let pg_ctl = self.bindir.join("pg_ctl");
        let log = self.dir.join("server.log");
        self.run_pg(
            "pg_ctl start",
            &[
                pg_ctl.to_string_lossy().as_ref(),
                "-D",
                data.to_string_lossy().as_ref(),
                "-l",
                log.to_string_lossy().as_ref(),
                "-w",
                "-t",
                "60",
                "-o",
                &self.options,
                "start",
            ],
        )
    }

    /// Restarts the server as an operator would (`pg_ctl stop -m fast`:
    /// every session is terminated), keeps it down for `down`, and starts
    /// it again on the same port, returning once it accepts connections.
    ///
    /// ```no_run
    /// let cluster = gate::db::Cluster::start().unwrap();
    /// cluster.restart(std::time::Duration::from_secs(1)).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// [`GateError::Database`] when `pg_ctl` fails to stop or start it.
    pub fn restart(&self, down: std::time::Duration) -> Result<(), GateError> {
        let data = self.dir.join("data");
        let pg_ctl = self.bindir.join("pg_ctl");
        self.run_pg(
            "pg_ctl stop",
            &[
                pg_ctl.to_string_lossy().as_ref(),
                "-D",
                data.to_string_lossy().as_ref(),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
        )?;
        std::thread::sleep(down);
        self.server_start()
    }

    /// The URL of the cluster's `postgres` database.
    pub fn url(&self) -> String {
        format!("postgresql://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// The cluster's directory (data, socket, log).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn run_pg(&self, what: &str, argv: &[&str]) -> Result<(), GateError> {
        let mut cmd = if self.as_postgres {
            let line = argv
                .iter()
                .map(|a| sh_quote(a))
                .collect::<Vec<_>>()
                .join(" ");
            let mut c = Command::new("su");
            c.args(["postgres", "-s", "/bin/sh", "-c", &line]);
            c
        } else {
            let mut c = Command::new(argv[0]);
            c.args(&argv[1..]);
            c
        };
        let out = cmd
            .current_dir("/")
            .stdin(Stdio::null())
            .process_group(0)
            .output()
            .map_err(|e| GateError::io(&format!("cannot run {what} in"), &self.dir, e))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(GateError::Database {
                what: what.to_string(),
                output: format!(
                    "{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                ),
            })
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.port != 0 {
            let data = self.dir.join("data");
            let pg_ctl = self.bindir.join("pg_ctl");
            let _ = self.run_pg(
                "pg_ctl stop",
                &[
                    pg_ctl.to_string_lossy().as_ref(),
                    "-D",
                    data.to_string_lossy().as_ref(),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ],
            );
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn ensure_postgres_user() -> Result<(), GateError> {
    let known = Command::new("id")
        .arg("postgres")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if known {
        return Ok(());
    }
    let out = Command::new("useradd")
        .args([
            "--system",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            "postgres",
        ])
        .output()
        .map_err(|e| GateError::io("cannot run useradd for", PathBuf::from("postgres"), e))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(GateError::Database {
            what: "creating the unprivileged `postgres` user".into(),
            output: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }
}

/// Where the throwaway database lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseSource {
    /// On the server the user named.
    Given,
    /// On a cluster the gate started.
    OwnCluster,
}

/// A uniquely named database created for one gate run, dropped when this
/// is dropped (unless kept); the gate's own cluster, if any, goes with it.
#[derive(Debug)]
pub struct Database {
    name: String,
    url: String,
    server_url: String,
    psql: PathBuf,
    keep: bool,
    // Dropped after the database (field order), so the drop can connect.
    cluster: Option<Cluster>,
}

impl Database {
    /// Creates the database on `server_url` (any database URL of a server
    /// the user may create databases on) or, without one, on a cluster the
    /// gate starts.
    ///
    /// ```no_run
    /// let db = gate::db::Database::create(Some("postgresql://postgres@127.0.0.1:5432/postgres"), false).unwrap();
    /// assert!(db.url().contains("/archgen_gate_"));
    /// // Dropping `db` drops the database.
    /// ```
    ///
    /// # Errors
    ///
    /// [`GateError::NoPostgres`] when no server is given and PostgreSQL is
    /// not installed; [`GateError::NoPsql`]; [`GateError::Database`] when
    /// the cluster cannot start or `CREATE DATABASE` fails.
    pub fn create(server_url: Option<&str>, keep: bool) -> Result<Database, GateError> {
        let (cluster, server_url) = match server_url {
            Some(url) => (None, url.to_string()),
            None => {
                let cluster = Cluster::start()?;
                let url = cluster.url();
                (Some(cluster), url)
            }
        };
        let psql = psql_path()?;
        let name = format!("archgen_gate_{}", random_hex(6));
        let db = Database {
            url: with_database(&server_url, &name),
            name,
            server_url,
            psql,
            keep,
            cluster,
        };
        db.psql_command(&format!("CREATE DATABASE \"{}\"", db.name))?;
        Ok(db)
    }

    /// Another throwaway database on the same server (or cluster), dropped
    /// when it is dropped, unless this one is kept. Drop it before this
    /// one: the cluster goes with this one.
    ///
    /// # Errors
    ///
    /// [`GateError::Database`] when `CREATE DATABASE` fails.
    pub fn sibling(&self) -> Result<Database, GateError> {
        let name = format!("archgen_gate_{}", random_hex(6));
        let db = Database {
            url: with_database(&self.server_url, &name),
            name,
            server_url: self.server_url.clone(),
            psql: self.psql.clone(),
            keep: self.kept(),
            cluster: None,
        };
        db.psql_command(&format!("CREATE DATABASE \"{}\"", db.name))?;
        Ok(db)
    }

    /// The database's URL, for `DATABASE_URL`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where it lives.
    pub fn source(&self) -> DatabaseSource {
        if self.cluster.is_some() {
            DatabaseSource::OwnCluster
        } else {
            DatabaseSource::Given
        }
    }

    /// The cluster the gate started for it, if it did (`None` on a given
    /// server).
    pub fn cluster(&self) -> Option<&Cluster> {
        self.cluster.as_ref()
    }

    /// Whether it is kept after the run.
    pub fn kept(&self) -> bool {
        self.keep && self.cluster.is_none()
    }

    /// Runs one SQL statement in this database and returns its rows as
    /// psql prints them unaligned (`|` between columns, a line per row).
    /// The session is named `archgen-gate`, so it can be told apart from
    /// the app's in `pg_stat_activity`.
    ///
    /// ```no_run
    /// let db = gate::db::Database::create(None, false).unwrap();
    /// assert_eq!(db.query("SELECT 1 + 1").unwrap(), "2");
    /// ```
    ///
    /// # Errors
    ///
    /// [`GateError::Database`] when the statement fails.
    pub fn query(&self, sql: &str) -> Result<String, GateError> {
        let out = Command::new(&self.psql)
            .args([
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                &self.url,
                "-c",
                sql,
            ])
            .env("PGAPPNAME", "archgen-gate")
            .stdin(Stdio::null())
            .process_group(0)
            .output()
            .map_err(|e| GateError::io("cannot run", &self.psql, e))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(GateError::Database {
                what: format!("`{sql}`"),
                output: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            })
        }
    }

    fn psql_command(&self, sql: &str) -> Result<(), GateError> {
        let out = Command::new(&self.psql)
            .args([
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                &self.server_url,
                "-c",
                sql,
            ])
            .stdin(Stdio::null())
            .process_group(0)
            .output()
            .map_err(|e| GateError::io("cannot run", &self.psql, e))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(GateError::Database {
                what: format!("`{sql}`"),
                output: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            })
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if !self.kept() && self.cluster.is_none() {
            let _ = self.psql_command(&format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ));
        }
    }
}
