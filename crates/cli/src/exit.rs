//! Exit codes.

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything asked for was done.
    Ok = 0,
    /// The spec is not valid, the stack cannot emit it, or the quality gate
    /// failed.
    Invalid = 1,
    /// The command line or the file system failed.
    Usage = 2,
    /// `generate` (or `docs`) wrote the project, but files you edited hold
    /// conflicts to resolve (conflict markers, or a `<file>.archgen-new`
    /// beside them); with `--dry-run`, it would.
    Conflicts = 3,
}
