//! The sandbox's HTTP side: Cin7's routes, Basic auth, per-resource permissions, per-credential
//! rate windows, the list contract, and injected faults, served by axum on a loopback port.

use super::account::{Account, Row};
use super::faults::{Delivery, Faults};
use super::limiter::Limiter;
use super::query::{self, Filter, Projection, SortKey};
use super::wire::{Wire, field_names};
use crate::cin7::{MAX_ROWS, Resource};
use crate::rate_limit::RateLimits;
use crate::sync::{lock, read, write};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use base64::Engine;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// One API connection the sandbox accepts.
#[derive(Clone, Debug)]
pub struct Credential {
    pub username: String,
    pub key: String,
    /// Resources whose Read permission is switched off (they answer 403).
    pub denied: Vec<Resource>,
}

/// Everything a sandbox serves and how.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    pub account: Account,
    pub credentials: Vec<Credential>,
    /// Enforced per credential.
    pub rate_limits: RateLimits,
    /// Added to every response (before `faults.jitter`).
    pub latency: Duration,
    /// 0 picks a free port.
    pub port: u16,
    /// Error bodies as `{"Message": "…"}` instead of a bare JSON string.
    pub message_object_errors: bool,
    /// Add `Retry-After: 1` to 429 answers.
    pub retry_after: bool,
    pub faults: Faults,
    /// Seeds the random faults and the latency jitter.
    pub seed: u64,
}

/// One request as the sandbox saw it.
#[derive(Clone, Debug)]
pub struct LoggedRequest {
    /// When it arrived.
    pub at: Instant,
    pub method: String,
    pub path: String,
    pub query: String,
    pub status: u16,
    /// Body bytes the answer carried (before any fault cut it short).
    pub bytes: usize,
    /// From arrival to the answer's headers.
    pub latency: Duration,
}

/// The account as served now, with its rows per resource.
struct Snapshot {
    wire: Wire,
    rows: HashMap<Resource, Vec<Row>>,
}

impl Snapshot {
    fn new(account: Account) -> Self {
        let wire = Wire::new(account);
        let rows = Resource::ALL.iter().map(|&r| (r, wire.rows(r))).collect();
        Self { wire, rows }
    }
}

/// The rows one `where` and `order` select, cached across the pages of a walk.
type QueryKey = (Resource, String, String);

pub(super) struct Shared {
    snapshot: RwLock<Arc<Snapshot>>,
    queries: Mutex<HashMap<QueryKey, Arc<Vec<Row>>>>,
    credentials: Vec<Credential>,
    windows: Mutex<HashMap<String, Limiter>>,
    rate_limits: RateLimits,
    latency: Duration,
    message_object_errors: bool,
    retry_after: bool,
    faults: Faults,
    rng: Mutex<ChaCha8Rng>,
    calls: AtomicU64,
    /// The connections seen so far, by the client's address (for `connect=D`).
    peers: Mutex<std::collections::HashSet<SocketAddr>>,
    pub(super) log: Mutex<Vec<LoggedRequest>>,
}

impl Shared {
    pub(super) fn new(config: SandboxConfig) -> Self {
        Self {
            snapshot: RwLock::new(Arc::new(Snapshot::new(config.account))),
            queries: Mutex::new(HashMap::new()),
            credentials: config.credentials,
            windows: Mutex::new(HashMap::new()),
            rate_limits: config.rate_limits,
            latency: config.latency,
            message_object_errors: config.message_object_errors,
            retry_after: config.retry_after,
            faults: config.faults,
            rng: Mutex::new(ChaCha8Rng::seed_from_u64(config.seed)),
            calls: AtomicU64::new(0),
            peers: Mutex::new(std::collections::HashSet::new()),
            log: Mutex::new(Vec::new()),
        }
    }

    fn snapshot(&self) -> Arc<Snapshot> {
        Arc::clone(&read(&self.snapshot))
    }

    /// Changes the account between calls; later calls see the change.
    pub(super) fn update(&self, change: impl FnOnce(&mut Account)) {
        let mut account = self.snapshot().wire.account().clone();
        change(&mut account);
        *write(&self.snapshot) = Arc::new(Snapshot::new(account));
        lock(&self.queries).clear();
    }

    pub(super) fn account(&self) -> Account {
        self.snapshot().wire.account().clone()
    }

    fn error(&self, status: StatusCode, message: &str) -> Response {
        let body = if self.message_object_errors {
            serde_json::json!({ "Message": message })
        } else {
            Value::String(message.to_owned())
        };
        json_response(status, body.to_string().into_bytes())
    }

