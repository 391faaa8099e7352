//! Every file the app writes goes through here: written whole to a temporary file beside the
//! target, flushed to disk, then renamed over it, so that a crash, a kill or a full disk leaves
//! either the old file or the new one, never a mix. Writing through a symbolic link replaces
//! the file it points to (the link stays a link); a new file gets the usual permissions under
//! the user's umask; an existing one keeps its own. A file the user may not change (read-only,
//! or not writable by them) is never replaced, although renaming over it would succeed.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Symbolic links followed before giving up (as the kernel does).
const MAX_LINKS: usize = 40;

/// Whether this user may replace `path`: a file that does not exist yet, or one that is not
/// marked read-only and opens for writing. (Root may write any file, but a file marked
/// read-only says it is not to be changed, so the mark is honoured for everyone.)
pub fn may_replace(path: &Path) -> bool {
    let Ok(target) = resolve_links(path) else {
        return false;
    };
    match std::fs::metadata(&target) {
        Err(_) => true,
        Ok(meta) if meta.is_dir() => false,
        Ok(meta) => {
            !meta.permissions().readonly()
                && std::fs::OpenOptions::new()
                    .write(true)
                    .open(&target)
                    .is_ok()
        }
    }
}

/// Writes `path` atomically with what `write` puts into the writer it is given; refuses a
/// file the user may not change (the error is [`crate::io_error::ReadOnly`]).
pub fn write(path: &Path, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    write_file(path, |file| {
        let mut writer = BufWriter::new(file);
        write(&mut writer)?;
        writer.flush()
    })
}

/// As [`write`], handing `fill` the new file itself, which it may seek in (a zip archive's
/// directory is written after its entries).
pub fn write_file(
    path: &Path,
    fill: impl FnOnce(&std::fs::File) -> io::Result<()>,
) -> io::Result<()> {
    let target = resolve_links(path)?;
    if target.exists() && !may_replace(&target) && !target.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            crate::io_error::ReadOnly,
        ));
    }
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.");
    remove_stale_temporaries(&dir, &prefix);
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The kernel applies the umask to this, as it does for any new file.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let temp = builder.tempfile_in(&dir)?;
    fill(temp.as_file())?;
    if let Ok(existing) = std::fs::metadata(&target) {
        temp.as_file().set_permissions(existing.permissions())?;
    }
    temp.as_file().sync_all()?;
    temp.persist(&target).map_err(|e| e.error)?;
    sync_dir(&dir);
    Ok(())
}

/// Deletes what a write of the same file left when its process was killed: temporaries it
/// never renamed.
fn remove_stale_temporaries(dir: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(prefix) && name.ends_with(".tmp") {
            std::fs::remove_file(entry.path()).ok();
        }
    }
}

/// Writes `bytes` to `path` atomically.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write(path, |out| out.write_all(bytes))
}

/// The file `path` finally names, following symbolic links (a dangling one names the file it
/// would create).
fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_owned();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = std::fs::read_link(&current)?;
                current = match current.parent() {
                    Some(parent) if link.is_relative() => parent.join(link),
                    _ => link,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(io::Error::other(format!(
        "more than {MAX_LINKS} symbolic links in a row"
    )))
}

/// Makes a rename in `dir` durable (on Unix; elsewhere the rename is as durable as it gets).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        d.sync_all().ok();
    }
    #[cfg(not(unix))]
    let _ = (dir, File::open);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        write_bytes(&path, b"one").unwrap();
        let failed = write(&path, |out| {
            out.write_all(b"half")?;
            Err(io::Error::other("the disk is full"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
        // One left by a writer that was killed goes with the next write.
        std::fs::write(dir.path().join(".a.json.killed.tmp"), b"ha").unwrap();
        write_bytes(&path, b"two").unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn writes_through_links_and_keeps_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        let link = dir.path().join("link.json");
        write_bytes(&real, b"old").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        std::os::unix::fs::symlink("real.json", &link).unwrap();
        write_bytes(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        // A read-only file is not replaced, whoever writes (root included).
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o444)).unwrap();
        assert!(!may_replace(&link));
        let refused = write_bytes(&link, b"newer").unwrap_err();
        assert!(crate::io_error::is_read_only(&refused), "{refused:?}");
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        // A dangling link creates the file it points to.
        std::os::unix::fs::symlink("later.json", dir.path().join("dangling.json")).unwrap();
        write_bytes(&dir.path().join("dangling.json"), b"x").unwrap();
        assert_eq!(std::fs::read(dir.path().join("later.json")).unwrap(), b"x");
    }
}
