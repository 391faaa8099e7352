//! The API key as the app holds it: never printed, wiped from memory when dropped.

use secrecy::{ExposeSecret, SecretString};
use std::fmt;

/// The Cin7 API key. It has no `Display` and its `Debug` is redacted, so it cannot reach a
/// log line, an error message or a panic by accident; only the client and the credential store
/// read it. Its memory is wiped when the last copy is dropped, which the import does as soon
/// as it ends.
#[derive(Clone)]
pub struct ApiKey(SecretString);

impl ApiKey {
    pub fn new(key: impl AsRef<str>) -> Self {
        Self(SecretString::from(key.as_ref().trim()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.expose_secret().is_empty()
    }

    /// The secret itself, for the Authorization header and the credential store only.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl PartialEq for ApiKey {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl Eq for ApiKey {}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_key() {
        let key = ApiKey::new(" s3cret-key ");
        assert_eq!(key.expose(), "s3cret-key");
        assert_eq!(format!("{key:?}"), "ApiKey(<redacted>)");
        assert_eq!(key, ApiKey::new("s3cret-key"));
    }
}