    fn authenticate(&self, headers: &HeaderMap) -> Option<&Credential> {
        let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
        let (scheme, encoded) = value.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (username, key) = text.split_once(':')?;
        self.credentials
            .iter()
            .find(|c| c.username == username && c.key == key)
    }

    /// Whether this credential's call fits its rate windows now (and records it if so).
    fn admit(&self, credential: &Credential) -> bool {
        lock(&self.windows)
            .entry(format!("{}\n{}", credential.username, credential.key))
            .or_insert_with(|| Limiter::new(&self.rate_limits))
            .admit(Instant::now())
    }

    fn delay(&self) -> Duration {
        let jitter = self.faults.jitter.as_secs_f64();
        if jitter == 0.0 {
            return self.latency;
        }
        let offset = lock(&self.rng).random_range(-jitter..=jitter);
        Duration::from_secs_f64((self.latency.as_secs_f64() + offset).max(0.0))
    }

    /// How late a call from `peer` is counted: the set-up of a new connection, then a share
    /// of the arrival jitter.
    fn lateness(&self, peer: Option<SocketAddr>) -> Duration {
        let set_up = match peer {
            Some(peer) if lock(&self.peers).insert(peer) => self.faults.connect_delay,
            _ => Duration::ZERO,
        };
        set_up + self.faults.arrival_jitter.mul_f64(self.draw())
    }

    fn draw(&self) -> f64 {
        lock(&self.rng).random()
    }

    /// The rows a query selects, in its order; computed once per distinct query and account.
    fn select(
        &self,
        snapshot: &Snapshot,
        resource: Resource,
        params: &ListParams,
    ) -> Arc<Vec<Row>> {
        let key = (resource, params.raw_where.clone(), params.raw_order.clone());
        if let Some(rows) = lock(&self.queries).get(&key) {
            return Arc::clone(rows);
        }
        let wire = &snapshot.wire;
        let empty = Vec::new();
        let mut hits: Vec<(Vec<Value>, Row)> = snapshot
            .rows
            .get(&resource)
            .unwrap_or(&empty)
            .iter()
            .filter(|&&row| {
                params
                    .filter
                    .as_ref()
                    .is_none_or(|f| f.matches(&|name| wire.field(row, name)))
            })
            .map(|&row| {
                (
                    params
                        .order
                        .iter()
                        .map(|k| wire.field(row, &k.field))
                        .collect(),
                    row,
                )
            })
            .collect();
        hits.sort_by(|a, b| query::compare_keys(&a.0, &b.0, &params.order));
        let rows = Arc::new(hits.into_iter().map(|(_, row)| row).collect::<Vec<_>>());
        let mut queries = lock(&self.queries);
        if queries.len() > 256 {
            queries.clear();
        }
        queries.insert(key, Arc::clone(&rows));
        rows
    }
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

/// The only handler: routes by hand so that paths match case-insensitively, as Cin7's do.
pub(super) async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let peer = request
        .extensions()
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|info| info.0);
    let late = shared.lateness(peer);
    if !late.is_zero() {
        tokio::time::sleep(late).await;
    }
    // Counted now, by the rate limit and in the log.
    let arrived = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let raw_query = request.uri().query().unwrap_or("").to_owned();
    let call = shared.calls.fetch_add(1, Ordering::Relaxed) + 1;
    // Decided at arrival, as Cin7's rate limiter counts calls when they arrive; the latency
    // is the time the answer then takes.
    let answer = respond(&shared, call, &method, &path, request.headers());
    let delay = shared.delay();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    // Rendering a page takes milliseconds of CPU: off the threads that accept and admit calls,
    // so that a busy sandbox still counts each call when it arrives.
    let result = match answer {
        Answer::Plain(response) => Err(response),
        Answer::Work(resource, id) => {
            let slowness = shared.faults.slowness(resource);
            if !slowness.is_zero() {
                tokio::time::sleep(slowness).await;
            }
            let worker = Arc::clone(&shared);
            let query = raw_query.clone();
            let done = tokio::task::spawn_blocking(move || {
                execute(&worker, resource, id.as_deref(), &query)
            })
            .await;
            match done {
                Ok(Ok(body)) => Ok(body),
                Ok(Err((status, message))) => Err(shared.error(status, &message)),
                Err(_) => Err(shared.error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "An unexpected error occurred. Please try again later.",
                )),
            }
        }
    };
    let (response, bytes) = match result {
        Err(response) => {
            let bytes = response.body().size_hint().exact().unwrap_or(0) as usize;
            (response, bytes)
        }
        Ok(body) => {
            let bytes = body.len();
            (deliver(body, shared.faults.delivery(call)), bytes)
        }
    };
    let mut response = response;
    // Cin7 dates every answer, by its own clock.
    let clock = chrono::Utc::now() + shared.faults.clock_ahead;
    if let Ok(date) = HeaderValue::from_str(&clock.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
    {
        response.headers_mut().insert(header::DATE, date);
    }
    lock(&shared.log).push(LoggedRequest {
        at: arrived,
        method: method.to_string(),
        path,
        query: raw_query,
        status: response.status().as_u16(),
        bytes,
        latency: arrived.elapsed(),
    });
    response
}

