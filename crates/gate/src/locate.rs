//! Problems a stage's tools reported at a place in the project, read from
//! the stage's log, so a report names every one of them and not only the
//! last lines of the output.
//!
//! Three shapes are read:
//!
//! - `path:line[:column]: message`: ruff's concise output, mypy, pytest's
//!   tracebacks, most compilers;
//! - a ` --> path:line:column` line under a message line: ruff's full
//!   output, of `ruff check` and of `ruff format --check` (the message is
//!   the last line above the arrow that starts in column one);
//! - `Would reformat: path`: older `ruff format --check` (no line: the
//!   whole file);
//! - `path(line,col): error TS…: message`: `tsc`;
//! - a line holding only a path, then `  line:col  error  message  rule`
//!   lines under it: ESLint's default (stylish) output;
//! - `[warn] path`: `prettier --check` (no line: the whole file).

use crate::report::StageDetail;
use regex::Regex;
use std::sync::OnceLock;

/// The most details a stage report carries.
pub const MAX_DETAILS: usize = 200;

fn located() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"^(?P<file>[^\s:]*[^\s:/]\.[A-Za-z][A-Za-z0-9]*):(?P<line>\d+)(?::(?P<col>\d+))?:\s+(?P<msg>\S.*)$",
        )
        .expect("a valid pattern")
    })
}

fn arrow() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^\s*-->\s+(?P<file>[^\s:]+):(?P<line>\d+)(?::(?P<col>\d+))?\s*$")
            .expect("a valid pattern")
    })
}

fn tsc() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"^(?P<file>[^\s(]*[^\s(/]\.[A-Za-z][A-Za-z0-9]*)\((?P<line>\d+),(?P<col>\d+)\):\s+(?P<msg>(?:error|warning)\b.*)$",
        )
        .expect("a valid pattern")
    })
}

/// A line holding only a file's path: the heading of ESLint's findings in
/// that file.
fn lone_path() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^(?P<file>[^\s:\[]*[^\s:/\[]\.[A-Za-z][A-Za-z0-9]*)$")
            .expect("a valid pattern")
    })
}

fn eslint_finding() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^\s+(?P<line>\d+):(?P<col>\d+)\s+(?P<msg>(?:error|warning)\s+\S.*)$")
            .expect("a valid pattern")
    })
}

fn prettier() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"^\[warn\] (?P<file>\S+)$").expect("a valid pattern"))
}

/// A finding at a line and column of a file.
fn at(file: &str, c: &regex::Captures<'_>, message: String) -> StageDetail {
    StageDetail {
        file: file.to_string(),
        line: c["line"].parse().ok(),
        column: c.name("col").and_then(|m| m.as_str().parse().ok()),
        message,
    }
}

/// Every located problem in `log`, in order, without repeats, at most
/// `cap` of them.
///
/// ```
/// let log = "src/app/x.py:3:1: F401 [*] `os` imported but unused\n\
///            src/app/y.py:12: error: Missing return statement  [return]\n\
///            Would reformat: tests/test_z.py\n";
/// let details = gate::locate::details(log, 10);
/// assert_eq!(details.len(), 3);
/// assert_eq!(details[1].file, "src/app/y.py");
/// assert_eq!(details[1].line, Some(12));
/// assert_eq!(details[2].line, None);
/// ```
pub fn details(log: &str, cap: usize) -> Vec<StageDetail> {
    let mut out: Vec<StageDetail> = Vec::new();
    let mut heading: Option<&str> = None;
    // The file ESLint's findings below it are in, until a blank line.
    let mut eslint_file: Option<&str> = None;
    for raw in log.lines() {
        if out.len() >= cap {
            break;
        }
        let line = raw.trim_end();
        let found = if let Some(c) = located().captures(line) {
            let message = c["msg"].trim().to_string();
            // mypy's notes belong to the error above them.
            (!message.starts_with("note:")).then(|| at(&c["file"], &c, message))
        } else if let Some(c) = arrow().captures(line) {
            Some(at(&c["file"], &c, heading.unwrap_or("").trim().to_string()))
        } else if let Some(c) = tsc().captures(line) {
            Some(at(&c["file"], &c, c["msg"].trim().to_string()))
        } else if let (Some(file), Some(c)) = (eslint_file, eslint_finding().captures(line)) {
            Some(at(file, &c, squeeze(&c["msg"])))
        } else if let Some(c) = prettier().captures(line) {
            Some(whole_file(&c["file"], "prettier"))
        } else {
            line.strip_prefix("Would reformat: ")
                .map(|file| whole_file(file.trim(), "ruff format"))
        };
        if line.is_empty() {
            eslint_file = None;
        } else if let Some(c) = lone_path().captures(line) {
            eslint_file = c.name("file").map(|m| m.as_str());
        }
        if !line.is_empty() && !line.starts_with(char::is_whitespace) {
            heading = Some(line);
        }
        if let Some(d) = found {
            if !out.contains(&d) {
                out.push(d);
            }
        }
    }
    out
}

/// A file a formatter would change (no line: the whole file).
fn whole_file(file: &str, formatter: &str) -> StageDetail {
    StageDetail {
        file: file.to_string(),
        line: None,
        column: None,
        message: format!("not formatted as `{formatter}` would"),
    }
}

