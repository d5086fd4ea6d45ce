//! The quality report: stages, conformance results, findings and the score.

use serde::{Deserialize, Serialize};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Fails the gate on its own.
    Critical,
    /// A serious weakness.
    High,
    /// A weakness worth fixing.
    Medium,
    /// A blemish.
    Low,
}

impl Severity {
    /// The points a finding of this severity takes off the score.
    pub fn penalty(self) -> u32 {
        match self {
            Severity::Critical => 40,
            Severity::High => 15,
            Severity::Medium => 5,
            Severity::Low => 1,
        }
    }

    /// The lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}

/// How a stage ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StageStatus {
    /// It ran and succeeded.
    Passed,
    /// It ran and failed (or timed out).
    Failed,
    /// It did not run, because an earlier stage failed.
    Skipped,
}

impl StageStatus {
    /// The lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            StageStatus::Passed => "passed",
            StageStatus::Failed => "failed",
            StageStatus::Skipped => "skipped",
        }
    }
}

/// The result of one conformance check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    /// The check's stable name, such as `auth.lockout` or
    /// `access.Task.delete.member`.
    pub name: String,
    /// Whether the app did what the contract says.
    pub passed: bool,
    /// What was sent and what came back (empty when it passed and there is
    /// nothing to add).
    pub detail: String,
}

/// One stage of the gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageReport {
    /// `install`, `migrate`, `lint`, `test`, `run`, `conformance`, `fuzz` or
    /// `scan`.
    pub name: String,
    /// How it ended.
    pub status: StageStatus,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
    /// The last lines of its output (for a failed conformance stage, the
    /// failed checks).
    pub log_excerpt: String,
    /// The number of checks run (the conformance stage only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checks: Option<usize>,
    /// One result per check (the conformance stage only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub results: Vec<CheckResult>,
    /// Every problem its tools reported at a place in the project, read
    /// from its whole log (a failed stage only; at most
    /// [`MAX_DETAILS`](crate::locate::MAX_DETAILS)).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<StageDetail>,
    /// Each step of a stage that runs several (the `client`, `admin` and
    /// `mobile` stages), in order: where the stage's time went, and which
    /// steps a warm run reused.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<StepTime>,
}

/// One step of a stage: its name, its wall time, and whether its result
/// was reused from an earlier run on the same files (the gate's
/// `reuse` rules; `archgen verify --fresh` reuses nothing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepTime {
    /// The step (`install`, `typecheck`, `lint`, `build`, `test`, …).
    pub name: String,
    /// Its wall time, in milliseconds (what the check that it may be
    /// reused took, when it was).
    pub duration_ms: u64,
    /// Whether it was reused rather than run.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reused: bool,
}

impl std::fmt::Display for StepTime {
    /// `lint 12.1 s`, or `lint reused`.
    ///
    /// ```
    /// let step = gate::StepTime { name: "lint".into(), duration_ms: 12_140, reused: false };
    /// assert_eq!(step.to_string(), "lint 12.1 s");
    /// let reused = gate::StepTime { reused: true, ..step };
    /// assert_eq!(reused.to_string(), "lint reused");
    /// ```
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.reused {
            write!(f, "{} reused", self.name)
        } else {
            write!(f, "{} {:.1} s", self.name, self.duration_ms as f64 / 1000.0)
        }
    }
}

/// A problem a tool of a stage reported at a place, such as a ruff or mypy
/// error, or a failure schemathesis found in an operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageDetail {
    /// The file, as the tool named it (relative to the project root); for
    /// the `fuzz` stage, the operation (`GET /api/labels`).
    pub file: String,
    /// The line (1-based), when the tool named one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The column (1-based), when the tool named one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// What the tool said.
    pub message: String,
}

impl StageReport {
    /// A stage that did not run.
    pub fn skipped(name: impl Into<String>, why: impl Into<String>) -> StageReport {
        StageReport {
            name: name.into(),
            status: StageStatus::Skipped,
            duration_ms: 0,
            log_excerpt: why.into(),
            checks: None,
            results: Vec::new(),
            details: Vec::new(),
            steps: Vec::new(),
        }
    }
}

/// Something the static scan of the project's files found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// How serious it is.
    pub severity: Severity,
    /// A stable code, such as `placeholder-secret` (`docs/quality-gate.md`
    /// lists them).
    pub code: String,
    /// What is wrong and what to do.
    pub message: String,
    /// The file, relative to the project root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The line (1-based).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

/// The lowest score that passes.
pub const PASSING_SCORE: u32 = 80;

/// Points a failed stage takes off the score.
pub const FAILED_STAGE_PENALTY: u32 = 20;

