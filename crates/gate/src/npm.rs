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
use crate::reuse;
use crate::{stage_report, GateError, Project, StageReport, StepTime};

/// One npm command of a stage: its name in logs and times, its
/// arguments, its timeout in seconds, and what of an earlier run it may
/// reuse.
pub(crate) type Step = (&'static str, &'static [&'static str], u64, Reuse);

/// What of an earlier run a step may reuse ([`crate::reuse`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reuse {
    /// It always runs: it writes what later steps read, or it talks to
    /// the running app.
    Never,
    /// `npm ci`: skipped when `node_modules` was installed from this lock
    /// file by this Node.js.
    Install,
    /// It only reads files and reports: skipped when it passed before on
    /// exactly the same files.
    Unchanged,
}

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
    /// Each step that ran or was reused, with its time.
    pub steps: Vec<StepTime>,
    /// Where the steps ran: the project's root and the npm project's
    /// directory under it (`clients/ts`), so the places the tools report
    /// name files from the project's root.
    pub place: Option<(PathBuf, String)>,
}

impl Steps {
    /// The steps of `then`, run after these.
    pub(crate) fn then(&mut self, then: Steps) {
        self.success &= then.success;
        self.failed = self.failed.or(then.failed);
        self.log.push_str(&then.log);
        self.steps.extend(then.steps);
        self.place = self.place.take().or(then.place);
        self.times = self
            .steps
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ");
    }

    /// A file a tool named, from the project's root: an absolute path under
    /// it loses the root, a relative one (from the npm project's directory)
    /// gains the directory; anything else is kept as the tool wrote it.
    fn file_from_root(&self, file: &str) -> String {
        let Some((root, package)) = &self.place else {
            return file.to_string();
        };
        let path = Path::new(file);
        if path.is_absolute() {
            return path.strip_prefix(root).map_or_else(
                |_| file.to_string(),
                |rel| rel.to_string_lossy().replace('\\', "/"),
            );
        }
        format!("{package}/{}", file.trim_start_matches("./"))
    }

    /// The time the steps took, one after the other.
    pub(crate) fn duration(&self) -> Duration {
        Duration::from_millis(self.steps.iter().map(|s| s.duration_ms).sum())
    }
}

/// What a stage's steps that need no running app did, run ahead of the
/// app beside the project's own tests ([`crate::verify`]): the steps so
/// far, or the stage's whole report when it ends there (skipped, or
/// failed before a step could run).
pub(crate) type Prepared = Result<Steps, StageReport>;

/// A stage's function that runs its steps ahead of the app
/// (`client::prepare`, …).
pub(crate) type PrepareFn = fn(&Prepare<'_>) -> Result<Prepared, GateError>;

/// What the steps run ahead of the app need.
pub(crate) struct Prepare<'a> {
    /// The project.
    pub project: &'a Project,
    /// The gate's cache directory.
    pub cache: &'a Path,
    /// Where the logs go.
    pub logs: &'a Path,
    /// Whether the run was stopped, or its result is no longer wanted.
    pub stopped: &'a (dyn Fn() -> bool + Sync),
    /// Reuse nothing of an earlier run ([`crate::VerifyOptions::fresh`]).
    pub fresh: bool,
    /// The tree a step's key covers ([`StepRun::sources`]).
    pub sources: PathBuf,
}

impl Prepare<'_> {
    /// A run of steps in `dir` with these settings.
    pub(crate) fn steps<'a>(
        &'a self,
        dir: &'a Path,
        prefix: &'a str,
        env: &'a [(String, OsString)],
    ) -> StepRun<'a> {
        StepRun {
            dir,
            cache: self.cache,
            logs: self.logs,
            prefix,
            env,
            stopped: self.stopped,
            sources: self.sources.as_path(),
            fresh: self.fresh,
        }
    }
}

