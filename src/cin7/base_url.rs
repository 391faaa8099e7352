//! The API root, checked and normalized once: `https://` anywhere, `http://` only for this
//! computer; no user name, password, query or fragment (they would carry secrets to places
//! that keep them, and are never echoed back); no trailing slash, a lower-case host and no
//! default port, so that one connection has one name in the call log, the keychain and the
//! project.

use super::Cin7Error;
use std::fmt;
use url::Url;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseUrl {
    url: Url,
    /// The normalized text, without the trailing slash.
    text: String,
}

impl BaseUrl {
    pub fn parse(text: &str) -> Result<Self, Cin7Error> {
        let url = Url::parse(text.trim()).map_err(|_| Cin7Error::InvalidBaseUrl)?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Cin7Error::BaseUrlWithCredentials);
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(Cin7Error::BaseUrlWithQuery);
        }
        let loopback = match url.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => return Err(Cin7Error::InvalidBaseUrl),
        };
        let text = url.as_str().trim_end_matches('/').to_owned();
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => return Err(Cin7Error::InsecureBaseUrl(text)),
            _ => return Err(Cin7Error::InvalidBaseUrl),
        }
        Ok(Self { url, text })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Whether the API is on this computer (the sandbox): no proxy may stand between.
    pub fn is_loopback(&self) -> bool {
        match self.url.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        }
    }

    /// Whether `other` is this API's own origin (scheme, host and port).
    pub fn same_origin(&self, other: &Url) -> bool {
        self.url.origin() == other.origin()
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_http_only_here_and_one_form_for_each() {
        let normal = |text: &str| BaseUrl::parse(text).map(|b| b.to_string());
        assert_eq!(
            normal(" https://API.cin7.com:443/api/ "),
            Ok("https://api.cin7.com/api".into())
        );
        assert_eq!(
            normal("http://127.0.0.1:8080/api"),
            Ok("http://127.0.0.1:8080/api".into())
        );
        assert!(normal("http://localhost:1/api").is_ok());
        assert!(normal("http://[::1]:1/api").is_ok());
        assert_eq!(
            normal("http://api.cin7.com/api"),
            Err(Cin7Error::InsecureBaseUrl("http://api.cin7.com/api".into()))
        );
        assert_eq!(normal("ftp://x"), Err(Cin7Error::InvalidBaseUrl));
        assert_eq!(normal("not a url"), Err(Cin7Error::InvalidBaseUrl));
    }

    #[test]
    fn credentials_queries_and_fragments_are_refused_and_never_echoed() {
        for (text, expected) in [
            (
                "http://user:S3CRET@127.0.0.1:9/api",
                Cin7Error::BaseUrlWithCredentials,
            ),
            (
                "https://S3CRET@api.cin7.com/api",
                Cin7Error::BaseUrlWithCredentials,
            ),
            (
                "https://api.cin7.com/api?key=S3CRET",
                Cin7Error::BaseUrlWithQuery,
            ),
            (
                "https://api.cin7.com/api#S3CRET",
                Cin7Error::BaseUrlWithQuery,
            ),
        ] {
            let error = BaseUrl::parse(text).unwrap_err();
            assert_eq!(error, expected);
            assert!(!error.to_string().contains("S3CRET"), "{error}");
        }
    }
}
