//! The `fuzz` stage: schemathesis, every check, against the running app,
//! signed in as an admin (`docs/quality-gate.md`).
//!
//! The gate brings its own schemathesis, pinned ([`SCHEMATHESIS_VERSION`]):
//! on first use it is installed with pip into a virtualenv under the cache
//! directory (`<cache>/tools/schemathesis-<version>`) and reused by every
//! later run. Its configuration ([`CONFIG`]) is embedded in the gate and
//! written beside the stage's log; it hands schemathesis the session cookie
//! and the CSRF header through the document's security schemes and says why
//! each check it narrows is narrowed. A fixed seed and a bounded number of
//! cases per operation keep the run deterministic and within a minute or two.

use crate::process::{run_logged, tail, Outcome};
use crate::report::{StageDetail, StageReport, StageStatus};
use crate::{GateError, Project};
use std::collections::BTreeSet;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The schemathesis release the gate installs and runs.
pub const SCHEMATHESIS_VERSION: &str = "4.32.5";

/// The schemathesis configuration of the stage: authentication through the
/// document's `session` and `csrf` schemes, and each narrowed check with
/// its reason.
pub const CONFIG: &str = include_str!("../schemathesis.toml");

/// The seed of every run: the same cases each time.
const SEED: &str = "1";

/// Cases per operation and phase: enough to reach every status the
/// document lists, few enough for a run of a minute or two.
const MAX_EXAMPLES: &str = "30";

/// Operations tested at once: one. Two would keep both cores busy (the
/// tasks example's stage took 48 s instead of 60 s), but schemathesis
/// 4.32.5's coverage phase is not safe across worker threads: a corpus
/// spec's run stopped on a `KeyError` inside its shared value cache.
const WORKERS: &str = "1";

/// The checks `--checks all` leaves out, each for the reason given in
/// [`CONFIG`] (the command line outranks the file, so it is said here).
const EXCLUDED_CHECKS: &str = "ensure_resource_availability";

/// How long installing schemathesis may take.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(600);

/// How long one schemathesis run may take.
const RUN_TIMEOUT: Duration = Duration::from_secs(900);

/// At most this many failures are listed in the stage's details.
const MAX_FAILURES: usize = 200;

