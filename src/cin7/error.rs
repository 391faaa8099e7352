//! Every way a call to Cin7 can fail, each with the one sentence the planner reads.

use super::Resource;
use crate::duration;

/// Why a call to Cin7 failed, phrased for the planner: each message is one sentence that says
/// what happened and what to do. None of them can contain the API key: text from the server is
/// cleaned of control characters and of the key before it gets here (`response::server_text`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Cin7Error {
    #[error(
        "Cin7 rejected the API username or key (HTTP 401): check both in Cin7 under Settings > Integrations & API > API v1."
    )]
    Unauthorized,
    #[error(
        "Cin7 stopped accepting the API key after {calls} calls (HTTP 401): it was probably reset or its connection deleted, so enter the new key and try again."
    )]
    KeyRevoked { calls: u64 },
    #[error(
        "The API connection may not read {0} (HTTP 403): in Cin7, turn on Read for {0} in the connection's Permissions."
    )]
    Forbidden(Resource),
    #[error(
        "Cin7 kept answering that its rate limit was exceeded (HTTP 429) for {resource}, page {page}: another app may be sharing this API connection, so wait a few minutes and try again."
    )]
    RateLimited { resource: Resource, page: u32 },
    #[error(
        "Cin7 asked to wait {} before the next call (Retry-After, on {resource} page {page}), longer than the app waits: run it again after {until}.",
        duration::text(*wait)
    )]
    AskedToWait {
        resource: Resource,
        page: u32,
        wait: std::time::Duration,
        /// When to run again, for people ("2026-12-02 14:05 UTC").
        until: String,
    },
    #[error(
        "Cin7's daily limit of {limit} calls for this API connection is used up, so the import stopped before going over it, at {resource} page {page}: it can run again in {}{}.",
        duration::text(*resets_in),
        kept_text(*kept_pages)
    )]
    BudgetExhausted {
        resource: Resource,
        page: u32,
        limit: u32,
        resets_in: std::time::Duration,
        /// Pages read so far and kept for the next run (`None`: none are kept).
        kept_pages: Option<u64>,
    },
    #[error("Cin7 refused the request for {resource}, page {page} (HTTP 400: {message}).")]
    BadRequest {
        resource: Resource,
        page: u32,
        message: String,
    },
    #[error("Cin7 has no {resource} at this address (HTTP 404): check the API base URL.")]
    NotFound { resource: Resource },
    #[error(
        "The API address answered {resource}, page {page}, with a redirect to {host} (HTTP {status}), which the app does not follow so that the key only ever goes to the API address: check the address."
    )]
    Redirected {
        resource: Resource,
        page: u32,
        status: u16,
        host: String,
    },
    #[error(
        "Cin7 answered HTTP {status} for {resource}, page {page} ({message}), which it never should: try again later."
    )]
    UnexpectedStatus {
        resource: Resource,
        page: u32,
        status: u16,
        message: String,
    },
    #[error(
        "Cin7 failed with HTTP {status} on {resource}, page {page}, {attempts} times in a row ({message}): try again later."
    )]
    Server {
        resource: Resource,
        page: u32,
        status: u16,
        attempts: u32,
        message: String,
    },
    #[error(
        "Could not reach Cin7 while reading {resource}, page {page}, after {attempts} attempts ({detail}): check the connection and try again."
    )]
    Network {
        resource: Resource,
        page: u32,
        attempts: u32,
        detail: String,
    },
    #[error("Cin7 sent a malformed response for {resource}, page {page} ({detail}).")]
    Malformed {
        resource: Resource,
        page: u32,
        detail: String,
    },
    #[error(
        "Cin7 sent more than {} MiB for {resource}, page {page}, far more than a page of records, so the import stopped: try again later.",
        limit >> 20
    )]
    TooLarge {
        resource: Resource,
        page: u32,
        limit: u64,
    },
    #[error(
        "Cin7 answered {resource}, page {page}, with records of an earlier page, twice, as if it ignored the page number, so the import stopped before spending more calls: try again later."
    )]
    PagingIgnored { resource: Resource, page: u32 },
    #[error(
        "The API address {0} is not allowed: use https://, or http:// only for this computer (localhost)."
    )]
    InsecureBaseUrl(String),
    #[error("The API address is not a valid URL: enter one like https://api.cin7.com/api.")]
    InvalidBaseUrl,
    #[error(
        "The API address must not contain a user name or password: enter them as the API username and key instead."
    )]
    BaseUrlWithCredentials,
    #[error(
        "The API address must not contain a query (?…) or a fragment (#…): enter only the API root, like https://api.cin7.com/api."
    )]
    BaseUrlWithQuery,
    #[error("The app could not set up its HTTP client ({0}), so it cannot reach Cin7.")]
    HttpSetup(String),
    #[error("cin7-planner stopped on a fault of its own ({0}): please report it.")]
    Internal(&'static str),
    #[error(
        "This Cin7 account has no branch {}: its branches are {}.",
        ids_text(unknown),
        known_text(known)
    )]
    UnknownBranches {
        unknown: Vec<i64>,
        /// Every branch the account lists: id and name.
        known: Vec<(i64, String)>,
    },
}

/// "9", "9 or 12".
fn ids_text(ids: &[i64]) -> String {
    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
    crate::text::joined(&ids, "or")
}

/// "1 (Warehouse), 2 (Shop, Main St)", or "none" for an account that lists none.
fn known_text(known: &[(i64, String)]) -> String {
    if known.is_empty() {
        return "none".to_owned();
    }
    known
        .iter()
        .map(|(id, name)| format!("{id} ({name})"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn kept_text(kept: Option<u64>) -> String {
    match kept {
        Some(n) => {
            format!(", and resumed it picks up the {n} pages read so far")
        }
        None => String::new(),
    }
}