/// What the steps against the running app need (the `client`, `admin`
/// and `mobile` stages, after [`Prepare`]'s steps).
#[derive(Clone, Copy)]
pub(crate) struct AppSide<'a> {
    /// The project.
    pub project: &'a Project,
    /// The gate's cache directory.
    pub cache: &'a Path,
    /// Where the logs go.
    pub logs: &'a Path,
    /// The running app's port.
    pub port: u16,
    /// Whether the run was stopped.
    pub stopped: &'a (dyn Fn() -> bool + Sync),
}

impl AppSide<'_> {
    /// Runs `steps` in the project's `package` directory with `env`,
    /// reusing nothing (they talk to the app).
    pub(crate) fn run(
        &self,
        package: &str,
        prefix: &str,
        env: &[(String, OsString)],
        steps: &[Step],
    ) -> Result<Steps, GateError> {
        run_steps(
            &StepRun {
                dir: &self.project.dir.join(package),
                cache: self.cache,
                logs: self.logs,
                prefix,
                env,
                stopped: self.stopped,
                sources: &self.project.dir.join(crate::reuse::SOURCES),
                fresh: true,
            },
            steps,
        )
    }

    /// The running app's base URL.
    pub(crate) fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// Adds an account's `<PREFIX>_EMAIL` and `<PREFIX>_PASSWORD` to `env`,
/// when there is one.
pub(crate) fn push_account(
    env: &mut Vec<(String, OsString)>,
    prefix: &str,
    account: Option<&(String, String)>,
) {
    if let Some((email, password)) = account {
        env.push((format!("{prefix}_EMAIL"), email.into()));
        env.push((format!("{prefix}_PASSWORD"), password.into()));
    }
}

/// `npm ci` from the committed lock file, within `timeout` seconds; skipped
/// when `node_modules` was installed from it ([`Reuse::Install`]).
pub(crate) const fn install(timeout: u64) -> Step {
    (
        "install",
        &["ci", "--no-audit", "--no-fund", "--prefer-offline"],
        timeout,
        Reuse::Install,
    )
}

/// How long a type check or a lint may take: a bound against a step that
/// hangs, not a speed target. Each takes under a minute on two cores, but
/// beside the gate's other stages and other gates on a loaded machine a
/// mobile app's lint once took past 180 s and failed a passing project.
const READ_ONLY_TIMEOUT: u64 = 600;

/// `tsc --noEmit`: read-only.
pub(crate) const TYPECHECK: Step = (
    "typecheck",
    &["exec", "--no", "--", "tsc", "--noEmit"],
    READ_ONLY_TIMEOUT,
    Reuse::Unchanged,
);

/// `npm run lint` (ESLint, then Prettier's check): read-only.
pub(crate) const LINT: Step = (
    "lint",
    &["run", "lint"],
    READ_ONLY_TIMEOUT,
    Reuse::Unchanged,
);

/// A stage's report from its steps: their log, `extra`, and a `times:`
/// line; its duration is the steps' time, one after the other (some ran
/// ahead of the app, beside other stages).
pub(crate) fn report(name: &str, steps: Steps, extra: &str) -> StageReport {
    let log = format!("{}{extra}times: {}\n", steps.log, steps.times);
    let mut report = stage_report(name, steps.success, steps.duration(), &log);
    for detail in &mut report.details {
        detail.file = steps.file_from_root(&detail.file);
    }
    report.steps = steps.steps;
    report
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
    /// The tree whose files a [`Reuse::Unchanged`] step's key covers (the
    /// project's `clients/`: the apps read the typed client).
    pub sources: &'a Path,
    /// Reuse nothing of an earlier run.
    pub fresh: bool,
}