/// Points a failed conformance check takes off the score.
pub const FAILED_CHECK_PENALTY: u32 = 3;

/// What the gate found: the JSON `archgen verify --report` writes
/// (`docs/quality-gate.md`).
///
/// ```
/// use gate::report::{QualityReport, StageReport, StageStatus};
/// let mut report = QualityReport::new("tasks", "python-fastapi");
/// report.stages.push(StageReport {
///     name: "lint".into(),
///     status: StageStatus::Failed,
///     duration_ms: 1200,
///     log_excerpt: "E999 SyntaxError".into(),
///     checks: None,
///     results: vec![],
///     details: vec![],
///     steps: vec![],
/// });
/// report.finish();
/// assert!(!report.passed);
/// assert_eq!(report.score, 80);
/// assert_eq!(report.failed_stages(), ["lint"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualityReport {
    /// Whether the project passed the gate: no failed stage, no critical
    /// finding, and a score of at least [`PASSING_SCORE`].
    pub passed: bool,
    /// 0–100, as [`QualityReport::compute_score`] documents.
    pub score: u32,
    /// The product name.
    pub project: String,
    /// The stack the project was generated with.
    pub stack: String,
    /// Every stage, in the order it ran.
    pub stages: Vec<StageReport>,
    /// The static scan's findings.
    pub findings: Vec<Finding>,
    /// When this run was not made but reused: an earlier run passed on
    /// exactly the same inputs (the gate's `reuse` rules; `archgen verify
    /// --fresh` reuses nothing), and this says when that run was made
    /// (seconds since the Unix epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reused_from: Option<u64>,
}

impl QualityReport {
    /// An empty report (not passed, score 0) until [`finish`](Self::finish).
    pub fn new(project: impl Into<String>, stack: impl Into<String>) -> QualityReport {
        QualityReport {
            passed: false,
            score: 0,
            project: project.into(),
            stack: stack.into(),
            stages: Vec::new(),
            findings: Vec::new(),
            reused_from: None,
        }
    }

    /// The score: 100, minus [`FAILED_STAGE_PENALTY`] per failed stage
    /// (the conformance stage is counted per check instead), minus
    /// [`FAILED_CHECK_PENALTY`] per failed conformance check, minus each
    /// finding's [`Severity::penalty`], never below 0.
    pub fn compute_score(&self) -> u32 {
        let mut lost: u32 = 0;
        for stage in &self.stages {
            if stage.checks.is_some() {
                let failed = stage.results.iter().filter(|r| !r.passed).count() as u32;
                lost = lost.saturating_add(failed.saturating_mul(FAILED_CHECK_PENALTY));
            } else if stage.status == StageStatus::Failed {
                lost = lost.saturating_add(FAILED_STAGE_PENALTY);
            }
        }
        for finding in &self.findings {
            lost = lost.saturating_add(finding.severity.penalty());
        }
        100u32.saturating_sub(lost)
    }

    /// Computes the score and the verdict.
    pub fn finish(&mut self) {
        self.score = self.compute_score();
        let failed_stage = self.stages.iter().any(|s| s.status == StageStatus::Failed);
        let critical = self
            .findings
            .iter()
            .any(|f| f.severity == Severity::Critical);
        self.passed = !failed_stage && !critical && self.score >= PASSING_SCORE;
    }

    /// The names of the failed stages.
    pub fn failed_stages(&self) -> Vec<&str> {
        self.stages
            .iter()
            .filter(|s| s.status == StageStatus::Failed)
            .map(|s| s.name.as_str())
            .collect()
    }

    /// The failed conformance checks.
    pub fn failed_checks(&self) -> Vec<&CheckResult> {
        self.stages
            .iter()
            .flat_map(|s| s.results.iter())
            .filter(|r| !r.passed)
            .collect()
    }

    /// The report as pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Why the gate failed, one reason per line (empty when it passed).
    pub fn reasons(&self) -> Vec<String> {
        let mut out = Vec::new();
        for stage in &self.stages {
            if stage.status == StageStatus::Failed {
                if stage.checks.is_some() {
                    let failed = stage.results.iter().filter(|r| !r.passed).count();
                    out.push(format!(
                        "stage `{}` failed: {failed} of {} checks failed",
                        stage.name,
                        stage.results.len()
                    ));
                } else {
                    out.push(format!("stage `{}` failed", stage.name));
                }
            }
        }
        for f in self
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Critical)
        {
            out.push(format!("critical finding `{}`: {}", f.code, f.message));
        }
        if self.score < PASSING_SCORE {
            out.push(format!("score {} is below {PASSING_SCORE}", self.score));
        }
        out
    }
}
