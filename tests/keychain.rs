//! The API key in the operating system's real credential store. Where the machine has one
//! (CI starts GNOME Keyring on a session bus for this, and sets `CIN7_PLANNER_EXPECT_KEYCHAIN`
//! so that its absence is a failure), a key is stored, read back, replaced and deleted; where it
//! has none, the store says so in one sentence and nothing pretends to have kept the key.

#![allow(clippy::unwrap_used)] // tests state expectations

use cin7_planner::cin7::ApiKey;
use cin7_planner::project::ConnectionInfo;
use cin7_planner::secrets::{KeyringStore, SecretStore};

#[test]
fn a_key_round_trips_through_the_system_keychain_or_its_absence_is_said() {
    let store = KeyringStore::new();
    let connection = ConnectionInfo {
        base_url: "https://api.cin7.com/api".into(),
        username: format!("keychain-test-{}", std::process::id()),
    };
    let expected = std::env::var_os("CIN7_PLANNER_EXPECT_KEYCHAIN").is_some();
    match store.get(&connection) {
        Ok(None) => {
            store.set(&connection, &ApiKey::new("first-key")).unwrap();
            assert_eq!(
                store.get(&connection).unwrap(),
                Some(ApiKey::new("first-key"))
            );
            store.set(&connection, &ApiKey::new("second-key")).unwrap();
            assert_eq!(
                store.get(&connection).unwrap(),
                Some(ApiKey::new("second-key"))
            );
            store.delete(&connection).unwrap();
            assert_eq!(store.get(&connection).unwrap(), None);
            store.delete(&connection).unwrap();
        }
        Ok(Some(_)) => panic!("a key for a username no one used"),
        Err(error) => {
            assert!(!expected, "CI set up a keychain, but: {error}");
            // In words: the store's own text (a D-Bus error) goes to the log only.
            assert_eq!(
                error.not_kept_sentence(),
                "The keychain could not keep the API key (no keychain answers on this computer), so it is kept for this session only."
            );
            assert!(store.set(&connection, &ApiKey::new("k")).is_err());
        }
    }
}
