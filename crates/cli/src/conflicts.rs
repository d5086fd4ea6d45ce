//! What `generate` tells the user about conflicts left in files they edited.

use render::write::{Action, ConflictHunk, WriteReport, NEW_SUFFIX};
use std::fmt::Write;

/// The conflicts of a write, one line per file (in a dry run followed by
/// the conflicts it would write, indented), and how to resolve them; empty
/// when there are none.
pub fn advice(report: &WriteReport) -> String {
    let conflicts: Vec<_> = report.conflicts().collect();
    if conflicts.is_empty() {
        return String::new();
    }
    let n = conflicts.len();
    let files = if n == 1 { "file" } else { "files" };
    let mut text = if report.dry_run {
        format!("{n} {files} you edited would be left with conflicts to resolve (dry run: nothing written):\n")
    } else {
        format!(
            "{n} {files} you edited {} conflicts to resolve:\n",
            if n == 1 { "has" } else { "have" }
        )
    };
    let mut markers = false;
    let mut beside = false;
    for file in conflicts {
        let at = lines(&file.conflicts);
        let _ = match file.action {
            Action::Conflict => {
                markers = true;
                writeln!(text, "  {}: conflict markers at {at}", file.path)
            }
            Action::Unresolved => {
                markers = true;
                writeln!(
                    text,
                    "  {}: conflict markers from an earlier run still at {at}; not merged again",
                    file.path
                )
            }
            _ => {
                beside = true;
                writeln!(
                    text,
                    "  {}: archgen's new version is beside it in {}{NEW_SUFFIX} (no earlier version to merge from)",
                    file.path, file.path
                )
            }
        };
        if report.dry_run && file.action == Action::Conflict {
            for hunk in &file.conflicts {
                for line in hunk.text.lines() {
                    let _ = writeln!(text, "      {line}");
                }
            }
        }
    }
    text.push_str("To resolve:\n");
    if markers {
        text.push_str("  - in each file with markers, keep what you want of `<<<<<<< yours` (your lines), `|||||||` (what archgen generated before) and `=======` … `>>>>>>> archgen` (what it generates now), and delete the marker lines;\n");
    }
    if beside {
        text.push_str(&format!(
            "  - merge each `<file>{NEW_SUFFIX}` into its file, then delete it;\n"
        ));
    }
    text.push_str("  - then run `archgen generate` again. Or rerun with --force to overwrite your edits with archgen's version.\n");
    text
}

/// `line 3` or `lines 3, 10`: where the conflicts begin.
fn lines(conflicts: &[ConflictHunk]) -> String {
    let list: Vec<String> = conflicts.iter().map(|c| c.line.to_string()).collect();
    let word = if list.len() == 1 { "line" } else { "lines" };
    format!("{word} {}", list.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use render::write::FileAction;

    fn report(dry_run: bool, files: Vec<(&str, Action, Vec<usize>)>) -> WriteReport {
        WriteReport {
            out_dir: "out".into(),
            dry_run,
            files: files
                .into_iter()
                .map(|(path, action, lines)| FileAction {
                    path: path.into(),
                    action,
                    conflicts: lines
                        .into_iter()
                        .map(|line| ConflictHunk {
                            line,
                            text: "<<<<<<< yours\nmine\n=======\nnew\n>>>>>>> archgen 1\n".into(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn no_conflicts_no_advice() {
        let r = report(false, vec![("a", Action::Merge, vec![])]);
        assert_eq!(advice(&r), "");
    }

    #[test]
    fn each_conflict_is_listed_with_how_to_resolve_it() {
        let r = report(
            false,
            vec![
                ("a.py", Action::Conflict, vec![3, 10]),
                ("b.md", Action::Unresolved, vec![1]),
                ("c.txt", Action::NewBeside, vec![]),
                ("d.txt", Action::Merge, vec![]),
            ],
        );
        let text = advice(&r);
        assert!(
            text.starts_with("3 files you edited have conflicts to resolve:\n"),
            "{text}"
        );
        assert!(
            text.contains("  a.py: conflict markers at lines 3, 10\n"),
            "{text}"
        );
        assert!(
            text.contains("  b.md: conflict markers from an earlier run still at line 1"),
            "{text}"
        );
        assert!(
            text.contains("  c.txt: archgen's new version is beside it in c.txt.archgen-new"),
            "{text}"
        );
        assert!(!text.contains("d.txt"), "{text}");
        assert!(
            text.contains("delete the marker lines") && text.contains("then delete it"),
            "{text}"
        );
    }

    #[test]
    fn a_dry_run_says_what_would_be_left() {
        let r = report(true, vec![("a.py", Action::Conflict, vec![3])]);
        let text = advice(&r);
        assert!(
            text.starts_with("1 file you edited would be left with conflicts"),
            "{text}"
        );
        assert!(!text.contains(".archgen-new` into"), "{text}");
        assert!(
            text.contains("at line 3\n      <<<<<<< yours\n      mine\n      =======\n"),
            "the would-be conflict is shown: {text}"
        );
    }
}
