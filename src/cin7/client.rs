use super::page_store::page_key;
use super::{ApiKey, Cin7Error, MAX_ROWS, Pacer, PageStore, Resource};
use crate::rate_limit::RateLimits;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use url::Url;

/// How transient failures (429, 5xx, network) are retried.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Attempts per call, the first included.
    pub max_attempts: u32,
    pub first_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            first_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries: the first failure is final.
    pub fn never() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Delays in proportion to the rate limit's call interval: 2 s doubling to 60 s at
    /// Cin7's one call a second, and as much shorter as the windows are when scaled down.
    pub fn for_limits(limits: &RateLimits) -> Self {
        let interval = limits
            .sustained_rate()
            .map(|rate| 1.0 / rate)
            .unwrap_or(0.05);
        Self {
            max_attempts: 6,
            first_delay: Duration::from_secs_f64((2.0 * interval).max(0.02)),
            max_delay: Duration::from_secs_f64((60.0 * interval).clamp(0.5, 60.0)),
        }
    }

    /// The wait before attempt `failed_attempts + 1`: exponential, with ±25% jitter so that
    /// clients that failed together do not retry together, and never less than `Retry-After`.
    fn delay(&self, failed_attempts: u32, retry_after: Option<Duration>) -> Duration {
        let exponential = self
            .first_delay
            .saturating_mul(1 << failed_attempts.saturating_sub(1).min(16));
        let jittered = exponential
            .min(self.max_delay)
            .mul_f64(0.75 + rand::random::<f64>() * 0.5);
        jittered.max(retry_after.unwrap_or_default())
    }
}

/// Everything needed to talk to one API connection.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    pub base_url: String,
    pub username: String,
    pub key: ApiKey,
    pub rate_limits: RateLimits,
    pub retry: RetryPolicy,
    pub timeout: Duration,
    /// This connection's calls from earlier runs, for the daily budget.
    pub earlier_calls: Vec<SystemTime>,
    /// Where pages read are kept until the import finishes, and found again by a later run.
    pub page_store: Option<PageStore>,
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>, username: impl Into<String>, key: ApiKey) -> Self {
        Self {
            base_url: base_url.into(),
            username: username.into(),
            key,
            rate_limits: RateLimits::cin7(),
            retry: RetryPolicy::for_limits(&RateLimits::cin7()),
            timeout: Duration::from_secs(120),
            earlier_calls: Vec::new(),
            page_store: None,
        }
    }
}

/// What one list walk asks for: a filter, a total order (so pages are stable) and a projection.
#[derive(Clone, Debug, Default)]
pub struct ListQuery {
    pub filter: Option<String>,
    pub order: String,
    pub fields: Option<String>,
}

/// Counters of one client's calls, readable while it works.
#[derive(Debug, Default)]
pub struct CallStats {
    calls: AtomicU64,
    successes: AtomicU64,
    retries: AtomicU64,
    waited_ms: AtomicU64,
    /// Recent response time (exponentially weighted), in microseconds.
    latency_us: AtomicU64,
    /// When each call went out, for the daily budget kept across runs.
    sent_at: Mutex<Vec<SystemTime>>,
    /// Pages found in the page store instead of being asked for.
    reused: AtomicU64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatsSnapshot {
    pub calls: u64,
    /// Pages read from the page store (kept by an earlier run) instead of from Cin7.
    pub reused_pages: u64,
    pub retries: u64,
    pub waited: Duration,
}

impl CallStats {
    fn observe_latency(&self, latency: Duration) {
        let sample = latency.as_micros() as u64;
        let old = self.latency_us.load(Ordering::Relaxed);
        let new = if old == 0 {
            sample
        } else {
            (old * 7 + sample) / 8
        };
        self.latency_us.store(new, Ordering::Relaxed);
    }

    /// When each call went out, in order.
    pub fn sent_at(&self) -> Vec<SystemTime> {
        self.sent_at
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            calls: self.calls.load(Ordering::Relaxed),
            reused_pages: self.reused.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            waited: Duration::from_millis(self.waited_ms.load(Ordering::Relaxed)),
        }
    }
}

