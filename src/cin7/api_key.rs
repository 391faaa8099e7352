use std::fmt;

/// The Cin7 API key. It has no `Display` and its `Debug` is redacted, so it cannot reach a
/// log line, an error message or a panic by accident; only the client reads it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into().trim().to_owned())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The secret itself, for the Authorization header and the credential store only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

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
    }
}
