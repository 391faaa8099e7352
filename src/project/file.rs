//! The project file: versioned JSON (docs/project-format.md), saved atomically.

use super::Project;
use serde::{Deserialize, Serialize};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The `format` marker every project file starts with.
pub const FORMAT: &str = "cin7-planner project";
/// The newest format version this build writes and reads.
pub const VERSION: u32 = 2;

#[derive(Debug, thiserror::Error)]
pub enum ProjectFileError {
    #[error("Could not read {path}: {reason}.")]
    Read { path: PathBuf, reason: String },
    #[error("Could not save {path}: {reason}; the previous file, if any, is unchanged.")]
    Write { path: PathBuf, reason: String },
    #[error("{path} is not a cin7-planner project file.")]
    NotAProject { path: PathBuf },
    #[error("{path} is damaged ({detail}) and was not opened.")]
    Damaged { path: PathBuf, detail: String },
    #[error(
        "{path} was saved by a newer cin7-planner (format version {version}; this one reads up to {VERSION}): update the app to open it."
    )]
    TooNew { path: PathBuf, version: u32 },
}

#[derive(Serialize)]
struct Envelope<'a> {
    format: &'static str,
    version: u32,
    project: &'a Project,
}

/// Only the header, read first so that a newer or foreign file is told apart from damage.
#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    version: Option<u32>,
}

#[derive(Deserialize)]
struct OwnedEnvelope {
    project: Project,
}

/// Writes the project to `path` atomically: a temporary file beside it, flushed to disk, then
/// renamed over the target, so a crash or a full disk never leaves a half-written project.
pub fn save(project: &Project, path: &Path) -> Result<(), ProjectFileError> {
    let fail = |reason: String| ProjectFileError::Write {
        path: path.to_owned(),
        reason,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let temp = tempfile::Builder::new()
        .prefix(".cin7-planner-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| fail(e.to_string()))?;
    {
        let mut writer = BufWriter::new(temp.as_file());
        serde_json::to_writer(
            &mut writer,
            &Envelope {
                format: FORMAT,
                version: VERSION,
                project,
            },
        )
        .map_err(|e| fail(e.to_string()))?;
        writer.flush().map_err(|e| fail(e.to_string()))?;
    }
    keep_permissions(temp.as_file(), path).map_err(|e| fail(e.to_string()))?;
    temp.as_file().sync_all().map_err(|e| fail(e.to_string()))?;
    temp.persist(path).map_err(|e| fail(e.error.to_string()))?;
    // Make the rename itself durable.
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        d.sync_all().ok();
    }
    Ok(())
}

/// A temporary file is private (0600); the saved project keeps the permissions of the file it
/// replaces, or gets the usual 0644 for a new file.
fn keep_permissions(temp: &std::fs::File, target: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let permissions = match std::fs::metadata(target) {
            Ok(existing) => existing.permissions(),
            Err(_) => std::fs::Permissions::from_mode(0o644),
        };
        temp.set_permissions(permissions)?;
    }
    #[cfg(not(unix))]
    let _ = (temp, target);
    Ok(())
}

/// Reads a project file, telling apart a foreign file, a newer format and a damaged one.
pub fn open(path: &Path) -> Result<Project, ProjectFileError> {
    let bytes = std::fs::read(path).map_err(|e| ProjectFileError::Read {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    parse(&bytes, path)
}

fn parse(bytes: &[u8], path: &Path) -> Result<Project, ProjectFileError> {
    let damaged = |detail: String| ProjectFileError::Damaged {
        path: path.to_owned(),
        detail,
    };
    let header: Header = match serde_json::from_slice(bytes) {
        Ok(header) => header,
        Err(e) if e.is_eof() => return Err(damaged("it ends too early, as if cut off".into())),
        Err(e) if e.is_syntax() && looks_like_a_project(bytes) => {
            return Err(damaged(format!(
                "invalid JSON at line {}, column {}",
                e.line(),
                e.column()
            )));
        }
        Err(_) => {
            return Err(ProjectFileError::NotAProject {
                path: path.to_owned(),
            });
        }
    };
    if header.format.as_deref() != Some(FORMAT) {
        return Err(ProjectFileError::NotAProject {
            path: path.to_owned(),
        });
    }
    match header.version {
        Some(v) if v > VERSION => {
            return Err(ProjectFileError::TooNew {
                path: path.to_owned(),
                version: v,
            });
        }
        Some(v) if v >= 1 => {}
        _ => return Err(damaged("its format version is missing".into())),
    }
    let envelope: OwnedEnvelope =
        serde_json::from_slice(bytes).map_err(|e| damaged(e.to_string()))?;
    envelope.project.validate().map_err(damaged)?;
    Ok(envelope.project)
}

/// Whether the first bytes carry the project marker (to call a syntax error damage rather
/// than a foreign file).
fn looks_like_a_project(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(200)];
    String::from_utf8_lossy(head).contains(FORMAT)
}
