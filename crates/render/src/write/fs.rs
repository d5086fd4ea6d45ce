//! The disk side of writing: inspecting a path without following a link out
//! of the output directory, and writing a file atomically.

use crate::RenderError;
use std::fs;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

/// What is at a relative path of the output directory.
pub(crate) enum OnDisk {
    /// Nothing.
    Missing,
    /// A regular file with these contents.
    File(Vec<u8>),
}

/// The output directory, with its canonical path once it exists.
pub(crate) struct Root {
    pub(crate) dir: PathBuf,
    canonical: Option<PathBuf>,
}

impl Root {
    pub(crate) fn new(dir: &Path) -> Result<Root, RenderError> {
        match fs::metadata(dir) {
            Ok(meta) if meta.is_dir() => {
                let canonical =
                    fs::canonicalize(dir).map_err(|e| RenderError::io("cannot resolve", dir, e))?;
                Ok(Root {
                    dir: dir.to_path_buf(),
                    canonical: Some(canonical),
                })
            }
            Ok(_) => Err(RenderError::unsafe_path(
                dir.display().to_string(),
                "the output directory is a file; choose another directory",
            )),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(Root {
                dir: dir.to_path_buf(),
                canonical: None,
            }),
            Err(e) => Err(RenderError::io("cannot inspect", dir, e)),
        }
    }

    /// Inspects `rel` (a path [`check_path`](crate::check_path) accepted):
    /// every existing component must be a directory, or a symbolic link
    /// that stays inside the output directory; the last must be a regular
    /// file or missing.
    pub(crate) fn inspect(&self, rel: &str) -> Result<OnDisk, RenderError> {
        let Some(canonical_root) = &self.canonical else {
            return Ok(OnDisk::Missing);
        };
        let segments: Vec<&str> = rel.split('/').collect();
        let mut current = self.dir.clone();
        for (i, segment) in segments.iter().enumerate() {
            current.push(segment);
            let shown = segments[..=i].join("/");
            let last = i + 1 == segments.len();
            let meta = match fs::symlink_metadata(&current) {
                Ok(meta) => meta,
                Err(e) if e.kind() == ErrorKind::NotFound => return Ok(OnDisk::Missing),
                Err(e) => return Err(RenderError::io("cannot inspect", &current, e)),
            };
            if meta.file_type().is_symlink() {
                if last {
                    return Err(RenderError::unsafe_path(
                        rel,
                        "it is a symbolic link on disk; archgen writes regular files only: remove the link",
                    ));
                }
                match fs::canonicalize(&current) {
                    Ok(target) if target.starts_with(canonical_root) && target.is_dir() => {}
                    Ok(_) => {
                        return Err(RenderError::unsafe_path(
                            rel,
                            format!("`{shown}` is a symbolic link leading outside the output directory (or not to a directory); remove the link"),
                        ))
                    }
                    Err(_) => {
                        return Err(RenderError::unsafe_path(
                            rel,
                            format!("`{shown}` is a broken symbolic link; remove it"),
                        ))
                    }
                }
            } else if !last && !meta.is_dir() {
                return Err(RenderError::unsafe_path(
                    rel,
                    format!(
                        "`{shown}` is a file on disk where a directory is needed; move it away"
                    ),
                ));
            } else if last && !meta.is_file() {
                return Err(RenderError::unsafe_path(
                    rel,
                    "it is a directory or special file on disk; move it away",
                ));
            }
        }
        fs::read(&current)
            .map(OnDisk::File)
            .map_err(|e| RenderError::io("cannot read", &current, e))
    }

    /// Inspects the directory `rel` like [`inspect`](Self::inspect) does a
    /// file (every component a directory, or a link that stays inside) and
    /// lists the names of the regular files in it, sorted; none when it is
    /// missing.
    pub(crate) fn inspect_dir(&self, rel: &str) -> Result<Vec<String>, RenderError> {
        let Some(canonical_root) = &self.canonical else {
            return Ok(Vec::new());
        };
        let mut current = self.dir.clone();
        for (i, segment) in rel.split('/').enumerate() {
            current.push(segment);
            let shown = rel.split('/').take(i + 1).collect::<Vec<_>>().join("/");
            let meta = match fs::symlink_metadata(&current) {
                Ok(meta) => meta,
                Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
                Err(e) => return Err(RenderError::io("cannot inspect", &current, e)),
            };
            if meta.file_type().is_symlink() {
                match fs::canonicalize(&current) {
                    Ok(target) if target.starts_with(canonical_root) && target.is_dir() => {}
                    _ => {
                        return Err(RenderError::unsafe_path(
                            rel,
                            format!("`{shown}` is a symbolic link leading outside the output directory, broken, or not to a directory; remove the link"),
                        ))
                    }
                }
            } else if !meta.is_dir() {
                return Err(RenderError::unsafe_path(
                    rel,
                    format!(
                        "`{shown}` is a file on disk where a directory is needed; move it away"
                    ),
                ));
            }
        }
        let entries =
            fs::read_dir(&current).map_err(|e| RenderError::io("cannot read", &current, e))?;
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| RenderError::io("cannot read", &current, e))?;
            let is_file = entry
                .file_type()
                .map_err(|e| RenderError::io("cannot inspect", entry.path(), e))?
                .is_file();
            if let (true, Some(name)) = (is_file, entry.file_name().to_str()) {
                names.push(name.to_string());
            }
        }
        names.sort();
        Ok(names)
    }

    /// The absolute path of `rel`.
    pub(crate) fn join(&self, rel: &str) -> PathBuf {
        let mut path = self.dir.clone();
        path.extend(rel.split('/'));
        path
    }
}