/// Why the stage could not run schemathesis at all.
#[derive(Debug, thiserror::Error)]
enum FuzzError {
    /// Installing schemathesis failed.
    #[error("schemathesis {SCHEMATHESIS_VERSION} could not be installed into {venv} (it needs python3 with its venv module, and PyPI or a pip index reachable): {reason}")]
    Install {
        /// The virtualenv it was being installed into.
        venv: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The admin account could not be made or signed in.
    #[error("no admin could sign in for schemathesis: {0}")]
    SignIn(String),
    /// A file of the stage could not be written or a process started.
    #[error(transparent)]
    Gate(#[from] GateError),
}

/// What the stage needs from the gate.
pub(crate) struct FuzzRun<'a> {
    pub project: &'a Project,
    pub cache: &'a Path,
    pub logs: &'a Path,
    pub port: u16,
    pub create_user: &'a crate::conformance::UserCreator<'a>,
    pub stopped: &'a (dyn Fn() -> bool + Sync),
}

/// Runs the stage against the app on `run.port`.
pub(crate) fn stage(run: &FuzzRun<'_>) -> Result<StageReport, GateError> {
    let started = Instant::now();
    let outcome = (|| -> Result<Outcome, FuzzError> {
        let st = schemathesis(run.cache, run.logs, run.stopped)?;
        let base = format!("http://127.0.0.1:{}", run.port);
        let (session, csrf) = sign_in_admin(run, &base)?;
        let config = run.logs.join("schemathesis.toml");
        std::fs::write(&config, CONFIG)
            .map_err(|e| GateError::io("cannot write", config.clone(), e))?;
        let mut cmd = Command::new(&st);
        cmd.arg("--config-file")
            .arg(&config)
            .args(["run", &format!("{base}/openapi.json"), "--url", &base])
            .args(["--checks", "all", "--exclude-checks", EXCLUDED_CHECKS])
            .args(["--seed", SEED, "--max-examples", MAX_EXAMPLES])
            .args(["--generation-database", "none", "--workers", WORKERS])
            .arg("--no-color")
            .env("ARCHGEN_ST_SESSION", session)
            .env("ARCHGEN_ST_CSRF", csrf)
            .current_dir(run.logs)
            .stdin(Stdio::null())
            .process_group(0);
        Ok(run_logged(
            cmd,
            &run.logs.join("fuzz.log"),
            RUN_TIMEOUT,
            run.stopped,
        )?)
    })();
    let outcome = match outcome {
        Ok(o) => o,
        Err(FuzzError::Gate(GateError::Interrupted)) => return Err(GateError::Interrupted),
        Err(e) => {
            return Ok(StageReport {
                name: "fuzz".into(),
                status: StageStatus::Failed,
                duration_ms: started.elapsed().as_millis() as u64,
                log_excerpt: e.to_string(),
                checks: None,
                results: Vec::new(),
                details: Vec::new(),
                steps: Vec::new(),
            })
        }
    };
    let details = if outcome.success {
        Vec::new()
    } else {
        failures(&outcome.log)
    };
    let mut excerpt = summary(&outcome.log);
    if !outcome.success && details.is_empty() {
        excerpt = tail(&outcome.log, 40);
    }
    Ok(StageReport {
        name: "fuzz".into(),
        status: if outcome.success {
            StageStatus::Passed
        } else {
            StageStatus::Failed
        },
        duration_ms: started.elapsed().as_millis() as u64,
        log_excerpt: excerpt,
        checks: None,
        results: Vec::new(),
        details,
        steps: Vec::new(),
    })
}

/// The `st` executable of the pinned schemathesis under the cache,
/// installed first when it is not there yet (one installer at a time,
/// through a lock file).
fn schemathesis(
    cache: &Path,
    logs: &Path,
    stopped: &(dyn Fn() -> bool + Sync),
) -> Result<PathBuf, FuzzError> {
    let tools = cache.join("tools");
    let venv = tools.join(format!("schemathesis-{SCHEMATHESIS_VERSION}"));
    let st = venv.join("bin").join("st");
    let done = venv.join(".archgen-installed");
    if st.is_file() && done.is_file() {
        return Ok(st);
    }
    let install_error = |reason: String| FuzzError::Install {
        venv: venv.clone(),
        reason,
    };
    std::fs::create_dir_all(&tools)
        .map_err(|e| GateError::io("cannot create the tools directory", tools.clone(), e))?;
    let _lock = Lock::acquire(&tools.join("schemathesis.lock"), stopped)?;
    if st.is_file() && done.is_file() {
        return Ok(st);
    }
    let log = logs.join("fuzz-install.log");
    let mut venv_cmd = Command::new("python3");
    venv_cmd
        .args(["-m", "venv", "--clear"])
        .arg(&venv)
        .stdin(Stdio::null())
        .process_group(0);
    let made = run_logged(venv_cmd, &log, INSTALL_TIMEOUT, stopped).map_err(|e| match e {
        GateError::Interrupted => FuzzError::Gate(e),
        other => install_error(format!("python3 cannot be run: {other}")),
    })?;
    if !made.success {
        return Err(install_error(tail(&made.log, 10)));
    }
    let mut pip = Command::new(venv.join("bin").join("python3"));
    pip.args(["-m", "pip", "install", "-q", "--disable-pip-version-check"])
        .arg(format!("schemathesis=={SCHEMATHESIS_VERSION}"))
        .env("PIP_CACHE_DIR", cache.join("pip"))
        .stdin(Stdio::null())
        .process_group(0);
    let installed = run_logged(pip, &log, INSTALL_TIMEOUT, stopped)?;
    if !installed.success || !st.is_file() {
        return Err(install_error(tail(&installed.log, 10)));
    }
    std::fs::write(&done, SCHEMATHESIS_VERSION)
        .map_err(|e| GateError::io("cannot write", done.clone(), e))?;
    Ok(st)
}

/// An exclusive lock on a file, held until dropped (or the process ends).
struct Lock(std::fs::File);

impl Lock {
    fn acquire(path: &Path, stopped: &(dyn Fn() -> bool + Sync)) -> Result<Lock, GateError> {
        use std::os::fd::AsRawFd;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(|e| GateError::io("cannot open the lock", path, e))?;
        loop {
            // SAFETY: flock(2) on a descriptor this function owns.
            let r = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
            if r == 0 {
                return Ok(Lock(file));
            }
            if stopped() {
                return Err(GateError::Interrupted);
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        use std::os::fd::AsRawFd;
        // SAFETY: flock(2) on the descriptor this lock owns.
        unsafe {
            libc::flock(self.0.as_raw_fd(), libc::LOCK_UN);
        }
    }
}

/// Creates an admin with the plan's user command, signs it in, and
/// returns its `session` and `csrf_token` cookies.
fn sign_in_admin(run: &FuzzRun<'_>, base: &str) -> Result<(String, String), FuzzError> {
    let model = &run.project.model;
    let role = model
        .roles
        .iter()
        .find(|r| r.admin)
        .ok_or_else(|| FuzzError::SignIn("the spec has no admin role".into()))?;
    let email = format!("fuzz.{}@example.com", crate::db::random_hex(8));
    let password = format!("fuzz passphrase {}", crate::db::random_hex(12));
    (run.create_user)(&email, &password, &role.name).map_err(FuzzError::SignIn)?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let body = serde_json::json!({ "email": email, "password": password });
    let response = agent
        .post(&format!("{base}{}/auth/login", model.api.base_path))
        .header("Content-Type", "application/json")
        .send(body.to_string())
        .map_err(|e| FuzzError::SignIn(format!("POST /auth/login: {e}")))?;
    if response.status().as_u16() != 200 {
        return Err(FuzzError::SignIn(format!(
            "POST /auth/login answered {}",
            response.status().as_u16()
        )));
    }
    let cookies: Vec<(String, String)> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim_matches('"').to_string()))
        .collect();
    let cookie = |name: &str| {
        cookies
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| FuzzError::SignIn(format!("the login set no `{name}` cookie")))
    };
    Ok((cookie("session")?, cookie("csrf_token")?))
}

