//! The window's log: what it writes to standard error (warnings and up, or what
//! `CIN7_PLANNER_LOG` asks for) also goes to a file in the state folder, since a window started
//! from a desktop has no terminal. A log past a few megabytes when the window starts is moved
//! aside (kept beside it as `.old`) and a new one begun. The API key never reaches it: no log
//! line carries the key.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The log's name in the state folder.
pub const NAME: &str = "cin7-planner.log";
/// Past this size the log starts afresh.
const KEEP_BYTES: u64 = 4 << 20;

/// Opens the log in `state_dir` for appending, moving a full one aside.
pub fn open(state_dir: &Path) -> io::Result<File> {
    std::fs::create_dir_all(state_dir)?;
    let path = state_dir.join(NAME);
    if std::fs::metadata(&path).is_ok_and(|m| m.len() > KEEP_BYTES) {
        std::fs::rename(&path, path.with_extension("log.old"))?;
    }
    OpenOptions::new().create(true).append(true).open(&path)
}

/// Writes each line to standard error and to the log file.
#[derive(Clone)]
pub struct Tee {
    file: Arc<Mutex<File>>,
}

impl Tee {
    pub fn new(file: File) -> Self {
        Self {
            file: Arc::new(Mutex::new(file)),
        }
    }
}

impl Write for Tee {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        io::stderr().write_all(bytes).ok();
        crate::sync::lock(&self.file).write_all(bytes)?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        crate::sync::lock(&self.file).flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_log_is_moved_aside_and_the_new_one_appends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(NAME);
        let mut tee = Tee::new(open(dir.path()).unwrap());
        tee.write_all(b"one\n").unwrap();
        Tee::new(open(dir.path()).unwrap())
            .write_all(b"two\n")
            .unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one\ntwo\n");
        std::fs::write(&path, vec![b'x'; KEEP_BYTES as usize + 1]).unwrap();
        Tee::new(open(dir.path()).unwrap())
            .write_all(b"fresh\n")
            .unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "fresh\n");
        assert!(path.with_extension("log.old").exists());
    }
}
