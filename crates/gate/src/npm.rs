//! npm for the stages that check the project's TypeScript surfaces
//! ([`crate::client`], [`crate::admin`], [`crate::mobile`]): whether npm
//! runs, where its downloads are kept, and a run of npm steps in a
//! project directory, each logged to a file of its own.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::process::run_logged;
use crate::GateError;

/// One npm command of a stage: its name in logs and times, its
/// arguments, and its timeout in seconds.
pub(crate) type Step = (&'static str, &'static [&'static str], u64);

/// The npm cache: the caller's `npm_config_cache`, else `<cache>/npm`, so
/// warm runs install from disk.
pub(crate) fn cache_dir(cache: &Path) -> PathBuf {
    std::env::var_os("npm_config_cache")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| cache.join("npm"))
}

/// Whether `npm` runs.
pub(crate) fn available() -> bool {
    Command::new("npm")
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// What a run of steps did.
pub(crate) struct Steps {
    /// Whether every step passed.
    pub success: bool,
    /// The failed step's name, when one failed.
    pub failed: Option<&'static str>,
    /// Each step's command and output.
    pub log: String,
    /// Each step's name and wall time, as `install 6.1 s, …`.
    pub times: String,
}

/// Where and how a run of steps runs.
pub(crate) struct StepRun<'a> {
    /// The npm project's directory.
    pub dir: &'a Path,
    /// The gate's cache directory.
    pub cache: &'a Path,
    /// Where the logs go: `<logs>/<prefix>-<step>.log`.
    pub logs: &'a Path,
    /// The logs' prefix (the stage's name).
    pub prefix: &'a str,
    /// The steps' environment, beside npm's own settings.
    pub env: &'a [(String, OsString)],
    /// Whether the run was stopped.
    pub stopped: &'a (dyn Fn() -> bool + Sync),
}

/// Runs `steps` in order in `run.dir`, stopping at the first that fails.
pub(crate) fn run_steps(run: &StepRun<'_>, steps: &[Step]) -> Result<Steps, GateError> {
    let npm_cache = cache_dir(run.cache);
    let mut out = Steps {
        success: true,
        failed: None,
        log: String::new(),
        times: String::new(),
    };
    let mut times = Vec::new();
    for &(name, args, timeout) in steps {
        let mut cmd = Command::new("npm");
        cmd.args(args)
            .current_dir(run.dir)
            .stdin(Stdio::null())
            .process_group(0)
            .env("npm_config_cache", &npm_cache)
            .env("npm_config_update_notifier", "false")
            // A cold cache downloads everything: ride out a registry's
            // passing error rather than fail the stage on it.
            .env("npm_config_fetch_retries", "5")
            .env("npm_config_fetch_retry_mintimeout", "2000")
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
            .envs(run.env.iter().map(|(k, v)| (k, v)));
        let path = run.logs.join(format!("{}-{name}.log", run.prefix));
        let started = Instant::now();
        let outcome = run_logged(cmd, &path, Duration::from_secs(timeout), run.stopped)?;
        times.push(format!("{name} {:.1} s", started.elapsed().as_secs_f64()));
        out.log
            .push_str(&format!("$ npm {}\n{}\n", args.join(" "), outcome.log));
        if !outcome.success {
            out.success = false;
            out.failed = Some(name);
            break;
        }
    }
    out.times = times.join(", ");
    Ok(out)
}

/// A note for a stage's log when Playwright reported flaky tests (failed,
/// then passed on their retry): the run passes, and the note says so
/// rather than letting the retry hide it.
pub(crate) fn flaky_note(log: &str) -> Option<String> {
    let count: u32 = log
        .lines()
        .filter_map(|line| line.trim().strip_suffix(" flaky"))
        .filter_map(|n| n.parse::<u32>().ok())
        .sum();
    (count > 0).then(|| {
        format!(
            "note: {count} browser test(s) failed once and passed on their retry (Playwright calls them flaky); their first failure is above\n"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::flaky_note;

    #[test]
    fn a_flaky_summary_line_gives_a_note_and_a_clean_run_none() {
        let flaky = "Running 7 tests using 1 worker\n  1 flaky\n    e2e/admin.spec.ts:61:1 › x\n  6 passed (15.9s)\n";
        assert!(flaky_note(flaky).is_some_and(|n| n.contains("1 browser test(s)")));
        assert_eq!(flaky_note("  1 skipped\n  6 passed (15.9s)\n"), None);
        assert_eq!(flaky_note("a test named not flaky\n"), None);
    }
}