/// A Cin7 Omni API v1 client for one API connection: Basic auth, pacing, retries, paging.
pub struct Client {
    http: reqwest::Client,
    base_url: Url,
    username: String,
    key: ApiKey,
    pacer: Pacer,
    /// Calls a second the windows allow over a long run (`None`: no limit).
    sustained_rate: Option<f64>,
    retry: RetryPolicy,
    stats: Arc<CallStats>,
    page_store: Option<PageStore>,
    /// Keys of the pages this client put in the store.
    stored: Mutex<Vec<u64>>,
}

/// Checks an API base URL: `https://` anywhere, `http://` only for this computer.
pub fn validate_base_url(text: &str) -> Result<Url, Cin7Error> {
    let url = Url::parse(text.trim()).map_err(|_| Cin7Error::InvalidBaseUrl(text.to_owned()))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err(Cin7Error::InvalidBaseUrl(text.to_owned())),
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        "http" => Err(Cin7Error::InsecureBaseUrl(text.to_owned())),
        _ => Err(Cin7Error::InvalidBaseUrl(text.to_owned())),
    }
}

/// Why one attempt failed, before deciding whether to retry.
enum Attempt {
    Final(Cin7Error),
    Transient {
        kind: Transient,
        retry_after: Option<Duration>,
    },
}

