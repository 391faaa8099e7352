//! The pages one run (an import or an update) has read, kept on disk under the run's
//! checkpoint, so that a run that stops for any reason (the daily budget spent, the network
//! gone, Cancel, the process killed) loses nothing: resumed, it reads those pages from here
//! instead of calling Cin7 again. They go with the checkpoint, once the project they made has
//! been saved.

use std::path::{Path, PathBuf};

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

    fn path(&self, key: u64) -> PathBuf {
        self.dir.join(format!("{key:016x}.json"))
    }

    /// A page kept earlier in the run.
    pub fn get(&self, key: u64) -> Option<Vec<u8>> {
        std::fs::read(self.path(key)).ok()
    }

    pub fn put(&self, key: u64, body: &[u8]) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        crate::atomic_file::write_bytes(&self.path(key), body)
    }

    /// How many pages are kept.
    pub fn len(&self) -> usize {
        std::fs::read_dir(&self.dir)
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                    .count()
            })
            .unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
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
        assert_eq!(store.len(), 1);
    }
}
