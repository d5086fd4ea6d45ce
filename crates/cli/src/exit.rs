//! Exit codes.

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything asked for was done.
    Ok = 0,
    /// The spec is not valid, the stack cannot emit it, or a generation left
    /// conflicts for the user to merge.
    Invalid = 1,
    /// The command line or the file system failed.
    Usage = 2,
}