/// Runs `steps` in order in `run.dir`, stopping at the first that fails;
/// a step whose result an earlier run left ([`Reuse`]) is not run again
/// unless `run.fresh`, and the log says so.
pub(crate) fn run_steps(run: &StepRun<'_>, steps: &[Step]) -> Result<Steps, GateError> {
    let npm_cache = cache_dir(run.cache);
    let node = reuse::node_version();
    let root = run.sources.parent().unwrap_or(run.sources);
    let place = run.dir.strip_prefix(root).ok().map(|package| {
        (
            root.to_path_buf(),
            package.to_string_lossy().replace('\\', "/"),
        )
    });
    let mut out = Steps {
        success: true,
        failed: None,
        log: String::new(),
        times: String::new(),
        steps: Vec::new(),
        place,
    };
    for &(name, args, timeout, kind) in steps {
        let started = Instant::now();
        let key = match kind {
            Reuse::Unchanged if !run.fresh => reuse::fingerprint(run.sources)
                .map(|files| reuse::step_key(run.prefix, args, &node, &files)),
            _ => None,
        };
        let kept = match kind {
            Reuse::Install if !run.fresh => reuse::kept_install(run.cache, run.dir, &node),
            _ => None,
        };
        let reused = match (kind, &key) {
            (Reuse::Install, _) if !run.fresh && reuse::installed(run.dir, &node) => Some(
                "not run: node_modules was installed from this package-lock.json by this Node.js",
            ),
            (Reuse::Install, _)
                if kept
                    .as_deref()
                    .is_some_and(|kept| reuse::link_kept_install(kept, run.dir)) =>
            {
                reuse::stamp_install(run.dir, &node);
                Some(
                    "not run: node_modules was linked from an install of this package.json and \
                     package-lock.json by this Node.js kept in the cache",
                )
            }
            (_, Some(key)) if reuse::passed_before(run.cache, key) => Some(
                "not run: it passed before on exactly these files (`archgen verify --fresh` runs it)",
            ),
            _ => None,
        };
        if let Some(why) = reused {
            out.log
                .push_str(&format!("$ npm {}\n({why})\n", args.join(" ")));
            out.steps.push(StepTime {
                name: name.to_string(),
                duration_ms: started.elapsed().as_millis() as u64,
                reused: true,
            });
            continue;
        }
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
        let outcome = run_logged(cmd, &path, Duration::from_secs(timeout), run.stopped)?;
        out.steps.push(StepTime {
            name: name.to_string(),
            duration_ms: started.elapsed().as_millis() as u64,
            reused: false,
        });
        out.log
            .push_str(&format!("$ npm {}\n{}\n", args.join(" "), outcome.log));
        if !outcome.success {
            out.success = false;
            out.failed = Some(name);
            break;
        }
        match (kind, key) {
            (Reuse::Install, _) => {
                if let Some(kept) = &kept {
                    reuse::keep_install(run.dir, kept);
                }
                reuse::stamp_install(run.dir, &node);
            }
            (_, Some(key)) => {
                reuse::remember(run.cache, &key, &format!("{} {name}", run.prefix));
            }
            _ => {}
        }
    }
    out.times = out
        .steps
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
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
    use super::{flaky_note, report, Steps};
    use crate::{StageStatus, StepTime};

    fn steps(success: bool, names: &[(&'static str, u64, bool)]) -> Steps {
        let steps: Vec<StepTime> = names
            .iter()
            .map(|&(name, ms, reused)| StepTime {
                name: name.into(),
                duration_ms: ms,
                reused,
            })
            .collect();
        Steps {
            success,
            failed: (!success).then(|| names.last().map_or("install", |n| n.0)),
            log: names.iter().map(|n| format!("$ {}\n", n.0)).collect(),
            times: String::new(),
            steps,
            place: None,
        }
    }

    /// A warm run skips what it may reuse and runs what changed; `fresh`
    /// runs everything. `npm --version` stands in for the real commands
    /// (it runs anywhere); without npm the test has nothing to run.
    #[test]
    fn a_second_run_reuses_the_install_and_the_read_only_step_until_a_file_changes() {
        use super::{run_steps, Reuse, Step, StepRun};
        if !super::available() {
            eprintln!("npm is not installed: nothing to run");
            return;
        }
        let root = tempfile::tempdir().unwrap();
        let sources = root.path().join("clients");
        let dir = sources.join("ts");
        std::fs::create_dir_all(dir.join("node_modules")).unwrap();
        std::fs::write(dir.join("package-lock.json"), "{}").unwrap();
        std::fs::write(dir.join("index.ts"), "export {};\n").unwrap();
        let cache = root.path().join("cache");
        let logs = root.path().join("logs");
        std::fs::create_dir_all(&logs).unwrap();
        const STEPS: [Step; 3] = [
            ("install", &["--version"], 60, Reuse::Install),
            ("lint", &["--version"], 60, Reuse::Unchanged),
            ("build", &["--version"], 60, Reuse::Never),
        ];
        let never = || false;
        let run = |fresh: bool| {
            let run = StepRun {
                dir: &dir,
                cache: &cache,
                logs: &logs,
                prefix: "client",
                env: &[],
                stopped: &never,
                sources: &sources,
                fresh,
            };
            let done = run_steps(&run, &STEPS).unwrap();
            assert!(done.success, "{}", done.log);
            done.steps.iter().map(|s| s.reused).collect::<Vec<_>>()
        };
        assert_eq!(
            run(false),
            [false, false, false],
            "a first run runs everything"
        );
        assert_eq!(run(false), [true, true, false], "a second run reuses");
        std::fs::write(dir.join("index.ts"), "export const x = 1;\n").unwrap();
        assert_eq!(
            run(false),
            [true, false, false],
            "an edit runs the check again"
        );
        assert_eq!(run(true), [false, false, false], "fresh reuses nothing");
        std::fs::write(dir.join("package-lock.json"), "{ }").unwrap();
        assert_eq!(
            run(false),
            [false, false, false],
            "a new lock file installs again"
        );
    }

    #[test]
    fn steps_ahead_of_the_app_and_after_it_make_one_stage() {
        let mut ahead = steps(true, &[("install", 0, true), ("lint", 4_000, false)]);
        ahead.then(steps(false, &[("test", 2_500, false)]));
        assert!(!ahead.success);
        assert_eq!(ahead.failed, Some("test"));
        assert_eq!(ahead.duration().as_millis(), 6_500);
        assert_eq!(ahead.times, "install reused, lint 4.0 s, test 2.5 s");
        let stage = report("client", ahead, "a note\n");
        assert_eq!(stage.status, StageStatus::Failed);
        assert_eq!(stage.duration_ms, 6_500);
        assert_eq!(stage.steps.len(), 3);
        assert!(stage
            .log_excerpt
            .ends_with("$ test\na note\ntimes: install reused, lint 4.0 s, test 2.5 s"));
    }

    #[test]
    fn a_failed_lint_names_its_files_from_the_project_s_root() {
        let mut failed = steps(false, &[("typecheck", 1_000, false)]);
        failed.place = Some(("/work/shop".into(), "clients/admin".into()));
        failed.log.push_str(
            "src/App.tsx(3,9): error TS2304: Cannot find name 'x'.\n\
             \n\
             /work/shop/clients/admin/src/api.ts\n  \
             2:1  error  Unexpected any  @typescript-eslint/no-explicit-any\n\
             \n\
             /elsewhere/cfg.ts\n  \
             1:1  error  Parsing error  x\n",
        );
        let stage = report("admin", failed, "");
        let files: Vec<&str> = stage.details.iter().map(|d| d.file.as_str()).collect();
        assert_eq!(
            files,
            [
                "clients/admin/src/App.tsx",
                "clients/admin/src/api.ts",
                "/elsewhere/cfg.ts"
            ]
        );
    }

    #[test]
    fn a_flaky_summary_line_gives_a_note_and_a_clean_run_none() {
        let flaky = "Running 7 tests using 1 worker\n  1 flaky\n    e2e/admin.spec.ts:61:1 › x\n  6 passed (15.9s)\n";
        assert!(flaky_note(flaky).is_some_and(|n| n.contains("1 browser test(s)")));
        assert_eq!(flaky_note("  1 skipped\n  6 passed (15.9s)\n"), None);
        assert_eq!(flaky_note("a test named not flaky\n"), None);
    }
}