enum Transient {
    RateLimited,
    Server { status: u16, message: String },
    Network(String),
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Self, Cin7Error> {
        let base_url = validate_base_url(&config.base_url)?;
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(Duration::from_secs(20))
            .user_agent(concat!("cin7-planner/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Cin7Error::InvalidBaseUrl(format!("{}: {e}", config.base_url)))?;
        Ok(Self {
            http,
            base_url,
            username: config.username,
            key: config.key,
            sustained_rate: config.rate_limits.sustained_rate(),
            pacer: Pacer::with_history(config.rate_limits, &config.earlier_calls),
            retry: config.retry,
            stats: Arc::new(CallStats::default()),
            page_store: config.page_store,
            stored: Mutex::new(Vec::new()),
        })
    }

    pub fn stats(&self) -> Arc<CallStats> {
        Arc::clone(&self.stats)
    }

    fn resource_url(&self, resource: Resource) -> Url {
        let mut url = self.base_url.clone();
        url.path_segments_mut()
            .map(|mut segments| {
                segments.pop_if_empty().push("v1").push(resource.path());
            })
            .ok();
        url
    }

    /// How many pages of one walk to keep requested at once: enough that the calls the
    /// rate allows during one response time are all under way, so latency does not lower the
    /// call rate. Requests beyond what the pacer lets out wait unsent, and are dropped unsent
    /// when the walk ends.
    fn depth(&self) -> usize {
        let latency = Duration::from_micros(self.stats.latency_us.load(Ordering::Relaxed));
        match self.sustained_rate {
            Some(rate) => ((latency.as_secs_f64() * rate).ceil() as usize + 1).clamp(2, 32),
            None => 2,
        }
    }

    /// Reads every record of a resource: `rows=250` pages in the query's order, several in
    /// flight at once, until the first empty page (a short page is not trusted as the end,
    /// but nothing past the page after it is requested until that page answers). `on_page`
    /// sees each page as it arrives.
    pub async fn list_all<T: DeserializeOwned>(
        &self,
        resource: Resource,
        query: &ListQuery,
        mut on_page: impl FnMut(&[T]),
    ) -> Result<Vec<T>, Cin7Error> {
        let mut pages: BTreeMap<u32, Vec<T>> = BTreeMap::new();
        let mut in_flight = FuturesUnordered::new();
        let mut next = 1;
        // The first page known to be empty.
        let mut end: Option<u32> = None;
        // After a short last page, the page after it is the last one worth asking for.
        let mut limit: Option<u32> = None;
        loop {
            while in_flight.len() < self.depth()
                && end.is_none_or(|e| next < e)
                && limit.is_none_or(|l| next <= l)
            {
                let page = next;
                next += 1;
                in_flight
                    .push(async move { (page, self.get_page::<T>(resource, query, page).await) });
            }
            let Some((page, result)) = in_flight.next().await else {
                break;
            };
            let records = result?;
            if records.is_empty() {
                end = Some(end.map_or(page, |e| e.min(page)));
            } else {
                on_page(&records);
                pages.insert(page, records);
            }
            limit = pages
                .last_key_value()
                .filter(|(_, last)| last.len() < MAX_ROWS as usize)
                .map(|(&p, _)| p + 1);
            if end.is_some_and(|e| (1..e).all(|p| pages.contains_key(&p))) {
                break;
            }
        }
        Ok(pages.into_values().flatten().collect())
    }

    /// One list call, paced and retried.
    pub async fn get_page<T: DeserializeOwned>(
        &self,
        resource: Resource,
        query: &ListQuery,
        page: u32,
    ) -> Result<Vec<T>, Cin7Error> {
        let mut params: Vec<(&str, String)> = vec![
            ("page", page.to_string()),
            ("rows", MAX_ROWS.to_string()),
            ("order", query.order.clone()),
        ];
        if let Some(filter) = &query.filter {
            params.push(("where", filter.clone()));
        }
        if let Some(fields) = &query.fields {
            params.push(("fields", fields.clone()));
        }
        let mut url = self.resource_url(resource);
        url.query_pairs_mut()
            .extend_pairs(params.iter().map(|(k, v)| (*k, v.as_str())));

        let key = page_key(&[&self.username, self.base_url.as_str(), url.as_str()]);
        if let Some(records) = self.kept_page(key) {
            return Ok(records);
        }
        let mut attempt = 1;
        loop {
            let (kind, retry_after) = match self.attempt(resource, page, &url).await {
                Ok(body) => match serde_json::from_slice(&body) {
                    Ok(records) => {
                        self.keep_page(key, &body);
                        return Ok(records);
                    }
                    // A body that ends early was cut off on the way: ask again.
                    Err(e) if e.is_eof() => {
                        (Transient::Network("the response was cut off".into()), None)
                    }
                    Err(e) => {
                        return Err(Cin7Error::Malformed {
                            resource,
                            page,
                            detail: e.to_string(),
                        });
                    }
                },
                Err(Attempt::Final(error)) => return Err(error),
                Err(Attempt::Transient { kind, retry_after }) => (kind, retry_after),
            };
            if attempt >= self.retry.max_attempts {
                return Err(match kind {
                    Transient::RateLimited => Cin7Error::RateLimited { resource, page },
                    Transient::Server { status, message } => Cin7Error::Server {
                        resource,
                        page,
                        status,
                        attempts: attempt,
                        message,
                    },
                    Transient::Network(detail) => Cin7Error::Network {
                        resource,
                        page,
                        attempts: attempt,
                        detail,
                    },
                });
            }
            let delay = self.retry.delay(attempt, retry_after);
            tracing::warn!(%resource, page, attempt, delay_ms = delay.as_millis() as u64, "retrying");
            self.stats.retries.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// A page an earlier run kept, if there is one that reads.
    fn kept_page<T: DeserializeOwned>(&self, key: u64) -> Option<Vec<T>> {
        let records = serde_json::from_slice(&self.page_store.as_ref()?.get(key)?).ok()?;
        self.stats.reused.fetch_add(1, Ordering::Relaxed);
        lock(&self.stored).push(key);
        Some(records)
    }

    fn keep_page(&self, key: u64, body: &[u8]) {
        let Some(store) = &self.page_store else {
            return;
        };
        match store.put(key, body) {
            Ok(()) => lock(&self.stored).push(key),
            Err(error) => {
                tracing::warn!(%error, dir = %store.dir().display(), "could not keep a page")
            }
        }
    }

    /// How many pages are kept for a later run.
    pub fn kept_pages(&self) -> usize {
        lock(&self.stored).len()
    }

    /// Deletes the pages this client kept: the import they were kept for is done.
    pub fn forget_kept_pages(&self) {
        if let Some(store) = &self.page_store {
            for key in lock(&self.stored).drain(..) {
                store.remove(key);
            }
        }
    }

    async fn attempt(&self, resource: Resource, page: u32, url: &Url) -> Result<Vec<u8>, Attempt> {
        self.pacer.acquire().await.map_err(|spent| {
            Attempt::Final(Cin7Error::BudgetExhausted {
                resource,
                page,
                limit: spent.limit,
                resets_in: spent.resets_in,
                kept_pages: self.page_store.as_ref().map(|_| self.kept_pages() as u64),
            })
        })?;
        // Concurrent calls wait together: the report counts the wall time the limit held the
        // import back, not the sum of every call's wait.
        self.stats
            .waited_ms
            .store(self.pacer.held_back().as_millis() as u64, Ordering::Relaxed);
        lock(&self.stats.sent_at).push(SystemTime::now());
        let calls = self.stats.calls.fetch_add(1, Ordering::Relaxed) + 1;
        let sent = std::time::Instant::now();
        let response = self
            .http
            .get(url.clone())
            .basic_auth(&self.username, Some(self.key.expose()))
            .send()
            .await
            .map_err(network_failure)?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        // A body cut off mid-way is a network failure like a dropped connection: retry it.
        let body = response.bytes().await.map_err(network_failure)?;
        self.stats.observe_latency(sent.elapsed());
        let message = || error_message(&body);
        match status {
            200..=299 => {
                self.stats.successes.fetch_add(1, Ordering::Relaxed);
                Ok(body.to_vec())
            }
            // Rejected before anything worked: the username or key is wrong. Rejected after:
            // the key was reset or its connection deleted while the import ran.
            401 if self.stats.successes.load(Ordering::Relaxed) == 0 => {
                Err(Attempt::Final(Cin7Error::Unauthorized))
            }
            401 => Err(Attempt::Final(Cin7Error::KeyRevoked { calls })),
            403 => Err(Attempt::Final(Cin7Error::Forbidden(resource))),
            404 => Err(Attempt::Final(Cin7Error::NotFound { resource })),
            429 => Err(Attempt::Transient {
                kind: Transient::RateLimited,
                retry_after,
            }),
            500 | 502 | 503 | 504 => Err(Attempt::Transient {
                kind: Transient::Server {
                    status,
                    message: message(),
                },
                retry_after,
            }),
            _ => Err(Attempt::Final(Cin7Error::BadRequest {
                resource,
                page,
                message: message(),
            })),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn network_failure(error: reqwest::Error) -> Attempt {
    // reqwest's message names the URL; ours names the resource and page instead.
    let error = error.without_url();
    let detail = if error.is_timeout() {
        "the request timed out".to_owned()
    } else if error.is_connect() {
        "the connection could not be made".to_owned()
    } else {
        let mut text = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(inner) = source {
            text = format!("{text}: {inner}");
            source = inner.source();
        }
        text
    };
    Attempt::Transient {
        kind: Transient::Network(detail),
        retry_after: None,
    }
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
    let mut short: String = text.chars().take(200).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    if short.is_empty() {
        "no message".to_owned()
    } else {
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_must_be_https_unless_local() {
        assert!(validate_base_url("https://api.cin7.com/api").is_ok());
        assert!(validate_base_url("http://127.0.0.1:8080/api").is_ok());
        assert!(validate_base_url("http://localhost:1/api").is_ok());
        assert!(validate_base_url("http://[::1]:1/api").is_ok());
        assert_eq!(
            validate_base_url("http://api.cin7.com/api"),
            Err(Cin7Error::InsecureBaseUrl("http://api.cin7.com/api".into()))
        );
        assert!(matches!(
            validate_base_url("ftp://x"),
            Err(Cin7Error::InvalidBaseUrl(_))
        ));
        assert!(matches!(
            validate_base_url("not a url"),
            Err(Cin7Error::InvalidBaseUrl(_))
        ));
    }

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

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_and_honours_retry_after() {
        let policy = RetryPolicy::for_limits(&RateLimits::cin7());
        let within = |d: Duration, nominal: f64| {
            (nominal * 0.75..=nominal * 1.25).contains(&d.as_secs_f64())
        };
        for _ in 0..50 {
            assert!(within(policy.delay(1, None), 2.0));
            assert!(within(policy.delay(3, None), 8.0));
            assert!(within(policy.delay(10, None), 60.0));
            assert!(policy.delay(1, Some(Duration::from_secs(30))) >= Duration::from_secs(30));
        }
        let scaled = RetryPolicy::for_limits(&"3/50ms,60/3s".parse().unwrap());
        assert_eq!(
            (scaled.first_delay, scaled.max_delay),
            (Duration::from_millis(100), Duration::from_secs(3))
        );
    }

    #[test]
    fn resource_urls_keep_the_base_path() {
        let config = ClientConfig::new("http://127.0.0.1:9/api/", "u", ApiKey::new("k"));
        let client = Client::new(config).unwrap();
        assert_eq!(
            client.resource_url(Resource::SalesOrders).as_str(),
            "http://127.0.0.1:9/api/v1/SalesOrders"
        );
    }
}
