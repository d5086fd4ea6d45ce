//! `archgen verify` and `archgen generate --verify`: the quality gate, with
//! a progress display and a summary.

use crate::exit::Exit;
use gate::{GateError, Progress, QualityReport, StageReport, StageStatus};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::cell::RefCell;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the user asked `verify` for.
pub struct Args {
    pub dir: PathBuf,
    pub spec: Option<PathBuf>,
    pub report: Option<PathBuf>,
    pub database_url: Option<String>,
    pub keep_db: bool,
    pub fresh: bool,
}

/// Stage lines on stderr: a spinner per running stage on a terminal (the
/// project's tests run beside the app), plain lines otherwise.
pub struct Display {
    multi: MultiProgress,
    spinners: RefCell<Vec<(String, ProgressBar)>>,
    tty: bool,
}

impl Display {
    pub fn new() -> Display {
        Display {
            multi: MultiProgress::new(),
            spinners: RefCell::new(Vec::new()),
            tty: std::io::stderr().is_terminal(),
        }
    }

    fn line(&self, text: String) {
        if self.tty && !self.spinners.borrow().is_empty() {
            let _ = self.multi.println(text);
        } else {
            eprintln!("{text}");
        }
    }
}

impl Progress for Display {
    fn stage_started(&self, name: &str) {
        if self.tty {
            let bar = self.multi.add(ProgressBar::new_spinner());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_message(format!("gate: {name}"));
            bar.enable_steady_tick(Duration::from_millis(120));
            self.spinners.borrow_mut().push((name.to_string(), bar));
        } else {
            eprintln!("gate: {name} …");
        }
    }

    fn stage_finished(&self, stage: &StageReport) {
        let checks = match stage.checks {
            Some(n) => {
                let failed = stage.results.iter().filter(|r| !r.passed).count();
                format!(", {} of {n} checks passed", n - failed)
            }
            None => String::new(),
        };
        let mark = match stage.status {
            StageStatus::Passed => "ok  ",
            StageStatus::Failed => "FAIL",
            StageStatus::Skipped => "skip",
        };
        let steps = if stage.steps.is_empty() {
            String::new()
        } else {
            let each: Vec<String> = stage.steps.iter().map(ToString::to_string).collect();
            format!(": {}", each.join(", "))
        };
        self.line(format!(
            "gate: {mark} {} ({:.1} s{checks}{steps})",
            stage.name,
            stage.duration_ms as f64 / 1000.0
        ));
        let mut spinners = self.spinners.borrow_mut();
        if let Some(i) = spinners.iter().position(|(n, _)| *n == stage.name) {
            let (_, bar) = spinners.remove(i);
            bar.finish_and_clear();
            self.multi.remove(&bar);
        }
    }

    fn note(&self, message: &str) {
        self.line(format!("gate: {message}"));
    }
}

/// Sets the cancel flag on Ctrl-C (once per process; the gate stops what
/// it started and returns).
pub fn cancel_flag() -> Arc<AtomicBool> {
    static FLAG: std::sync::OnceLock<Arc<AtomicBool>> = std::sync::OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let set = flag.clone();
        let _ = ctrlc::set_handler(move || {
            set.store(true, Ordering::SeqCst);
        });
        flag
    })
    .clone()
}

/// The database server: the flag, else `DATABASE_URL`.
pub fn database_url(flag: Option<String>) -> Option<String> {
    flag.or_else(|| std::env::var("DATABASE_URL").ok().filter(|v| !v.is_empty()))
}

/// Prints the summary of a report.
pub fn print_summary(report: &QualityReport) {
    let failed = report.failed_checks();
    for r in failed.iter().take(30) {
        eprintln!("  failed check {}: {}", r.name, r.detail);
    }
    if failed.len() > 30 {
        eprintln!(
            "  … and {} more failed checks (see --report)",
            failed.len() - 30
        );
    }
    for stage in report
        .stages
        .iter()
        .filter(|s| s.status == StageStatus::Failed && s.checks.is_none())
    {
        if !stage.details.is_empty() {
            eprintln!(
                "  stage {} failed; its tools reported {} problem{}:",
                stage.name,
                stage.details.len(),
                if stage.details.len() == 1 { "" } else { "s" }
            );
            for d in stage.details.iter().take(50) {
                let place = match (d.line, d.column) {
                    (Some(l), Some(c)) => format!("{}:{l}:{c}", d.file),
                    (Some(l), None) => format!("{}:{l}", d.file),
                    _ => d.file.clone(),
                };
                eprintln!("    {place}: {}", d.message);
            }
            if stage.details.len() > 50 {
                eprintln!("    … and {} more (see --report)", stage.details.len() - 50);
            }
        }
        eprintln!("  stage {} failed; its output ends with:", stage.name);
        for line in stage
            .log_excerpt
            .lines()
            .rev()
            .take(15)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
        {
            eprintln!("    {line}");
        }
    }
    for f in &report.findings {
        let place = match (&f.file, f.line) {
            (Some(file), Some(line)) => format!(" ({file}:{line})"),
            (Some(file), None) => format!(" ({file})"),
            _ => String::new(),
        };
        eprintln!("  {} {}{place}: {}", f.severity.as_str(), f.code, f.message);
    }
    let checks: usize = report.stages.iter().filter_map(|s| s.checks).sum();
    println!(
        "quality gate {}: score {}/100, {} stages, {checks} conformance checks, {} findings",
        if report.passed { "passed" } else { "FAILED" },
        report.score,
        report.stages.len(),
        report.findings.len()
    );
    for reason in report.reasons() {
        println!("  {reason}");
    }
}

