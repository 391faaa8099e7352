//! The sandbox's HTTP side: Cin7's routes, Basic auth, per-resource permissions, per-credential
//! rate windows and the list contract, served by axum on a loopback port of its own thread.

use super::account::Account;
use super::query::{self, Filter, Projection, SortKey};
use crate::cin7::{MAX_ROWS, Resource};
use crate::rate_limit::{RateLimits, SlidingWindows};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use base64::Engine;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
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
    pub rate_limits: RateLimits,
    /// Added to every response.
    pub latency: Duration,
    /// 0 picks a free port.
    pub port: u16,
    /// Error bodies as `{"Message": "…"}` instead of a bare JSON string.
    pub message_object_errors: bool,
    /// Add `Retry-After: 1` to 429 answers.
    pub retry_after: bool,
}

/// One request as the sandbox saw it.
#[derive(Clone, Debug)]
pub struct LoggedRequest {
    pub at: Instant,
    pub method: String,
    pub path: String,
    pub query: String,
    pub status: u16,
    pub bytes: usize,
    pub latency: Duration,
}

/// The records of each resource, rendered once, plus the field names a query may use.
struct Table {
    records: Vec<Map<String, Value>>,
    fields: Vec<String>,
}

pub(super) struct Shared {
    tables: HashMap<Resource, Table>,
    credentials: Vec<Credential>,
    windows: Mutex<HashMap<String, SlidingWindows>>,
    rate_limits: RateLimits,
    latency: Duration,
    message_object_errors: bool,
    retry_after: bool,
    pub(super) log: Mutex<Vec<LoggedRequest>>,
}

fn table(records: Vec<Value>) -> Table {
    let records: Vec<Map<String, Value>> = records
        .into_iter()
        .filter_map(|v| match v {
            Value::Object(map) => Some(map),
            _ => None,
        })
        .collect();
    let fields = records
        .first()
        .map(|r| r.keys().cloned().collect())
        .unwrap_or_default();
    Table { records, fields }
}

impl Shared {
    pub(super) fn new(config: &SandboxConfig) -> Self {
        let a = &config.account;
        let mut tables = HashMap::new();
        tables.insert(
            Resource::Branches,
            table(a.branches.iter().map(|b| a.branch_json(b)).collect()),
        );
        tables.insert(
            Resource::Products,
            table(a.products.iter().map(|p| a.product_json(p)).collect()),
        );
        tables.insert(
            Resource::Stock,
            table(a.stock.iter().map(|s| a.stock_json(s)).collect()),
        );
        tables.insert(
            Resource::SalesOrders,
            table(
                a.sales_orders
                    .iter()
                    .map(|o| a.sales_order_json(o))
                    .collect(),
            ),
        );
        Self {
            tables,
            credentials: config.credentials.clone(),
            windows: Mutex::new(HashMap::new()),
            rate_limits: config.rate_limits.clone(),
            latency: config.latency,
            message_object_errors: config.message_object_errors,
            retry_after: config.retry_after,
            log: Mutex::new(Vec::new()),
        }
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
        let encoded = value
            .strip_prefix("Basic ")
            .or_else(|| value.strip_prefix("basic "))?;
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
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        windows
            .entry(format!("{}\n{}", credential.username, credential.key))
            .or_insert_with(|| SlidingWindows::new(self.rate_limits.clone()))
            .try_record(Instant::now())
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
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let raw_query = request.uri().query().unwrap_or("").to_owned();
    if !shared.latency.is_zero() {
        tokio::time::sleep(shared.latency).await;
    }
    let response = respond(&shared, &method, &path, &raw_query, request.headers());
    let bytes = match response.body().size_hint().exact() {
        Some(n) => n as usize,
        None => 0,
    };
    let entry = LoggedRequest {
        at: started,
        method: method.to_string(),
        path,
        query: raw_query,
        status: response.status().as_u16(),
        bytes,
        latency: started.elapsed(),
    };
    shared
        .log
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(entry);
    response
}

use axum::body::HttpBody;

fn respond(
    shared: &Shared,
    method: &Method,
    path: &str,
    raw_query: &str,
    headers: &HeaderMap,
) -> Response {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (resource, id) = match segments.as_slice() {
        [api, v1, name, rest @ ..]
            if api.eq_ignore_ascii_case("api")
                && v1.eq_ignore_ascii_case("v1")
                && rest.len() <= 1 =>
        {
            match Resource::from_path(name) {
                Some(resource) => (resource, rest.first().copied()),
                None => return shared.error(StatusCode::NOT_FOUND, "Resource not found"),
            }
        }
        _ => return shared.error(StatusCode::NOT_FOUND, "Resource not found"),
    };
    let Some(credential) = shared.authenticate(headers) else {
        return shared.error(StatusCode::UNAUTHORIZED, "Unauthorized access");
    };
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
        return response;
    }
    if credential.denied.contains(&resource) {
        return shared.error(StatusCode::FORBIDDEN, "Access is forbidden");
    }
    if method != Method::GET {
        return shared.error(StatusCode::METHOD_NOT_ALLOWED, "The sandbox is read-only.");
    }
    let Some(table) = shared.tables.get(&resource) else {
        // A resource this account does not hold yet: an empty list, as an empty account would give.
        return json_response(StatusCode::OK, b"[]".to_vec());
    };
    match id {
        Some(id) => get_by_id(shared, table, id),
        None => match list(table, raw_query) {
            Ok(body) => json_response(StatusCode::OK, body),
            Err(message) => shared.error(StatusCode::BAD_REQUEST, &message),
        },
    }
}

fn get_by_id(shared: &Shared, table: &Table, id: &str) -> Response {
    let found = table.records.iter().find(|r| {
        r.get("id")
            .and_then(Value::as_i64)
            .is_some_and(|v| v.to_string() == id)
    });
    match found {
        Some(record) => json_response(
            StatusCode::OK,
            Value::Object(record.clone()).to_string().into_bytes(),
        ),
        None => shared.error(StatusCode::NOT_FOUND, "Resource not found"),
    }
}

struct ListParams {
    page: u32,
    rows: u32,
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

fn parse_params(table: &Table, raw_query: &str) -> Result<ListParams, String> {
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
    Ok(ListParams {
        page: page as u32,
        rows: rows as u32,
        filter: optional(&params, "where", |w| query::parse_filter(w, &table.fields))?,
        order: optional(&params, "order", |o| query::parse_order(o, &table.fields))?
            .unwrap_or_default(),
        projection: optional(&params, "fields", |f| query::parse_fields(f, &table.fields))?,
    })
}

fn list(table: &Table, raw_query: &str) -> Result<Vec<u8>, String> {
    let params = parse_params(table, raw_query)?;
    let mut matching: Vec<&Map<String, Value>> = table
        .records
        .iter()
        .filter(|r| params.filter.as_ref().is_none_or(|f| f.matches(r)))
        .collect();
    query::sort(&mut matching, &params.order);
    let skip = (params.page as usize - 1).saturating_mul(params.rows as usize);
    let page: Vec<Value> = matching
        .into_iter()
        .skip(skip)
        .take(params.rows as usize)
        .map(|r| match &params.projection {
            Some(p) => p.apply(r),
            None => Value::Object(r.clone()),
        })
        .collect();
    serde_json::to_vec(&page).map_err(|e| e.to_string())
}

pub(super) fn bind(port: u16) -> std::io::Result<std::net::TcpListener> {
    let listener = std::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port)))?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}
