//! The API key in the operating system's credential store, keyed by the API address and
//! username: the Secret Service (GNOME Keyring, KWallet) on Linux, the Credential Manager on
//! Windows, the login keychain on macOS. Behind a small trait so tests can use memory instead.

use crate::cin7::ApiKey;
use crate::project::ConnectionInfo;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const SERVICE: &str = "cin7-planner";

/// Why the keychain failed, in words (the store's own text, which may be a D-Bus error, goes
/// to the log only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("no keychain answers on this computer")]
    Unavailable,
    #[error("the keychain is locked or refused access")]
    Refused,
    #[error("the keychain failed")]
    Failed,
}

impl SecretError {
    /// The store cannot keep keys, for `reason` (logged).
    pub fn unavailable(reason: impl std::fmt::Display) -> Self {
        tracing::info!(%reason, "the keychain is not available");
        Self::Unavailable
    }

    /// What the window says when a key could not be read from the keychain.
    pub fn lookup_sentence(&self) -> String {
        format!("The API key could not be read from the keychain ({self}): enter it to go on.")
    }

    /// What the window says when the keychain would not keep a key.
    pub fn not_kept_sentence(&self) -> String {
        format!(
            "The keychain could not keep the API key ({self}), so it is kept for this session only."
        )
    }

    /// What the window says when the keychain would not forget a key.
    pub fn forget_sentence(&self) -> String {
        format!(
            "The keychain could not forget the API key ({self}): remove it with this computer's keychain app."
        )
    }

    /// The keychain's own error, logged, as one of ours.
    fn of(error: &keyring_core::Error) -> Self {
        tracing::info!(error = %crate::text::printable(&error.to_string()), "the keychain failed");
        match error {
            keyring_core::Error::NoStorageAccess(_) => Self::Refused,
            keyring_core::Error::PlatformFailure(_) | keyring_core::Error::NoDefaultStore => {
                Self::Unavailable
            }
            _ => Self::Failed,
        }
    }
}

pub trait SecretStore: Send + Sync {
    fn get(&self, connection: &ConnectionInfo) -> Result<Option<ApiKey>, SecretError>;
    fn set(&self, connection: &ConnectionInfo, key: &ApiKey) -> Result<(), SecretError>;
    fn delete(&self, connection: &ConnectionInfo) -> Result<(), SecretError>;
}

/// The OS credential store. Its calls may block (a locked keychain waits for the user), so
/// they are made from worker threads, never the UI thread.
pub struct KeyringStore {
    store: Result<Arc<keyring_core::CredentialStore>, SecretError>,
}

impl KeyringStore {
    pub fn new() -> Self {
        #[cfg(target_os = "linux")]
        let store = zbus_secret_service_keyring_store::Store::new()
            .map(|s| s as Arc<keyring_core::CredentialStore>);
        #[cfg(target_os = "windows")]
        let store = windows_native_keyring_store::Store::new()
            .map(|s| s as Arc<keyring_core::CredentialStore>);
        #[cfg(target_os = "macos")]
        let store = apple_native_keyring_store::keychain::Store::new()
            .map(|s| s as Arc<keyring_core::CredentialStore>);
        #[cfg(any(target_os = "linux", target_os = "windows", target_os = "macos"))]
        let store = store.map_err(|e| SecretError::of(&e));
        #[cfg(not(any(target_os = "linux", target_os = "windows", target_os = "macos")))]
        let store = Err(SecretError::unavailable(
            "no credential store is built for this platform",
        ));
        Self { store }
    }

    fn entry(&self, connection: &ConnectionInfo) -> Result<keyring_core::Entry, SecretError> {
        let store = self.store.as_ref().map_err(|e| *e)?;
        keyring_core::Entry::new_in_store(store, SERVICE, &connection.key())
            .map_err(|e| SecretError::of(&e))
    }
}

impl Default for KeyringStore {
    fn default() -> Self {
        Self::new()
    }
}

impl SecretStore for KeyringStore {
    fn get(&self, connection: &ConnectionInfo) -> Result<Option<ApiKey>, SecretError> {
        match self.entry(connection)?.get_password() {
            Ok(key) => Ok(Some(ApiKey::new(key))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(SecretError::of(&e)),
        }
    }

    fn set(&self, connection: &ConnectionInfo, key: &ApiKey) -> Result<(), SecretError> {
        self.entry(connection)?
            .set_password(key.expose())
            .map_err(|e| SecretError::of(&e))
    }

    fn delete(&self, connection: &ConnectionInfo) -> Result<(), SecretError> {
        match self.entry(connection)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(SecretError::of(&e)),
        }
    }
}

/// Keys held in memory for this run only (when the user declines the keychain, and in tests).
#[derive(Default)]
pub struct MemoryStore {
    keys: Mutex<HashMap<String, ApiKey>>,
}

impl SecretStore for MemoryStore {
    fn get(&self, connection: &ConnectionInfo) -> Result<Option<ApiKey>, SecretError> {
        Ok(crate::sync::lock(&self.keys)
            .get(&connection.key())
            .cloned())
    }

    fn set(&self, connection: &ConnectionInfo, key: &ApiKey) -> Result<(), SecretError> {
        crate::sync::lock(&self.keys).insert(connection.key(), key.clone());
        Ok(())
    }

    fn delete(&self, connection: &ConnectionInfo) -> Result<(), SecretError> {
        crate::sync::lock(&self.keys).remove(&connection.key());
        Ok(())
    }
}
