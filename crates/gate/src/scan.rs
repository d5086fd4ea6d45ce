//! The static scan: patterns in a project's files that no generated
//! backend should ship, each a [`Finding`] (`docs/quality-gate.md` lists
//! the codes).

use crate::report::{Finding, Severity};
use regex::Regex;
use std::path::Path;

/// Directories never scanned: dependencies, caches, version control, and
/// archgen's own records.
const SKIP_DIRS: &[&str] = &[
    ".git",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".archgen",
    "target",
    "logs",
];

/// File extensions that hold code or configuration worth scanning.
const SCANNED: &[&str] = &[
    "py", "ts", "js", "mjs", "cjs", "tsx", "jsx", "go", "rs", "java", "kt", "toml", "yaml", "yml",
    "json", "ini", "cfg", "env", "sh", "html",
];

struct Rule {
    code: &'static str,
    severity: Severity,
    regex: Regex,
    message: &'static str,
    /// Whether the rule also applies to test files.
    in_tests: bool,
    /// A match this says is no finding after all.
    spare: Option<fn(&regex::Captures<'_>) -> bool>,
}

/// A secret-like name mapped to itself (`"secret": "secret"`, a field of
/// the spec named so) names a field; it holds no secret.
fn names_itself(found: &regex::Captures<'_>) -> bool {
    match (found.get(1), found.get(2)) {
        (Some(key), Some(value)) => key.as_str().eq_ignore_ascii_case(value.as_str()),
        _ => false,
    }
}

fn rules() -> Vec<Rule> {
    let rule = |code, severity, pattern: &str, message, in_tests| Rule {
        code,
        severity,
        regex: Regex::new(pattern).expect("the scan's patterns are valid"),
        message,
        in_tests,
        spare: None,
    };
    vec![
        // The name is a whole identifier or key (not the end of
        // `uq_meters_secret`, a constraint of a field named `secret`).
        Rule {
            spare: Some(names_itself),
            ..rule(
                "placeholder-secret",
                Severity::High,
                r#"(?i)(?:^|[^a-z0-9_])((?:secret|password|passwd|token|api_?key|private_?key)[a-z_]*)["']?\s*[:=]\s*["']?(changeme|change-me|change_me|secret|password|123456|xxxx+|dummy|your[-_]secret)["']?\s*(?:,|$|#)"#,
                "a placeholder secret as a value: read it from the environment instead",
                false,
            )
        },
        rule(
            "token-in-localstorage",
            Severity::Critical,
            r#"(?i)localStorage\.(setItem|getItem)\s*\(\s*["'][^"']*(token|session|jwt|auth)"#,
            "a token kept in localStorage, where any script can read it: use HttpOnly cookies",
            true,
        ),
        rule(
            "sqlite",
            Severity::High,
            r#"(?i)(sqlite3?://|import\s+sqlite3|aiosqlite|better-sqlite3|"sqlite3?")"#,
            "SQLite in the project: the contract runs on PostgreSQL, tests included",
            true,
        ),
        rule(
            "create-all",
            Severity::Medium,
            r"\bcreate_all\(",
            "the schema is created with create_all() instead of migrations",
            false,
        ),
        rule(
            "string-built-sql",
            Severity::Critical,
            r#"(?i)\b(execute|exec_driver_sql|text|query|raw)\(\s*(f["']|["'][^"']*["']\s*(%|\+|\.format\()|[a-z_]+\s*\+\s*["'])"#,
            "SQL built from strings: pass values as bound parameters",
            false,
        ),
    ]
}

fn skip_file(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.ends_with(".example") || name.contains(".example.") || name.ends_with(".lock")
}

fn is_test(rel: &str) -> bool {
    rel.starts_with("tests/")
        || rel.contains("/tests/")
        || rel
            .rsplit('/')
            .next()
            .is_some_and(|n| n.starts_with("test_") || n.contains(".test.") || n.contains(".spec."))
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(|e| e.ok()).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if !SKIP_DIRS.contains(&name.as_str()) {
                walk(root, &path, out);
            }
        } else if kind.is_file() {
            if let Ok(rel) = path.strip_prefix(root) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
}

/// Scans a project directory.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join("app.py"), "db.execute(f\"SELECT * FROM t WHERE id = {id}\")\n").unwrap();
/// let findings = gate::scan::scan(dir.path());
/// assert!(findings.iter().any(|f| f.code == "string-built-sql" && f.line == Some(1)));
/// assert!(findings.iter().any(|f| f.code == "dockerfile-missing"));
/// ```
pub fn scan(root: &Path) -> Vec<Finding> {
    let rules = rules();
    let mut files = Vec::new();
    walk(root, root, &mut files);
    let mut findings = Vec::new();
    for rel in &files {
        if skip_file(rel) {
            continue;
        }
        let ext = rel.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        let name = rel.rsplit('/').next().unwrap_or(rel);
        if !SCANNED.contains(&ext) && name != "Dockerfile" && name != ".env" {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(root.join(rel)) else {
            continue;
        };
        let test = is_test(rel);
        for (i, line) in text.lines().enumerate() {
            for rule in &rules {
                if test && !rule.in_tests {
                    continue;
                }
                let found = match rule.spare {
                    None => rule.regex.is_match(line),
                    Some(spare) => rule.regex.captures_iter(line).any(|c| !spare(&c)),
                };
                if found {
                    findings.push(Finding {
                        severity: rule.severity,
                        code: rule.code.to_string(),
                        message: rule.message.to_string(),
                        file: Some(rel.clone()),
                        line: u32::try_from(i + 1).ok(),
                    });
                }
            }
        }
    }
    findings.extend(dockerfile(root));
    findings
}

/// The Dockerfile rules: a missing Dockerfile is a low finding (the
/// contract ships one); one whose last `USER` is root, or that has none,
/// runs the app as root (high).
fn dockerfile(root: &Path) -> Vec<Finding> {
    let path = root.join("Dockerfile");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return vec![Finding {
            severity: Severity::Low,
            code: "dockerfile-missing".into(),
            message:
                "no Dockerfile: the contract ships a multi-stage image running as a non-root user"
                    .into(),
            file: None,
            line: None,
        }];
    };
    let last_user = text
        .lines()
        .map(str::trim)
        .rfind(|l| l.to_ascii_uppercase().starts_with("USER "))
        .map(|l| l[5..].trim().to_string());
    match last_user {
        Some(user)
            if user != "root"
                && user != "0"
                && !user.starts_with("0:")
                && !user.starts_with("root:") =>
        {
            Vec::new()
        }
        _ => vec![Finding {
            severity: Severity::High,
            code: "dockerfile-root".into(),
            message: "the image runs as root: add a non-root USER".into(),
            file: Some("Dockerfile".into()),
            line: None,
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_files(files: &[(&str, &str)]) -> Vec<(String, Option<String>)> {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        scan(dir.path())
            .into_iter()
            .map(|f| (f.code, f.file))
            .collect()
    }

    #[test]
    fn each_rule_finds_its_pattern_and_spares_the_rest() {
        let found = scan_files(&[
            ("Dockerfile", "FROM python:3.11-slim\nUSER app\n"),
            ("src/settings.py", "SECRET_KEY = \"changeme\"\nsecret_key: str = Field(min_length=16)\n"),
            // A field named `secret`: its constraint and its name map.
            ("src/services/meters.py", "UNIQUE = {\n    \"uq_meters_secret\": \"secret\",\n    \"secret\": \"secret\",\n}\n"),
            (".env.example", "SECRET_KEY=changeme\n"),
            ("web/app.js", "localStorage.setItem(\"auth_token\", t)\n"),
            ("src/db.py", "engine = create_engine(\"sqlite:///x.db\")\nBase.metadata.create_all(engine)\n"),
            ("src/q.py", "conn.execute(text(\"SELECT * FROM t WHERE id = \" + ident))\nconn.execute(text(\"SELECT 1 WHERE id = :id\"), {\"id\": i})\n"),
            ("tests/conftest.py", "connection.execute(sa.text(f\"TRUNCATE {names} CASCADE\"))\n"),
            (".venv/lib/x.py", "SECRET = \"changeme\"\n"),
        ]);
        let codes: Vec<&str> = found.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(
            codes,
            [
                "sqlite",
                "create-all",
                "string-built-sql",
                "placeholder-secret",
                "token-in-localstorage"
            ],
            "{found:?}"
        );
    }

    #[test]
    fn a_root_dockerfile_is_high() {
        let found = scan_files(&[("Dockerfile", "FROM x\nUSER app\nUSER root\n")]);
        assert_eq!(
            found,
            [(
                "dockerfile-root".to_string(),
                Some("Dockerfile".to_string())
            )]
        );
        let found = scan_files(&[("Dockerfile", "FROM x\n")]);
        assert_eq!(found[0].0, "dockerfile-root");
    }
}
