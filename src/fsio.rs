//! Reading Dockerfiles and replacing them safely.
//!
//! A file is only ever replaced whole: the new text goes to a temporary file
//! in the same directory, which is then renamed over the target, so a reader
//! sees the old file or the new one and never half of each. A symlink stays a
//! symlink (its target is rewritten), the mode and owner are kept, and a file
//! that changed since it was read is left alone.

use std::fmt;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// Why a file could not be read or written; the caller adds the path.
#[derive(Debug)]
pub enum FileError {
    NotFound,
    IsDirectory,
    NotRegular,
    NotUtf8 {
        line: usize,
        column: usize,
    },
    Binary {
        line: usize,
        column: usize,
    },
    Changed,
    /// The file (or its directory) may not be written: read-only, immutable,
    /// or on a read-only file system.
    ReadOnly(io::Error),
    Io(io::Error),
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::NotFound => write!(f, "no such file"),
            FileError::IsDirectory => write!(f, "is a directory, not a Dockerfile"),
            FileError::NotRegular => write!(f, "not a regular file (a FIFO, socket or device)"),
            FileError::NotUtf8 { line, column } => {
                write!(
                    f,
                    "{line}:{column}: not UTF-8 text (Dockerfiles must be UTF-8)"
                )
            }
            FileError::Binary { line, column } => {
                write!(
                    f,
                    "{line}:{column}: binary data (a NUL byte), not a Dockerfile"
                )
            }
            FileError::Changed => write!(
                f,
                "changed on disk while dfslim was working; not overwritten (run again)"
            ),
            FileError::ReadOnly(e) => write!(f, "not writable, left as it was: {e}"),
            FileError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for FileError {}

impl From<io::Error> for FileError {
    fn from(e: io::Error) -> Self {
        match e.kind() {
            io::ErrorKind::NotFound => FileError::NotFound,
            io::ErrorKind::IsADirectory => FileError::IsDirectory,
            _ => FileError::Io(e),
        }
    }
}

/// Reads a Dockerfile as UTF-8 text. Refuses directories, FIFOs and devices
/// without opening them (opening a FIFO would block).
pub fn read_text(path: &Path) -> Result<String, FileError> {
    let meta = fs::metadata(path)?;
    if meta.is_dir() {
        return Err(FileError::IsDirectory);
    }
    if !meta.is_file() {
        return Err(FileError::NotRegular);
    }
    decode(read_sized(&mut fs::File::open(path)?, meta.len() as usize)?)
}

/// Reads `file`, `len` bytes long when it was looked at, to its end in
/// one system call when it still is: asked for one byte more, a regular
/// file gives less only at its end, so the second read `read_to_end`
/// makes to see the end is not needed (one call per file of a batch). A
/// file that grew is read on to its end; one that shrank, until a read
/// gives 0.
fn read_sized(file: &mut fs::File, len: usize) -> io::Result<Vec<u8>> {
    let mut bytes = vec![0; len + 1];
    let mut n = 0;
    loop {
        match file.read(&mut bytes[n..]) {
            Ok(0) => break,
            Ok(k) => {
                n += k;
                if n == len {
                    break;
                }
                if n == bytes.len() {
                    bytes.truncate(n);
                    file.take(u64::MAX).read_to_end(&mut bytes)?;
                    return Ok(bytes);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    bytes.truncate(n);
    Ok(bytes)
}

/// Reads all of standard input as UTF-8 text.
pub fn read_stdin() -> Result<String, FileError> {
    let mut bytes = Vec::new();
    io::stdin().lock().read_to_end(&mut bytes)?;
    decode(bytes)
}

/// Checks that `bytes` are text: valid UTF-8 without NUL bytes.
pub fn decode(bytes: Vec<u8>) -> Result<String, FileError> {
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        let (line, column) = position(&bytes, at);
        return Err(FileError::Binary { line, column });
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let (line, column) = position(e.as_bytes(), at);
        FileError::NotUtf8 { line, column }
    })
}

/// 1-based line and column of byte `at` (columns count characters of the valid prefix).
fn position(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = &bytes[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

/// Replaces `path` with `new`, provided it still holds `original`.
pub fn replace(path: &Path, original: &str, new: &str) -> Result<(), FileError> {
    replace_with(path, original, new, |f, bytes| f.write_all(bytes))
}

/// [`replace`] with the write itself supplied, so tests can make it fail
/// the way a full disk does.
pub fn replace_with(
    path: &Path,
    original: &str,
    new: &str,
    write: impl FnOnce(&mut fs::File, &[u8]) -> io::Result<()>,
) -> Result<(), FileError> {
    // Rewrite the symlink's target, never the link itself.
    let target: PathBuf = fs::canonicalize(path)?;
    let meta = fs::metadata(&target)?;
    // The rename below would replace a read-only file whatever its mode, so
    // first ask for write access (opening without truncating changes nothing).
    fs::OpenOptions::new()
        .write(true)
        .open(&target)
        .map_err(not_writable)?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".dfslim-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(not_writable)?;
    write(tmp.as_file_mut(), new.as_bytes())?;
    tmp.as_file().set_permissions(meta.permissions())?;
    keep_owner(tmp.as_file(), &meta);
    tmp.as_file().sync_all()?;
    // Someone may have edited the file while we worked: then keep theirs.
    if fs::read(&target)? != original.as_bytes() {
        return Err(FileError::Changed);
    }
    tmp.persist(&target).map_err(|e| not_writable(e.error))?;
    Ok(())
}

fn not_writable(e: io::Error) -> FileError {
    match e.kind() {
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
            FileError::ReadOnly(e)
        }
        _ => FileError::from(e),
    }
}

#[cfg(unix)]
fn keep_owner(file: &fs::File, meta: &fs::Metadata) {
    use std::os::unix::fs::MetadataExt;
    // Only root may give a file away; for anyone else this is a no-op that fails.
    let _ = std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid()));
}

#[cfg(not(unix))]
fn keep_owner(_: &fs::File, _: &fs::Metadata) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_sized_reads_to_the_end_whatever_size_was_told() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Dockerfile");
        let text = "FROM alpine\nRUN echo hi\n";
        fs::write(&path, text).unwrap();
        // The size told, a size it grew past, a size it shrank from, none.
        for told in [text.len(), 5, 1000, 0] {
            let got = read_sized(&mut fs::File::open(&path).unwrap(), told).unwrap();
            assert_eq!(String::from_utf8(got).unwrap(), text, "told {told}");
        }
        fs::write(&path, "").unwrap();
        assert!(
            read_sized(&mut fs::File::open(&path).unwrap(), 0)
                .unwrap()
                .is_empty()
        );
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".dfslim-"))
            .collect()
    }

    #[test]
    fn decodes_text_and_locates_bad_bytes() {
        assert_eq!(decode(b"FROM a\n".to_vec()).unwrap(), "FROM a\n");
        assert!(matches!(
            decode(b"FROM a\nRUN \xff\n".to_vec()),
            Err(FileError::NotUtf8 { line: 2, column: 5 })
        ));
        assert!(matches!(
            decode(b"FROM \0".to_vec()),
            Err(FileError::Binary { line: 1, column: 6 })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn replaces_atomically_keeping_mode_and_links() {
        use std::os::unix::fs::{PermissionsExt, symlink};
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.Dockerfile");
        fs::write(&real, "old\n").unwrap();
        fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("Dockerfile");
        symlink("real.Dockerfile", &link).unwrap();
        replace(&link, "old\n", "new\n").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "new\n");
        assert_eq!(
            fs::metadata(&real).unwrap().permissions().mode() & 0o777,
            0o640
        );
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn a_failed_write_leaves_the_original_and_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("Dockerfile");
        fs::write(&f, "old\n").unwrap();
        let err = replace_with(&f, "old\n", "new\n", |_, _| {
            Err(io::Error::new(
                io::ErrorKind::StorageFull,
                "No space left on device",
            ))
        })
        .unwrap_err();
        assert!(err.to_string().contains("No space left"));
        assert_eq!(fs::read_to_string(&f).unwrap(), "old\n");
        assert!(leftovers(dir.path()).is_empty());
    }

    /// Makes `path` unwritable even for root (`chattr +i`, undone on drop),
    /// or by its mode for anyone else. `None` when neither works here.
    #[cfg(unix)]
    struct ReadOnly(PathBuf, bool);

    #[cfg(unix)]
    impl ReadOnly {
        fn make(path: &Path) -> Option<ReadOnly> {
            use std::os::unix::fs::PermissionsExt;
            let chattr = std::process::Command::new("chattr")
                .arg("+i")
                .arg(path)
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if chattr {
                return Some(ReadOnly(path.to_path_buf(), true));
            }
            let mode = if path.is_dir() { 0o555 } else { 0o444 };
            fs::set_permissions(path, fs::Permissions::from_mode(mode)).ok()?;
            // Root ignores modes: then this proves nothing.
            let probe = path.is_dir() && tempfile::tempfile_in(path).is_err()
                || !path.is_dir() && fs::OpenOptions::new().write(true).open(path).is_err();
            probe.then(|| ReadOnly(path.to_path_buf(), false))
        }
    }

    #[cfg(unix)]
    impl Drop for ReadOnly {
        fn drop(&mut self) {
            use std::os::unix::fs::PermissionsExt;
            if self.1 {
                let _ = std::process::Command::new("chattr")
                    .arg("-i")
                    .arg(&self.0)
                    .status();
            } else {
                let _ = fs::set_permissions(&self.0, fs::Permissions::from_mode(0o755));
            }
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_read_only_file_or_directory_is_not_replaced() {
        for lock_dir in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let f = dir.path().join("Dockerfile");
            fs::write(&f, "old\n").unwrap();
            let locked = if lock_dir { dir.path() } else { &f };
            let Some(guard) = ReadOnly::make(locked) else {
                eprintln!("SKIPPED: cannot make {} read-only here", locked.display());
                continue;
            };
            let err = replace(&f, "old\n", "new\n").unwrap_err();
            assert!(matches!(err, FileError::ReadOnly(_)), "{err:?}");
            assert!(err.to_string().starts_with("not writable"), "{err}");
            drop(guard);
            assert_eq!(fs::read_to_string(&f).unwrap(), "old\n");
            assert!(leftovers(dir.path()).is_empty());
        }
    }

    #[test]
    fn a_file_changed_meanwhile_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("Dockerfile");
        fs::write(&f, "theirs\n").unwrap();
        assert!(matches!(
            replace(&f, "old\n", "new\n"),
            Err(FileError::Changed)
        ));
        assert_eq!(fs::read_to_string(&f).unwrap(), "theirs\n");
        assert!(leftovers(dir.path()).is_empty());
    }
}
