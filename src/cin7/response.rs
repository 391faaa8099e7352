//! What one answer means: its body read within a limit, its status classified into the
//! records' body, a failure worth trying again, or a final error, and its text made safe to
//! show.

use super::retry::Transient;
use super::{ApiKey, Cin7Error, Resource};
use std::time::{Duration, Instant};

/// Why one attempt failed, before deciding whether to retry.
pub(super) enum Attempt {
    Final(Cin7Error),
    Transient(Failure),
}

/// A failure worth trying again, with what the answer said about when.
pub(super) struct Failure {
    pub kind: Transient,
    pub retry_after: Option<Duration>,
    /// When the pacer let the call out (a 429 teaches the pacer about that moment).
    pub sent: Option<Instant>,
}

impl Attempt {
    /// A failure worth trying again, without advice on when.
    pub(super) fn transient(kind: Transient) -> Self {
        Attempt::Transient(Failure {
            kind,
            retry_after: None,
            sent: None,
        })
    }
}

/// An answer that came back whole: its status, its body, and what it said about retries.
pub(super) struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    pub retry_after: Option<Duration>,
    /// When the pacer let the call out.
    pub sent: Instant,
    /// Calls made so far, this one included.
    pub calls: u64,
}

/// What an answer's status means for the page asked for. `worked_before`: a call of this
/// client has succeeded, so a 401 means the key was revoked rather than wrong;
/// `server_text` makes the server's words safe to show.
pub(super) fn classify(
    answer: Answer,
    resource: Resource,
    page: u32,
    worked_before: bool,
    server_text: impl Fn(&[u8]) -> String,
) -> Result<Vec<u8>, Attempt> {
    let Answer {
        status,
        body,
        retry_after,
        sent,
        calls,
    } = answer;
    let transient = |kind| {
        Attempt::Transient(Failure {
            kind,
            retry_after,
            sent: Some(sent),
        })
    };
    let message = || server_text(&body);
    Err(match status {
        200..=299 => return Ok(body),
        // Rejected before anything worked: the username or key is wrong. Rejected after:
        // the key was reset or its connection deleted while the import ran.
        401 if !worked_before => Attempt::Final(Cin7Error::Unauthorized),
        401 => Attempt::Final(Cin7Error::KeyRevoked { calls }),
        403 => Attempt::Final(Cin7Error::Forbidden(resource)),
        404 => Attempt::Final(Cin7Error::NotFound { resource }),
        429 => transient(Transient::RateLimited),
        500 | 502 | 503 | 504 => transient(Transient::Server {
            status,
            message: message(),
        }),
        400 => Attempt::Final(Cin7Error::BadRequest {
            resource,
            page,
            message: message(),
        }),
        _ => Attempt::Final(Cin7Error::UnexpectedStatus {
            resource,
            page,
            status,
            message: message(),
        }),
    })
}

/// Text the server sent, as it may be shown: its message, shortened, without control
/// characters, and without the key or the Authorization header's value should a hostile
/// server echo them back.
pub(super) fn server_text(body: &[u8], username: &str, key: &ApiKey) -> String {
    let mut text = crate::text::printable(&error_message(body)).into_owned();
    let key = key.expose();
    let header = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("{username}:{key}"),
    );
    for secret in [header.as_str(), key] {
        if !secret.is_empty() {
            text = text.replace(secret, "…");
        }
    }
    text
}

/// Why a body is not the records asked for, in words that carry nothing of the server's
/// text but what `server_text` lets through.
pub(super) fn malformed_detail(
    error: &serde_json::Error,
    server_text: impl Fn(&[u8]) -> String,
) -> String {
    match error.classify() {
        serde_json::error::Category::Syntax => format!(
            "not JSON, at line {} column {}",
            error.line(),
            error.column()
        ),
        _ => format!(
            "not a list of records: {}",
            server_text(error.to_string().as_bytes())
        ),
    }
}

pub(super) enum BodyError {
    TooLarge,
    Network(reqwest::Error),
}

/// Reads a body of at most `limit` bytes, refusing a longer one as soon as it shows: by its
/// `Content-Length`, or while it streams.
pub(super) async fn read_body(
    mut response: reqwest::Response,
    limit: u64,
) -> Result<Vec<u8>, BodyError> {
    if response.content_length().is_some_and(|n| n > limit) {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Network)? {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// `Retry-After` in seconds or as an HTTP date; a number too large to read is a very long wait.
pub(super) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(value.parse().map_or(Duration::MAX, Duration::from_secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    Some(
        (at.with_timezone(&chrono::Utc) - chrono::Utc::now())
            .to_std()
            .unwrap_or_default(),
    )
}

pub(super) fn network_failure(error: reqwest::Error) -> Attempt {
    // reqwest's message names the URL; ours names the resource and page instead.
    let error = error.without_url();
    let detail = if error.is_timeout() {
        "the request timed out".to_owned()
    } else if error.is_connect() {
        connect_failure(&error).to_owned()
    } else {
        let mut text = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(inner) = source {
            text = format!("{text}: {inner}");
            source = inner.source();
        }
        text
    };
    Attempt::Transient(Failure {
        kind: Transient::Network(crate::text::printable(&detail).into_owned()),
        retry_after: None,
        sent: None,
    })
}

/// Why a connection could not be made: the name not found, the connection refused, or else.
fn connect_failure(error: &reqwest::Error) -> &'static str {
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        if let Some(io) = inner.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return "the connection was refused";
        }
        let text = inner.to_string().to_lowercase();
        if text.contains("dns error") || text.contains("lookup address") {
            return "the address's name could not be found";
        }
        if text.contains("connection refused") {
            return "the connection was refused";
        }
        source = inner.source();
    }
    "the connection could not be made"
}

/// The text of an error body: `{"Message": …}`, a JSON string, or raw text, kept short.
fn error_message(body: &[u8]) -> String {
    let text = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Object(map)) => map
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("message"))
            .and_then(|(_, v)| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| String::from_utf8_lossy(body).into_owned()),
        _ => String::from_utf8_lossy(body).into_owned(),
    };
    let text = text.trim().trim_end_matches('.');
    if text.is_empty() {
        "no message".to_owned()
    } else {
        crate::text::shortened(text, 200)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_in_every_shape() {
        assert_eq!(
            error_message(br#""The rows argument cannot be greater than 250.""#),
            "The rows argument cannot be greater than 250"
        );
        assert_eq!(
            error_message(br#"{"Message": "Access is forbidden"}"#),
            "Access is forbidden"
        );
        assert_eq!(error_message(b"<html>oops</html>"), "<html>oops</html>");
        assert_eq!(error_message(b""), "no message");
    }
}