/// schemathesis's unique failures in its output: one per operation and
/// failure title (the `- ST101 Server error` lines under each
/// `___ METHOD /path ___` heading of its FAILURES section, with the first
/// line of the explanation below it), the operation as the detail's `file`.
fn failures(log: &str) -> Vec<StageDetail> {
    let mut seen = BTreeSet::new();
    let mut out: Vec<StageDetail> = Vec::new();
    let mut operation: Option<String> = None;
    let mut in_failures = false;
    // The failure just listed, waiting for the first line that explains it.
    let mut explaining: Option<usize> = None;
    for line in log.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("===") {
            in_failures = trimmed.contains("FAILURES");
            operation = None;
            explaining = None;
            continue;
        }
        if !in_failures {
            continue;
        }
        if trimmed.starts_with("___") && trimmed.ends_with("___") {
            operation = Some(trimmed.trim_matches('_').trim().to_string());
            explaining = None;
            continue;
        }
        let Some(op) = &operation else { continue };
        if let Some(title) = line.strip_prefix("- ") {
            let title = title.trim().to_string();
            explaining = None;
            if seen.insert((op.clone(), title.clone())) && out.len() < MAX_FAILURES {
                out.push(StageDetail {
                    file: op.clone(),
                    line: None,
                    column: None,
                    message: title,
                });
                explaining = Some(out.len() - 1);
            }
        } else if line.starts_with("    ") && !trimmed.is_empty() {
            if let Some(i) = explaining {
                let joiner = if out[i].message.contains(": ") {
                    "; "
                } else {
                    ": "
                };
                out[i].message = format!("{}{joiner}{trimmed}", out[i].message);
            }
        } else if trimmed.is_empty() {
            // A blank line after the explanation's first paragraph ends it.
            if explaining.is_some_and(|i| out[i].message.contains(": ")) {
                explaining = None;
            }
        } else {
            explaining = None;
        }
    }
    out
}

/// The end of schemathesis's output: its summary, from the line that
/// starts it (`SUMMARY`), else the last lines.
fn summary(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    match lines.iter().rposition(|l| l.contains("SUMMARY")) {
        Some(i) => lines[i..].join("\n"),
        None => tail(log, 20),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_failures_are_read_per_operation() {
        let log = "\
=================================== FAILURES ===================================
______________________________ POST /api/projects ______________________________
1. Test Case ID: a1

- ST101 Server error

- ST103 Undocumented HTTP status code

    Received: 500

[500] Internal Server Error:

    `boom`

2. Test Case ID: b2

- ST101 Server error

________________________________ GET /api/tasks ________________________________
1. Test Case ID: c3

- ST108 Response violates schema

    \"x\" is not of type \"integer\"

    Validated against the response schema for status code 200.

3. Test Case ID: d4

- ST201 Schema-violating request accepted

    Invalid data should have been rejected
    Invalid component: in body - starts_at: Incorrect type

[200] OK:

=================================== SUMMARY ====================================
- not a failure
";
        let found: Vec<String> = failures(log)
            .iter()
            .map(|d| format!("{}: {}", d.file, d.message))
            .collect();
        assert_eq!(
            found,
            [
                "POST /api/projects: ST101 Server error",
                "POST /api/projects: ST103 Undocumented HTTP status code: Received: 500",
                "GET /api/tasks: ST108 Response violates schema: \"x\" is not of type \"integer\"",
                "GET /api/tasks: ST201 Schema-violating request accepted: Invalid data should have been rejected; Invalid component: in body - starts_at: Incorrect type",
            ]
        );
        assert!(summary(log).starts_with("===") && summary(log).contains("SUMMARY"));
    }

    #[test]
    fn the_config_authenticates_through_the_documents_schemes() {
        assert!(CONFIG.contains("[auth.openapi]"));
        assert!(CONFIG.contains("${ARCHGEN_ST_SESSION}"));
        assert!(CONFIG.contains("${ARCHGEN_ST_CSRF}"));
    }
}
