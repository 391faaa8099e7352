use super::Resource;

/// Why a call to Cin7 failed, phrased for the planner: each message is one sentence that says
/// what happened and what to do. None of them can contain the API key.
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
        "Cin7's daily limit of {limit} calls for this API connection is used up, so the import stopped before going over it, at {resource} page {page}: it can run again in {}{}.",
        wait_text(*resets_in),
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
    #[error("Cin7 sent {resource}, page {page}, in a form that could not be read ({detail}).")]
    Malformed {
        resource: Resource,
        page: u32,
        detail: String,
    },
    #[error(
        "The API address {0:?} is not allowed: use https://, or http:// only for this computer (localhost)."
    )]
    InsecureBaseUrl(String),
    #[error("The API address {0:?} is not a valid URL.")]
    InvalidBaseUrl(String),
}

/// "3 h 20 min", "12 min", "less than a minute".
fn wait_text(wait: std::time::Duration) -> String {
    let minutes = wait.as_secs().div_ceil(60);
    match (minutes / 60, minutes % 60) {
        (0, 0) => "less than a minute".to_owned(),
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

fn kept_text(kept: Option<u64>) -> String {
    match kept {
        Some(n) => {
            format!(", and the next run with the same settings picks up the {n} pages read so far")
        }
        None => String::new(),
    }
}