/// What the checks at arrival decided: an answer already, or the work of a list page or a
/// get by id (on a resource, with the id).
enum Answer {
    Plain(Response),
    Work(Resource, Option<String>),
}

/// Sends a 200 body whole, cut off, truncated or slowly, as the faults say.
fn deliver(body: Vec<u8>, delivery: Delivery) -> Response {
    match delivery {
        Delivery::Whole => json_response(StatusCode::OK, body),
        Delivery::Truncated => json_response(StatusCode::OK, body[..body.len() / 2].to_vec()),
        Delivery::Dropped => {
            let half = body[..body.len() / 2].to_vec();
            let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![
                Ok(half),
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "dropped by the sandbox",
                )),
            ];
            streamed(Body::from_stream(futures_util::stream::iter(chunks)))
        }
        Delivery::Dripped => {
            let chunks: Vec<Vec<u8>> = body.chunks(512).map(<[u8]>::to_vec).collect();
            let stream = futures_util::stream::unfold(chunks.into_iter(), |mut rest| async move {
                let chunk = rest.next()?;
                tokio::time::sleep(Duration::from_millis(20)).await;
                Some((Ok::<_, std::io::Error>(chunk), rest))
            });
            streamed(Body::from_stream(stream))
        }
    }
}

fn streamed(body: Body) -> Response {
    let mut response = Response::new(body);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

use axum::body::HttpBody;

fn respond(shared: &Shared, call: u64, method: &Method, path: &str, headers: &HeaderMap) -> Answer {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (resource, id) = match segments.as_slice() {
        [api, v1, name, rest @ ..]
            if api.eq_ignore_ascii_case("api")
                && v1.eq_ignore_ascii_case("v1")
                && rest.len() <= 1 =>
        {
            match Resource::from_path(name) {
                Some(resource) => (resource, rest.first().copied()),
                None => {
                    return Answer::Plain(
                        shared.error(StatusCode::NOT_FOUND, "Resource not found"),
                    );
                }
            }
        }
        _ => return Answer::Plain(shared.error(StatusCode::NOT_FOUND, "Resource not found")),
    };
    let Some(credential) = shared.authenticate(headers) else {
        return Answer::Plain(shared.error(StatusCode::UNAUTHORIZED, "Unauthorized access"));
    };
    if shared.faults.revoked(call) {
        return Answer::Plain(shared.error(StatusCode::UNAUTHORIZED, "Unauthorized access"));
    }
    if !shared.admit(credential) {
        let mut response = shared.error(
            StatusCode::TOO_MANY_REQUESTS,
            "Rate limit exceeded. Retry after some time.",
        );
        if shared.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        return Answer::Plain(response);
    }
    if let Some(status) = shared.faults.status(call, shared.draw()) {
        let (code, message) = match status {
            503 => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Service temporarily unavailable. Please try again later.",
            ),
            502 => (StatusCode::BAD_GATEWAY, "Bad gateway."),
            504 => (StatusCode::GATEWAY_TIMEOUT, "Gateway timeout."),
            _ => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "An unexpected error occurred. Please try again later.",
            ),
        };
        return Answer::Plain(shared.error(code, message));
    }
    if credential.denied.contains(&resource) {
        return Answer::Plain(shared.error(StatusCode::FORBIDDEN, "Access is forbidden"));
    }
    if method != Method::GET {
        return Answer::Plain(
            shared.error(StatusCode::METHOD_NOT_ALLOWED, "The sandbox is read-only."),
        );
    }
    Answer::Work(resource, id.map(str::to_owned))
}

/// Does the work of an admitted request: a get by id, or a list page.
fn execute(
    shared: &Shared,
    resource: Resource,
    id: Option<&str>,
    raw_query: &str,
) -> Result<Vec<u8>, Failure> {
    let snapshot = shared.snapshot();
    match id {
        Some(id) => get_by_id(&snapshot, resource, id),
        None => list(shared, &snapshot, resource, raw_query),
    }
}

