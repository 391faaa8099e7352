//! Pages already read, kept on disk while an import runs, so that an import that stops (the
//! daily budget spent, the network gone) loses nothing: the next run with the same settings
//! reads those pages from here instead of calling Cin7 again. A finished import deletes its
//! pages; pages more than a day old are never used.

use std::path::{Path, PathBuf};
use std::time::Duration;

const FRESH_FOR: Duration = Duration::from_secs(86_400);

#[derive(Clone, Debug)]
pub struct PageStore {
    dir: PathBuf,
}

/// FNV-1a: a stable name for a page from its connection, resource, query and number.
pub fn page_key(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

impl PageStore {
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The user's own store: `$CIN7_PLANNER_STATE_DIR/pages`, else the platform's cache folder.
    pub fn for_user() -> Option<Self> {
        let dir = std::env::var_os("CIN7_PLANNER_STATE_DIR")
            .map(|d| PathBuf::from(d).join("pages"))
            .or_else(|| dirs::cache_dir().map(|d| d.join("cin7-planner").join("pages")))?;
        Some(Self::at(dir))
    }

    fn path(&self, key: u64) -> PathBuf {
        self.dir.join(format!("{key:016x}.json"))
    }

    /// A page kept within the last day.
    pub fn get(&self, key: u64) -> Option<Vec<u8>> {
        let path = self.path(key);
        let age = std::fs::metadata(&path)
            .ok()?
            .modified()
            .ok()?
            .elapsed()
            .unwrap_or_default();
        if age > FRESH_FOR {
            std::fs::remove_file(&path).ok();
            return None;
        }
        std::fs::read(path).ok()
    }

    pub fn put(&self, key: u64, body: &[u8]) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        crate::atomic_file::write_bytes(&self.path(key), body)
    }

    pub fn remove(&self, key: u64) {
        std::fs::remove_file(self.path(key)).ok();
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_pages_by_key_and_names_them_stably() {
        let dir = tempfile::tempdir().unwrap();
        let store = PageStore::at(dir.path().join("pages"));
        let key = page_key(&["demo@http://127.0.0.1:1/api", "SalesOrders", "id ASC", "2"]);
        assert_eq!(
            key,
            page_key(&["demo@http://127.0.0.1:1/api", "SalesOrders", "id ASC", "2"])
        );
        assert_ne!(
            key,
            page_key(&["demo@http://127.0.0.1:1/api", "SalesOrders", "id ASC", "3"])
        );
        assert_ne!(page_key(&["ab", "c"]), page_key(&["a", "bc"]));
        assert_eq!(store.get(key), None);
        store.put(key, b"[1]").unwrap();
        assert_eq!(store.get(key), Some(b"[1]".to_vec()));
        assert!(store.dir().join(format!("{key:016x}.json")).exists());
        store.remove(key);
        assert_eq!(store.get(key), None);
    }
}