/// Writes a file atomically: a temporary file in the same directory, then a
/// rename over the target. An existing file's permissions are kept; an
/// executable file gets the execute bits wherever it has read bits.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8], executable: bool) -> Result<(), RenderError> {
    write_atomic_with(path, executable, |out| out.write_all(bytes))
}

/// This process's id, asked of the system once.
fn process_id() -> u32 {
    static ID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *ID.get_or_init(std::process::id)
}

/// Creates the temporary file `tmp` in `dir`, never following or reusing
/// what is there: a leftover of an interrupted run is removed (a link
/// itself, not what it points to) and the file made anew with
/// `create_new`. The directory is made when it is missing. Each of those
/// is tried only after the plain create fails, so writing into an existing
/// directory costs one call.
fn create_tmp(dir: &Path, tmp: &Path) -> Result<fs::File, RenderError> {
    let open = || {
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(tmp)
    };
    let file = match open() {
        // A missing directory, or a file where one belongs: making the
        // directory says which.
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
            fs::create_dir_all(dir)
                .map_err(|e| RenderError::io("cannot create the directory", dir, e))?;
            open()
        }
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            fs::remove_file(tmp).map_err(|e| RenderError::io("cannot remove", tmp, e))?;
            open()
        }
        other => other,
    };
    file.map_err(|e| RenderError::io("cannot write", tmp, e))
}

/// Like [`write_atomic`], with the contents streamed by `fill` into a
/// buffered writer (for a large file made of many parts).
pub(crate) fn write_atomic_with(
    path: &Path,
    executable: bool,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), RenderError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.archgen-tmp-{}", process_id()));
    let result = (|| {
        let file = create_tmp(dir, &tmp)?;
        let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
        fill(&mut out)
            .and_then(|()| out.flush())
            .map_err(|e| RenderError::io("cannot write", &tmp, e))?;
        drop(out);
        set_mode(&tmp, path, executable)?;
        fs::rename(&tmp, path).map_err(|e| RenderError::io("cannot write", path, e))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(unix)]
fn set_mode(tmp: &Path, target: &Path, executable: bool) -> Result<(), RenderError> {
    use std::os::unix::fs::PermissionsExt;
    let mut perms = match fs::metadata(target) {
        Ok(meta) => meta.permissions(),
        // A new file already has the default permissions.
        Err(_) if !executable => return Ok(()),
        Err(_) => fs::metadata(tmp)
            .map_err(|e| RenderError::io("cannot inspect", tmp, e))?
            .permissions(),
    };
    if executable {
        let mode = perms.mode();
        perms.set_mode(mode | ((mode & 0o444) >> 2));
    }
    fs::set_permissions(tmp, perms)
        .map_err(|e| RenderError::io("cannot set permissions of", tmp, e))
}

#[cfg(not(unix))]
fn set_mode(_tmp: &Path, _target: &Path, _executable: bool) -> Result<(), RenderError> {
    Ok(())
}

/// Makes a file executable where it is readable, if it is not already.
#[cfg(unix)]
pub(crate) fn ensure_executable(path: &Path) -> Result<(), RenderError> {
    use std::os::unix::fs::PermissionsExt;
    let mut perms = fs::metadata(path)
        .map_err(|e| RenderError::io("cannot inspect", path, e))?
        .permissions();
    let mode = perms.mode();
    let wanted = mode | ((mode & 0o444) >> 2);
    if wanted != mode {
        perms.set_mode(wanted);
        fs::set_permissions(path, perms)
            .map_err(|e| RenderError::io("cannot set permissions of", path, e))?;
    }
    Ok(())
}

/// Makes a file executable (nothing to do on this platform).
#[cfg(not(unix))]
pub(crate) fn ensure_executable(_path: &Path) -> Result<(), RenderError> {
    Ok(())
}

/// Removes a file, then every directory above it that it leaves empty, up
/// to (not including) the output directory.
pub(crate) fn remove_and_prune(root: &Path, rel: &str) -> Result<(), RenderError> {
    let mut path = root.to_path_buf();
    path.extend(rel.split('/'));
    fs::remove_file(&path).map_err(|e| RenderError::io("cannot remove", &path, e))?;
    let mut dir = path.parent().map(Path::to_path_buf);
    while let Some(d) = dir {
        if d == root || !d.starts_with(root) || fs::remove_dir(&d).is_err() {
            break;
        }
        dir = d.parent().map(Path::to_path_buf);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp_of(path: &Path) -> PathBuf {
        let name = path.file_name().unwrap().to_string_lossy();
        path.with_file_name(format!(".{name}.archgen-tmp-{}", process_id()))
    }

    #[test]
    fn writes_into_directories_it_makes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/c.txt");
        write_atomic(&path, b"one", false).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"one");
        write_atomic(&path, b"two", false).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert!(!tmp_of(&path).exists());
    }

    #[test]
    fn a_leftover_temporary_file_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.txt");
        fs::write(tmp_of(&path), b"half written").unwrap();
        write_atomic(&path, b"whole", false).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"whole");
        assert!(!tmp_of(&path).exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_leftover_link_is_removed_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere.txt");
        fs::write(&elsewhere, b"not ours").unwrap();
        let path = dir.path().join("c.txt");
        std::os::unix::fs::symlink(&elsewhere, tmp_of(&path)).unwrap();
        write_atomic(&path, b"whole", false).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"whole");
        assert_eq!(fs::read(&elsewhere).unwrap(), b"not ours");
        assert!(fs::symlink_metadata(tmp_of(&path)).is_err());
    }

    #[test]
    fn a_file_where_a_directory_belongs_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a"), b"a file").unwrap();
        let err = write_atomic(&dir.path().join("a/c.txt"), b"x", false).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("cannot create the directory"), "{text}");
    }
}
