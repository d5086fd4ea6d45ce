//! Running a project's make targets: each in its own process group, with a
//! timeout, output captured to a log file, stopped as a group.

use crate::GateError;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How a command ended.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub success: bool,
    pub duration: Duration,
    pub log: String,
}

/// Sends `signal` to the process group led by `pid`.
pub(crate) fn signal_group(pid: u32, signal: i32) {
    if let Ok(pid) = i32::try_from(pid) {
        if pid > 0 {
            // SAFETY: kill(2) with a negative pid signals a process group;
            // it has no memory effects.
            unsafe {
                libc::kill(-pid, signal);
            }
        }
    }
}

/// Stops a process group: TERM, a grace period, then KILL; reaps the
/// leader.
pub(crate) fn stop_group(child: &mut Child) {
    let pid = child.id();
    signal_group(pid, libc::SIGTERM);
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    signal_group(pid, libc::SIGKILL);
    let _ = child.kill();
    let _ = child.wait();
}

/// The last `lines` lines of a text.
pub(crate) fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// A `make` command in `dir` with the gate's environment, in its own
/// process group (so a terminal's Ctrl-C reaches the gate, which stops it).
pub(crate) fn make_command(dir: &Path, args: &[String], env: &[(String, String)]) -> Command {
    let mut cmd = Command::new("make");
    cmd.arg("--no-print-directory")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .process_group(0);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Runs a command to completion (or its timeout, or an interrupt), its
/// output in `log_path`.
pub(crate) fn run_logged(
    mut cmd: Command,
    log_path: &Path,
    timeout: Duration,
    stopped: &(dyn Fn() -> bool + Sync),
) -> Result<Outcome, GateError> {
    let log = std::fs::File::create(log_path)
        .map_err(|e| GateError::io("cannot create the log", log_path, e))?;
    let err = log
        .try_clone()
        .map_err(|e| GateError::io("cannot create the log", log_path, e))?;
    cmd.stdout(log).stderr(err);
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| GateError::io("cannot start `make` in", PathBuf::from("."), e))?;
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child
            .try_wait()
            .map_err(|e| GateError::io("cannot wait for `make` in", PathBuf::from("."), e))?
        {
            break Some(status);
        }
        if stopped() {
            stop_group(&mut child);
            return Err(GateError::Interrupted);
        }
        if started.elapsed() > timeout {
            timed_out = true;
            stop_group(&mut child);
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut text = std::fs::read_to_string(log_path).unwrap_or_default();
    if timed_out {
        text.push_str(&format!("\n(timed out after {} s)", timeout.as_secs()));
    }
    Ok(Outcome {
        success: status.is_some_and(|s| s.success()),
        duration: started.elapsed(),
        log: text,
    })
}

/// A server started by the gate (`make run`): its process group is stopped
/// when this is dropped, however the gate ends.
#[derive(Debug)]
pub(crate) struct Server {
    child: Child,
}

impl Server {
    pub(crate) fn spawn(mut cmd: Command, log_path: &Path) -> Result<Server, GateError> {
        let log = std::fs::File::create(log_path)
            .map_err(|e| GateError::io("cannot create the log", log_path, e))?;
        let err = log
            .try_clone()
            .map_err(|e| GateError::io("cannot create the log", log_path, e))?;
        let child = cmd
            .stdout(log)
            .stderr(err)
            .spawn()
            .map_err(|e| GateError::io("cannot start `make run` in", PathBuf::from("."), e))?;
        Ok(Server { child })
    }

    /// Whether the server has exited.
    pub(crate) fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        stop_group(&mut self.child);
    }
}

/// A free loopback port.
pub(crate) fn free_port() -> Result<u16, GateError> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| GateError::io("cannot find a free port on", PathBuf::from("127.0.0.1"), e))
}

/// Quotes a word for `sh -c`.
pub(crate) fn sh_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', "'\\''"))
}
