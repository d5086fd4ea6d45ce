//! Generated python-fastapi projects in slow tests: the one virtualenv they
//! share, and the quality gate on a project directory.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The virtualenv the slow tests share for a project's locks, installed
/// from its `requirements-dev.lock` the first time those locks (and that
/// python) are met on this machine: one virtualenv per set of locks under
/// `test-venvs/` in archgen's cache ([`gate::cache_dir`]), so a fresh
/// checkout reuses those of the last, and the same locks never install
/// twice. One install at a time, across processes, through a lock file;
/// a virtualenv is used only once its install finished (a marker file
/// says so), and one left half-installed is made again.
///
/// ```no_run
/// let venv = archgen_tests::projects::shared_venv(std::path::Path::new("target/e2e/tasks"));
/// assert!(venv.join("bin/pytest").exists());
/// ```
///
/// # Panics
///
/// When `python3` is missing, the locks cannot be read, the cache cannot
/// be written, or pip fails; the message says which.
pub fn shared_venv(lock_dir: &Path) -> PathBuf {
    // The threads of one test binary take turns: the first installs.
    static INSTALLING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
    let read = |name: &str| {
        std::fs::read_to_string(lock_dir.join(name))
            .unwrap_or_else(|e| panic!("the project has no readable {name}: {e}"))
    };
    let locks = read("requirements-dev.lock") + "\0" + &read("requirements.lock");
    let (python, version) = ["python3.11", "python3"]
        .into_iter()
        .find_map(|p| {
            let out = Command::new(p).arg("--version").output().ok()?;
            Some((p, String::from_utf8_lossy(&out.stdout).into_owned()))
        })
        .expect("python3 is installed (scripts/setup)");
    let venv = test_venvs_dir().join(venv_key(&version, &locks));
    let installed = venv.join(".installed");
    if installed.is_file() {
        return venv;
    }
    // The gate's lock on `<venv>.lock`: another test binary or clone
    // installing the same locks finishes first.
    let _lock = gate::lock_staging(&venv, || {
        eprintln!("waiting for another install into {}", venv.display());
    })
    .unwrap_or_else(|e| panic!("{} cannot be locked: {e}", venv.display()));
    if installed.is_file() {
        return venv;
    }
    let started = Instant::now();
    let _ = std::fs::remove_dir_all(&venv);
    run(Command::new(python).arg("-m").arg("venv").arg(&venv));
    run(Command::new(venv.join("bin/python"))
        .args([
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "-q",
            "-r",
        ])
        .arg(lock_dir.join("requirements-dev.lock")));
    std::fs::write(&installed, &locks).expect("the marker is written");
    eprintln!(
        "shared virtualenv {} installed in {:.1}s",
        venv.display(),
        started.elapsed().as_secs_f64()
    );
    venv
}