/// ESLint's columns (`error  'x' is …  rule`) with single spaces.
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "\
.venv/bin/ruff check src tests migrations
F401 [*] `os` imported but unused
 --> src/team_tasks/routers/labels.py:3:8
  |
1 | \"\"\"Labels.\"\"\"
2 |
3 | import os
  |        ^^
  |
help: Remove unused import: `os`

invalid-syntax: Expected a parameter name
  --> src/team_tasks/routers/tasks.py:90:13
   |
Found 2 errors.
.venv/bin/ruff format --check src tests migrations
unformatted: File would be reformatted
   --> tests/test_tasks.py:166:1
    |
165 |     assert dangling.status_code == 422
    - x = {  \"a\":1 }
166 +
167 + x = {\"a\": 1}
    |

Would reformat: src/team_tasks/models.py
2 files would be reformatted, 60 files already formatted
.venv/bin/mypy
src/team_tasks/services/tasks.py:41: error: Incompatible return value type (got \"int\", expected \"str\")  [return-value]
src/team_tasks/services/tasks.py:41: note: See https://mypy.rtfd.io
src/team_tasks/routers/tasks.py:90:13: error: invalid syntax  [syntax]
Found 2 errors in 2 files (checked 40 source files)
make lint: failed: [ruff check src tests migrations] [mypy]
listening on http://127.0.0.1:8000: ready
";

    #[test]
    fn every_tool_s_findings_are_read_with_their_place() {
        let found = details(LOG, MAX_DETAILS);
        let places: Vec<(&str, Option<u32>, Option<u32>)> = found
            .iter()
            .map(|d| (d.file.as_str(), d.line, d.column))
            .collect();
        assert_eq!(
            places,
            [
                ("src/team_tasks/routers/labels.py", Some(3), Some(8)),
                ("src/team_tasks/routers/tasks.py", Some(90), Some(13)),
                ("tests/test_tasks.py", Some(166), Some(1)),
                ("src/team_tasks/models.py", None, None),
                ("src/team_tasks/services/tasks.py", Some(41), None),
                ("src/team_tasks/routers/tasks.py", Some(90), Some(13)),
            ]
        );
        assert_eq!(found[0].message, "F401 [*] `os` imported but unused");
        assert_eq!(
            found[1].message,
            "invalid-syntax: Expected a parameter name"
        );
        assert_eq!(found[2].message, "unformatted: File would be reformatted");
        assert!(found[4].message.starts_with("error: Incompatible return"));
        assert_eq!(found[5].message, "error: invalid syntax  [syntax]");
    }

    /// What `npm run typecheck` and `npm run lint` print in a TypeScript
    /// package with a type error, an unused variable and an unformatted
    /// file (tsc 6, ESLint 10, Prettier 3).
    const TS_LOG: &str = "\
> tsc --noEmit
src/zz_bad.ts(1,7): error TS2322: Type 'string' is not assignable to type 'number'.
src/api/client.ts(12,3): error TS2554: Expected 1 arguments, but got 0.

> eslint . && prettier --check .


/work/project/clients/ts/src/zz_bad.ts
  1:7  error  'unused' is assigned a value but never used  @typescript-eslint/no-unused-vars
  3:1  warning  Unexpected console statement  no-console

/work/project/clients/ts/test/api.test.ts
  10:15  error  Unsafe call of an `any` typed value  @typescript-eslint/no-unsafe-call

✖ 3 problems (2 errors, 1 warning)

Checking formatting...
[warn] src/zz_bad.ts
[warn] Code style issues found in the above file. Run Prettier with --write to fix.
  4:2  error  not under a path, so not a finding
";

    #[test]
    fn typescript_tools_findings_are_read_with_their_place() {
        let found = details(TS_LOG, MAX_DETAILS);
        let places: Vec<(&str, Option<u32>, Option<u32>, &str)> = found
            .iter()
            .map(|d| (d.file.as_str(), d.line, d.column, d.message.as_str()))
            .collect();
        assert_eq!(
            places,
            [
                (
                    "src/zz_bad.ts",
                    Some(1),
                    Some(7),
                    "error TS2322: Type 'string' is not assignable to type 'number'."
                ),
                (
                    "src/api/client.ts",
                    Some(12),
                    Some(3),
                    "error TS2554: Expected 1 arguments, but got 0."
                ),
                (
                    "/work/project/clients/ts/src/zz_bad.ts",
                    Some(1),
                    Some(7),
                    "error 'unused' is assigned a value but never used @typescript-eslint/no-unused-vars"
                ),
                (
                    "/work/project/clients/ts/src/zz_bad.ts",
                    Some(3),
                    Some(1),
                    "warning Unexpected console statement no-console"
                ),
                (
                    "/work/project/clients/ts/test/api.test.ts",
                    Some(10),
                    Some(15),
                    "error Unsafe call of an `any` typed value @typescript-eslint/no-unsafe-call"
                ),
                ("src/zz_bad.ts", None, None, "not formatted as `prettier` would"),
            ]
        );
    }

    #[test]
    fn the_cap_holds_and_repeats_count_once() {
        let log = "a.py:1:1: E1 x\na.py:1:1: E1 x\nb.py:2:1: E2 y\nc.py:3:1: E3 z\n";
        let found = details(log, 2);
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].file, "b.py");
        assert!(details(
            "all good\nSuccess: no issues found in 40 source files\n",
            10
        )
        .is_empty());
    }
}