type Failure = (StatusCode, String);

/// `GET /v1/{Resource}/{id}`: an object, except product options, whose size rows share the
/// id, so the answer is an array (as Cin7 documents).
fn get_by_id(snapshot: &Snapshot, resource: Resource, id: &str) -> Result<Vec<u8>, Failure> {
    let not_found = || (StatusCode::NOT_FOUND, "Resource not found".to_owned());
    let wire = &snapshot.wire;
    let id: i64 = id.trim().parse().map_err(|_| not_found())?;
    let rows: Vec<&Row> = snapshot
        .rows
        .get(&resource)
        .map(|rows| {
            rows.iter()
                .filter(|&&row| wire.field(row, "id").as_i64() == Some(id))
                .collect()
        })
        .unwrap_or_default();
    let render = |row: &Row| Value::Object(wire.render(resource, *row));
    let body = match (resource, rows.as_slice()) {
        (_, []) => return Err(not_found()),
        (Resource::ProductOptions, rows) => Value::Array(rows.iter().map(|r| render(r)).collect()),
        (_, [row, ..]) => render(row),
    };
    Ok(body.to_string().into_bytes())
}

struct ListParams {
    page: u32,
    rows: u32,
    raw_where: String,
    raw_order: String,
    filter: Option<Filter>,
    order: Vec<SortKey>,
    projection: Option<Projection>,
}

/// A query argument that may be absent or blank, parsed by `parse`.
fn optional<T>(
    params: &BTreeMap<String, String>,
    name: &str,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<Option<T>, String> {
    match params.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        Some(value) => parse(value)
            .map(Some)
            .map_err(|e| format!("The {name} argument is invalid: {e}.")),
        None => Ok(None),
    }
}

fn whole_number(params: &BTreeMap<String, String>, name: &str) -> Result<Option<i64>, String> {
    params
        .get(name)
        .map(|v| v.trim().parse::<i64>())
        .transpose()
        .map_err(|_| format!("The {name} argument must be a whole number."))
}

fn parse_params(resource: Resource, raw_query: &str) -> Result<ListParams, String> {
    let mut params = BTreeMap::new();
    for (key, value) in url::form_urlencoded::parse(raw_query.as_bytes()) {
        params.insert(key.to_ascii_lowercase(), value.into_owned());
    }
    let page = whole_number(&params, "page")?.unwrap_or(1);
    if page < 1 {
        return Err(
            "The page number is out of range; the value must be greater than or equal to 1.".into(),
        );
    }
    let rows = whole_number(&params, "rows")?.unwrap_or(50);
    if rows > i64::from(MAX_ROWS) {
        return Err("The rows argument cannot be greater than 250.".into());
    }
    if rows < 1 {
        return Err("The rows argument must be greater than or equal to 1.".into());
    }
    let fields = field_names(resource);
    Ok(ListParams {
        page: page as u32,
        rows: rows as u32,
        raw_where: params
            .get("where")
            .map(|w| w.trim().to_owned())
            .unwrap_or_default(),
        raw_order: params
            .get("order")
            .map(|o| o.trim().to_owned())
            .unwrap_or_default(),
        filter: optional(&params, "where", |w| query::parse_filter(w, &fields))?,
        order: optional(&params, "order", |o| query::parse_order(o, &fields))?.unwrap_or_default(),
        projection: optional(&params, "fields", |f| query::parse_fields(f, &fields))?,
    })
}

fn list(
    shared: &Shared,
    snapshot: &Snapshot,
    resource: Resource,
    raw_query: &str,
) -> Result<Vec<u8>, Failure> {
    let params = parse_params(resource, raw_query).map_err(|m| (StatusCode::BAD_REQUEST, m))?;
    let selected = shared.select(snapshot, resource, &params);
    let skip = (params.page as usize - 1).saturating_mul(params.rows as usize);
    let page: Vec<Value> = selected
        .iter()
        .skip(skip)
        .take(params.rows as usize)
        .map(|&row| {
            let record = snapshot.wire.render(resource, row);
            match &params.projection {
                Some(p) => p.apply(&record),
                None => Value::Object(record),
            }
        })
        .collect();
    serde_json::to_vec(&page).map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))
}

pub(super) fn bind(port: u16) -> std::io::Result<std::net::TcpListener> {
    let listener = std::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port)))?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}