/// The folder name of the virtualenv for a python `version` and its `locks`.
fn venv_key(version: &str, locks: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(version.trim().as_bytes());
    hasher.update([0]);
    hasher.update(locks.as_bytes());
    hasher
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Where the slow tests' virtualenvs and their mypy seed live.
fn test_venvs_dir() -> PathBuf {
    gate::cache_dir().join("test-venvs")
}

/// The mypy seed's folder beside the virtualenvs: a mypy cache of one
/// project that passed, which other projects start from.
const MYPY_SEED: &str = "mypy-seed";

/// The mypy cache a python-fastapi project checked in the slow tests may
/// start from, when one was kept ([`keep_mypy_seed`]): mypy then reads
/// the packages of the shared virtualenvs from it, the same for every
/// project, instead of analysing them again (about 4 s instead of 35 s a
/// project here). A package installed in another virtualenv, or of
/// another version, is compared by its contents and, when it differs,
/// analysed again.
///
/// Ask before writing the project. mypy takes a module's cache entry as
/// fresh without reading the file when the file's size and modification
/// second match the entry's; a project written after the seed was kept has
/// later modification times than the project the seed was made from, so
/// its modules whose names recur (`tests.*`, `migrations.*`) are compared
/// by content and checked again.
///
/// ```no_run
/// let seed = archgen_tests::projects::mypy_seed();
/// // … write the project, then before its mypy run:
/// archgen_tests::projects::seed_mypy_cache(seed.as_deref(), std::path::Path::new("target/e2e/tasks/.mypy_cache"));
/// ```
pub fn mypy_seed() -> Option<PathBuf> {
    let seed = mypy_seed_dir();
    seed.is_dir().then_some(seed)
}

/// Where the seed is kept, beside the shared virtualenvs (a fresh
/// machine has none).
fn mypy_seed_dir() -> PathBuf {
    test_venvs_dir().join(MYPY_SEED)
}

/// Copies `seed` (from [`mypy_seed`], asked before the project was
/// written) to the mypy cache `cache`, unless there is no seed or `cache`
/// exists already (a kept project's own cache is as good).
///
/// # Panics
///
/// When the copy fails.
pub fn seed_mypy_cache(seed: Option<&Path>, cache: &Path) {
    if let Some(seed) = seed {
        if !cache.exists() {
            copy_tree(seed, cache)
                .unwrap_or_else(|e| panic!("{} cannot be seeded: {e}", cache.display()));
        }
    }
}

/// Keeps the mypy cache `cache` of a project whose mypy run passed with
/// the shared virtualenv as the seed later projects start from, unless
/// one is kept already. A copy renamed into place, so a project never
/// starts from half a seed.
///
/// ```no_run
/// archgen_tests::projects::keep_mypy_seed(std::path::Path::new("target/e2e/tasks/.mypy_cache"));
/// ```
pub fn keep_mypy_seed(cache: &Path) {
    let seed = mypy_seed_dir();
    if seed.exists() || !cache.is_dir() {
        return;
    }
    let partial = seed.with_extension(format!("partial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&partial);
    if copy_tree(cache, &partial).is_ok() && std::fs::rename(&partial, &seed).is_ok() {
        return;
    }
    let _ = std::fs::remove_dir_all(&partial);
}

/// Copies the directory tree `from` to `to` (files and folders).
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// The whole quality gate on a generated python-fastapi project, with its
/// databases on the server of `database_url`.
///
/// ```no_run
/// let report = archgen_tests::projects::gate(
///     std::path::Path::new("target/evolve/project"),
///     &archgen_tests::pg_cluster_url(),
/// );
/// assert!(report.passed, "{}", archgen_tests::projects::why_failed(&report, std::path::Path::new("target/evolve/project")));
/// ```
///
/// # Panics
///
/// When the project does not load or the gate cannot run at all (a failing
/// project is a report that did not pass, not a panic).
pub fn gate(dir: &Path, database_url: &str) -> gate::QualityReport {
    gate_with(dir, database_url, gate::VerifyOptions::default())
}

/// [`gate()`] with the given settings (`database_url` replaces theirs): for a
/// test that judges the backend alone and leaves the client surfaces
/// (`skip_client`) to the runs that judge them.
///
/// ```no_run
/// let options = gate::VerifyOptions { skip_client: true, ..Default::default() };
/// let dir = std::path::Path::new("target/evolve/project");
/// let report = archgen_tests::projects::gate_with(dir, &archgen_tests::pg_cluster_url(), options);
/// assert!(report.passed, "{}", archgen_tests::projects::why_failed(&report, dir));
/// ```
///
/// # Panics
///
/// As [`gate()`].
pub fn gate_with(
    dir: &Path,
    database_url: &str,
    options: gate::VerifyOptions,
) -> gate::QualityReport {
    let engine = render::Engine::with_builtins();
    let stack = stacks::builtin()
        .into_iter()
        .find(|s| s.id() == "python-fastapi")
        .expect("the python-fastapi stack");
    let project = gate::Project::load(dir, None, &engine).expect("the project loads");
    let options = gate::VerifyOptions {
        database_url: Some(database_url.to_string()),
        ..options
    };
    gate::verify(&project, stack.as_ref(), &options, &gate::Quiet).expect("the gate runs")
}

/// Why a gate report on the project in `dir` did not pass, for a test's
/// failure message: the failed stages, the problems their tools located,
/// the failed checks, the critical findings, and for each failed stage the
/// last lines of the log its last step wrote under `dir/.archgen/gate/`
/// (else of its excerpt), so a failure on a machine nobody can log into
/// still says what broke.
///
/// ```no_run
/// let dir = std::path::Path::new("target/evolve/project");
/// let report = archgen_tests::projects::gate(dir, &archgen_tests::pg_cluster_url());
/// assert!(report.passed, "{}", archgen_tests::projects::why_failed(&report, dir));
/// ```
pub fn why_failed(report: &gate::QualityReport, dir: &Path) -> String {
    const LOG_LINES: usize = 120;
    let mut out: Vec<String> = report
        .reasons()
        .into_iter()
        .map(|r| format!("  {r}"))
        .collect();
    out.extend(
        report
            .stages
            .iter()
            .flat_map(|s| s.details.iter().map(move |d| (s, d)))
            .take(30)
            .map(|(s, d)| format!("  {}: {}: {}", s.name, d.file, d.message)),
    );
    out.extend(
        report
            .failed_checks()
            .into_iter()
            .take(20)
            .map(|c| format!("  check {}: {}", c.name, c.detail)),
    );
    out.extend(
        report
            .findings
            .iter()
            .take(20)
            .map(|f| format!("  {} {}", f.code, f.message)),
    );
    for stage in report
        .stages
        .iter()
        .filter(|s| s.status == gate::StageStatus::Failed)
    {
        let (source, text) = match last_log(dir, &stage.name) {
            Some((path, text)) => (path.display().to_string(), text),
            None => ("its excerpt".to_string(), stage.log_excerpt.clone()),
        };
        let lines: Vec<&str> = text.lines().collect();
        let tail = &lines[lines.len().saturating_sub(LOG_LINES)..];
        out.push(format!(
            "  --- stage `{}`: the last {} lines of {source} ---",
            stage.name,
            tail.len(),
        ));
        out.extend(tail.iter().map(|l| format!("  | {l}")));
    }
    out.join("\n")
}

/// The log a stage's last step wrote: the newest `<stage>*.log` under
/// `dir/.archgen/gate/`, with its text.
fn last_log(dir: &Path, stage: &str) -> Option<(PathBuf, String)> {
    let logs = dir.join(".archgen").join("gate");
    let newest = std::fs::read_dir(&logs)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with(stage) && name.ends_with(".log")
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .max()?
        .1;
    let text = std::fs::read_to_string(&newest).ok()?;
    Some((newest, text))
}

fn run(command: &mut Command) {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?} cannot be run: {e}"));
    assert!(
        out.status.success(),
        "{command:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[cfg(test)]
mod tests {
    use super::why_failed;
    use gate::report::{QualityReport, StageReport, StageStatus};

    fn failed(name: &str, excerpt: &str) -> StageReport {
        StageReport {
            name: name.into(),
            status: StageStatus::Failed,
            duration_ms: 1,
            log_excerpt: excerpt.into(),
            checks: None,
            results: vec![],
            details: vec![],
            steps: vec![],
        }
    }

    #[test]
    fn a_failed_stage_shows_the_log_its_last_step_wrote_else_its_excerpt() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let logs = dir.path().join(".archgen/gate");
        std::fs::create_dir_all(&logs).expect("the logs directory");
        std::fs::write(logs.join("admin-install.log"), "added 73 packages\n").expect("written");
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(
            logs.join("admin-test.log"),
            "1) the admin signs in\nError: timed out\n",
        )
        .expect("written");
        let mut report = QualityReport::new("p", "python-fastapi");
        report.stages.push(failed("admin", "an excerpt"));
        report.stages.push(failed("conformance", "check x failed"));
        report.finish();
        let why = why_failed(&report, dir.path());
        assert!(why.contains("stage `admin` failed"), "{why}");
        assert!(
            why.contains("admin-test.log") && why.contains("| Error: timed out"),
            "{why}"
        );
        assert!(!why.contains("added 73 packages"), "{why}");
        // No log of its own: the excerpt stands in.
        assert!(why.contains("| check x failed"), "{why}");
    }
}