/// Writes the report JSON.
pub fn write_report(path: &Path, report: &QualityReport) -> Result<(), Exit> {
    // A report beside a directory not made yet goes there, as `--out` does.
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            eprintln!(
                "error: cannot make the report's directory {}: {e}",
                dir.display()
            );
            Exit::Usage
        })?;
    }
    std::fs::write(path, report.to_json()).map_err(|e| {
        eprintln!("error: cannot write the report {}: {e}", path.display());
        Exit::Usage
    })
}

/// Runs the gate, printing progress; `Err` is the exit code of a gate
/// that could not run.
pub fn gate(
    engine: &render::Engine,
    project: &gate::Project,
    database_url: Option<String>,
    keep_db: bool,
    fresh: bool,
) -> Result<QualityReport, Exit> {
    if keep_db && database_url.is_none() {
        eprintln!("error: --keep-db needs a database server (--database-url or DATABASE_URL); the gate's own cluster is removed after the run");
        return Err(Exit::Usage);
    }
    let Some(stack) = engine.stack(&project.stack) else {
        eprintln!("error: {}", GateError::UnknownStack(project.stack.clone()));
        return Err(Exit::Usage);
    };
    let options = gate::VerifyOptions {
        database_url,
        keep_db,
        cache_dir: None,
        skip_fuzz: false,
        skip_faults: false,
        skip_client: false,
        fresh,
        cancel: cancel_flag(),
    };
    let display = Display::new();
    let started = Instant::now();
    let report = gate::verify(project, stack, &options, &display).map_err(|e| {
        eprintln!("error: {e}");
        Exit::Usage
    })?;
    eprintln!("gate: {}", time_line(&report, started.elapsed()));
    Ok(report)
}

/// Where the gate's time went: the wall time, then the stages that ran,
/// longest first (the project's tests run beside the app's stages, so the
/// stage times add up to more than the wall time).
fn time_line(report: &QualityReport, wall: Duration) -> String {
    let mut stages: Vec<_> = report
        .stages
        .iter()
        .filter(|s| s.status != StageStatus::Skipped)
        .collect();
    stages.sort_by(|a, b| b.duration_ms.cmp(&a.duration_ms).then(a.name.cmp(&b.name)));
    let parts: Vec<String> = stages
        .iter()
        .map(|s| format!("{} {:.1} s", s.name, s.duration_ms as f64 / 1000.0))
        .collect();
    let mut line = format!("{:.1} s in all", wall.as_secs_f64());
    if let Some(made) = report.reused_from {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(made, |d| d.as_secs());
        let minutes = now.saturating_sub(made) / 60;
        line.push_str(&format!(
            "; the report of a passing run {minutes} min ago on the same inputs, reused"
        ));
        return line;
    }
    if !parts.is_empty() {
        line.push_str("; by stage, longest first: ");
        line.push_str(&parts.join(", "));
    }
    line
}

pub fn run(engine: &render::Engine, args: &Args) -> Exit {
    let project = match gate::Project::load(&args.dir, args.spec.as_deref(), engine) {
        Ok(p) => p,
        Err(e @ GateError::Spec { .. }) => {
            eprintln!("error: {e}");
            return Exit::Invalid;
        }
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    let report = match gate(
        engine,
        &project,
        database_url(args.database_url.clone()),
        args.keep_db,
        args.fresh,
    ) {
        Ok(r) => r,
        Err(code) => return code,
    };
    if let Some(path) = &args.report {
        if let Err(code) = write_report(path, &report) {
            return code;
        }
    }
    print_summary(&report);
    if report.passed {
        Exit::Ok
    } else {
        Exit::Invalid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(name: &str, status: StageStatus, ms: u64) -> StageReport {
        let mut stage = StageReport::skipped(name, "made for the test");
        stage.status = status;
        stage.duration_ms = ms;
        stage
    }

    #[test]
    fn the_time_line_lists_the_stages_that_ran_longest_first() {
        let mut report = QualityReport::new("p", "python-fastapi");
        report.stages = vec![
            stage("install", StageStatus::Passed, 1_800),
            stage("test", StageStatus::Passed, 85_800),
            stage("fuzz", StageStatus::Failed, 55_840),
            stage("faults", StageStatus::Skipped, 0),
        ];
        assert_eq!(
            time_line(&report, Duration::from_millis(127_040)),
            "127.0 s in all; by stage, longest first: test 85.8 s, fuzz 55.8 s, install 1.8 s"
        );
        report.stages.clear();
        assert_eq!(time_line(&report, Duration::from_secs(2)), "2.0 s in all");
    }

    #[test]
    fn a_reused_report_says_so_instead_of_its_stage_times() {
        let mut report = QualityReport::new("p", "python-fastapi");
        report.stages = vec![stage("test", StageStatus::Passed, 85_800)];
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        report.reused_from = Some(now - 12 * 60 - 5);
        assert_eq!(
            time_line(&report, Duration::from_millis(1_940)),
            "1.9 s in all; the report of a passing run 12 min ago on the same inputs, reused"
        );
    }

    #[test]
    fn a_report_goes_into_a_directory_made_for_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reports/nested/gate.json");
        let report = QualityReport::new("p", "python-fastapi");
        write_report(&path, &report).unwrap();
        let written = std::fs::read_to_string(&path).unwrap();
        assert_eq!(written, report.to_json());
    }
}
