use super::model::Identified;
use super::page_store::page_key;
use super::{ApiKey, BaseUrl, Cin7Error, MAX_ROWS, Pacer, PageStore, Resource};
use crate::rate_limit::RateLimits;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use hyper_util::client::legacy::connect::HttpInfo;
use serde::de::DeserializeOwned;
use std::collections::{BTreeMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use url::Url;

/// How transient failures (429, 5xx, network) are retried.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Attempts per call, the first included, for failures other than 429.
    pub max_attempts: u32,
    /// 429s in a row one call may meet before the import gives up: a 429 is the server's
    /// pace, not a failure of the page, so it does not use up an attempt.
    pub max_rate_limited: u32,
    pub first_delay: Duration,
    /// The longest wait between attempts; a longer `Retry-After` ends the import instead.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            max_rate_limited: 10,
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
            max_rate_limited: 0,
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
            max_rate_limited: 10,
            first_delay: Duration::from_secs_f64((2.0 * interval).max(0.02)),
            max_delay: Duration::from_secs_f64((60.0 * interval).clamp(0.5, 60.0)),
        }
    }

    /// The wait before attempt `failed_attempts + 1`: exponential, with ±25% jitter so that
    /// clients that failed together do not retry together, and never less than `Retry-After`
    /// (which the caller has checked against `max_delay`).
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
    /// The largest response body read; a larger one ends the import (a page of 250 records
    /// is well under a megabyte).
    pub max_page_bytes: u64,
}

/// The default cap on a response body.
pub const MAX_PAGE_BYTES: u64 = 64 << 20;

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
            max_page_bytes: MAX_PAGE_BYTES,
        }
    }
}

/// What one list walk asks for: a filter, a total order (so pages are stable) and a projection.
#[derive(Clone, Debug, Default)]
pub struct ListQuery {
    pub filter: Option<String>,
    pub order: String,
    pub fields: Option<String>,
    /// Ask for the second page too before the first answers. For a walk expected to go on
    /// (an import's), this keeps the pacer busy from the first call instead of idle for a
    /// response time; a first page that is short makes the second the empty page the walk
    /// asks for anyway, and only a first page that is empty wastes it.
    pub eager: bool,
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
    /// How far Cin7's clock ran ahead of this computer's, by the first answer's `Date`.
    clock_ahead: Mutex<Option<chrono::TimeDelta>>,
    /// The last call that failed and waits to be tried again, until a call succeeds.
    retrying: Mutex<Option<Retrying>>,
}

/// A call that failed and will be tried again: why, and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Retrying {
    /// What went wrong, as a clause: "Cin7 cannot be reached (its name could not be found)".
    pub trouble: String,
    pub next_attempt: SystemTime,
    /// The attempt that comes next, and how many there are in all.
    pub attempt: u32,
    pub attempts: u32,
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

    /// How far Cin7's clock ran ahead of this computer's (negative: behind), to the second;
    /// `None` before an answer with a believable `Date` came.
    pub fn cin7_clock_ahead(&self) -> Option<chrono::TimeDelta> {
        *lock(&self.clock_ahead)
    }

    fn observe_date(&self, headers: &reqwest::header::HeaderMap) {
        let mut ahead = lock(&self.clock_ahead);
        if ahead.is_none() {
            *ahead = clock_ahead(headers, chrono::Utc::now());
        }
    }

    /// The call waiting to be tried again, if the last to fail has not been followed by a
    /// success.
    pub fn retrying(&self) -> Option<Retrying> {
        lock(&self.retrying).clone()
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
    base_url: BaseUrl,
    username: String,
    key: ApiKey,
    pacer: Pacer,
    /// Calls a second the windows allow over a long run (`None`: no limit).
    sustained_rate: Option<f64>,
    retry: RetryPolicy,
    stats: Arc<CallStats>,
    page_store: Option<PageStore>,
    max_page_bytes: u64,
    /// Tripped when a walk fails for good: every other walk of the run stops at once.
    failed: tokio_util::sync::CancellationToken,
    failure: Mutex<Option<Cin7Error>>,
    /// The local ends of the connections answers came over: an answer over one seen before
    /// came over an open connection.
    connections: Mutex<HashSet<SocketAddr>>,
}

/// Why one attempt failed, before deciding whether to retry.
enum Attempt {
    Final(Cin7Error),
    Transient {
        kind: Transient,
        retry_after: Option<Duration>,
        /// When the pacer let the call out (a 429 teaches the pacer about that moment).
        sent: Option<std::time::Instant>,
    },
}

enum Transient {
    RateLimited,
    Server { status: u16, message: String },
    Network(String),
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Self, Cin7Error> {
        let base_url = BaseUrl::parse(&config.base_url)?;
        let mut builder = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(Duration::from_secs(20))
            .user_agent(concat!("cin7-planner/", env!("CARGO_PKG_VERSION")))
            // The key goes to the API address and nowhere else: a redirect is an error.
            .redirect(reqwest::redirect::Policy::none())
            // Connections stay open between calls: a cold one reaches the server later than
            // a warm one sent after it, which is what trips a burst window.
            .pool_idle_timeout(Duration::from_secs(120))
            .tcp_keepalive(Duration::from_secs(30))
            .tcp_nodelay(true);
        if base_url.is_loopback() {
            builder = builder.no_proxy();
        }
        let http = builder
            .build()
            .map_err(|e| Cin7Error::HttpSetup(crate::text::printable(&e.to_string()).into()))?;
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
            max_page_bytes: config.max_page_bytes,
            failed: tokio_util::sync::CancellationToken::new(),
            failure: Mutex::new(None),
            connections: Mutex::new(HashSet::new()),
        })
    }

    pub fn stats(&self) -> Arc<CallStats> {
        Arc::clone(&self.stats)
    }

    /// Calls made in each window of the rate limit, against its limit.
    pub fn window_use(&self) -> Vec<super::WindowUse> {
        self.pacer.window_use()
    }

    /// Counts calls another run made on this connection (from the daily log) in the windows.
    pub fn count_elsewhere(&self, calls: &[SystemTime]) {
        self.pacer.count_elsewhere(calls);
    }

    /// From now on, calls go one by one at the sustained rate (a long run's choice).
    pub fn pace_evenly(&self) {
        self.pacer.pace_evenly();
    }

    /// Whether the rate limit is holding a call back now.
    pub fn held_back_now(&self) -> bool {
        self.pacer.holding_back()
    }

    fn resource_url(&self, resource: Resource) -> Url {
        let mut url = self.base_url.url().clone();
        url.path_segments_mut()
            .map(|mut segments| {
                segments.pop_if_empty().push("v1").push(resource.path());
            })
            .ok();
        url
    }

    /// How many pages of one walk to keep requested at once: twice the calls the rate allows
    /// during one response time, and two more, so that latency (and its swings) never lowers
    /// the call rate even when one walk is left. Requests beyond what the pacer lets out wait
    /// unsent, and are dropped unsent when the walk ends, so the headroom costs no call.
    fn depth(&self) -> usize {
        let latency = Duration::from_micros(self.stats.latency_us.load(Ordering::Relaxed));
        match self.sustained_rate {
            Some(rate) => ((latency.as_secs_f64() * rate * 2.0).ceil() as usize + 2).clamp(2, 64),
            None => 2,
        }
    }

    /// Reads every record of a resource: `rows=250` pages in the query's order, several in
    /// flight at once, until the first empty page (a short page is not trusted as the end,
    /// but nothing past the page after it is requested until that page answers). `on_page`
    /// sees each page as it arrives. A page that goes back before the end of the one before (a
    /// server that ignores `page` and sends the first again) ends the walk at once; a record
    /// read twice (it moved to the next page while the walk ran) is kept once.
    pub async fn list_all<T: DeserializeOwned + Identified>(
        &self,
        resource: Resource,
        query: &ListQuery,
        mut on_page: impl FnMut(&[T]),
    ) -> Result<Vec<T>, Cin7Error> {
        let mut walk = Walk::default();
        let mut in_flight = FuturesUnordered::new();
        // The daily budget is spent: no new page is asked for, those under way still count.
        let mut spent: Option<Cin7Error> = None;
        loop {
            while spent.is_none() && walk.may_ask(in_flight.len(), self.depth(), query.eager) {
                let page = walk.ask();
                in_flight
                    .push(async move { (page, self.get_page::<T>(resource, query, page).await) });
            }
            let arrived = tokio::select! {
                biased;
                () = self.failed.cancelled() => return Err(self.failure()),
                arrived = in_flight.next() => arrived,
            };
            let Some((page, result)) = arrived else {
                break;
            };
            let records = match result {
                Ok(records) => records,
                Err(e @ Cin7Error::BudgetExhausted { .. }) => {
                    spent.get_or_insert(e);
                    continue;
                }
                Err(e) => return Err(self.fail(e)),
            };
            if !records.is_empty() {
                on_page(&records);
            }
            if let Some(repeated) = walk.arrived(page, records) {
                return Err(self.fail(Cin7Error::PagingIgnored {
                    resource,
                    page: repeated,
                }));
            }
            if walk.done() {
                break;
            }
        }
        match spent {
            Some(error) => Err(error),
            None => Ok(walk.records()),
        }
    }

    /// Ends every walk of this client: `error` is the run's.
    pub(crate) fn fail(&self, error: Cin7Error) -> Cin7Error {
        lock(&self.failure).get_or_insert_with(|| error.clone());
        self.failed.cancel();
        error
    }

    /// The error another walk failed with.
    fn failure(&self) -> Cin7Error {
        lock(&self.failure).clone().unwrap_or(Cin7Error::HttpSetup(
            "a walk stopped without its reason".into(),
        ))
    }

    /// The budget error, counting the pages kept: for once every walk under way has finished.
    pub fn with_kept_pages(&self, error: Cin7Error) -> Cin7Error {
        match (error, &self.page_store) {
            (
                Cin7Error::BudgetExhausted {
                    resource,
                    page,
                    limit,
                    resets_in,
                    ..
                },
                Some(store),
            ) => Cin7Error::BudgetExhausted {
                resource,
                page,
                limit,
                resets_in,
                kept_pages: Some(store.len() as u64),
            },
            (error, _) => error,
        }
    }

    /// One list call of a full page, paced and retried.
    pub async fn get_page<T: DeserializeOwned>(
        &self,
        resource: Resource,
        query: &ListQuery,
        page: u32,
    ) -> Result<Vec<T>, Cin7Error> {
        self.get_rows(resource, query, page, MAX_ROWS).await
    }

    /// One list call of `rows` rows, paced and retried (or read from a stopped run's pages).
    async fn get_rows<T: DeserializeOwned>(
        &self,
        resource: Resource,
        query: &ListQuery,
        page: u32,
        rows: u32,
    ) -> Result<Vec<T>, Cin7Error> {
        let url = self.page_url(resource, query, page, rows);
        let key = page_key(&[&self.username, self.base_url.as_str(), url.as_str()]);
        if let Some(records) = self.kept_page(key) {
            return Ok(records);
        }
        let (mut failures, mut rate_limited) = (0, 0);
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
                            detail: self.malformed_detail(&e),
                        });
                    }
                },
                Err(Attempt::Final(error)) => return Err(error),
                Err(Attempt::Transient {
                    kind,
                    retry_after,
                    sent,
                }) => {
                    if let (Transient::RateLimited, Some(sent)) = (&kind, sent) {
                        self.pacer.rate_limited(sent);
                    }
                    (kind, retry_after)
                }
            };
            if let Some(wait) = retry_after.filter(|w| *w > self.retry.max_delay) {
                return Err(asked_to_wait(resource, page, wait));
            }
            // A 429 is the server's pace, not a failure of the page: it has its own count.
            let (count, most) = match kind {
                Transient::RateLimited => (&mut rate_limited, self.retry.max_rate_limited),
                _ => (&mut failures, self.retry.max_attempts.saturating_sub(1)),
            };
            *count += 1;
            if *count > most {
                return Err(kind.into_error(resource, page, failures));
            }
            let delay = self.retry.delay(*count, retry_after);
            // A 429 is Cin7's pace, which the progress says as such, not a fault.
            if let Some(trouble) = kind.trouble() {
                *lock(&self.stats.retrying) = Some(Retrying {
                    trouble,
                    next_attempt: SystemTime::now() + delay,
                    attempt: *count + 1,
                    attempts: most + 1,
                });
            }
            tracing::warn!(%resource, page, failures, rate_limited, delay_ms = delay.as_millis() as u64, "retrying");
            self.stats.retries.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(delay).await;
        }
    }

    /// One call for the first record of `query`: whether the credentials may read
    /// `resource` (Test connection), retried as any page is.
    pub async fn probe(&self, resource: Resource, query: &ListQuery) -> Result<(), Cin7Error> {
        self.get_rows::<serde::de::IgnoredAny>(resource, query, 1, 1)
            .await
            .map(|_| ())
    }

    fn page_url(&self, resource: Resource, query: &ListQuery, page: u32, rows: u32) -> Url {
        let mut params: Vec<(&str, String)> = vec![
            ("page", page.to_string()),
            ("rows", rows.to_string()),
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
        url
    }

    /// Why a body is not the records asked for, in words that carry nothing of the server's
    /// text but what is safe to print.
    fn malformed_detail(&self, error: &serde_json::Error) -> String {
        match error.classify() {
            serde_json::error::Category::Syntax => format!(
                "not JSON, at line {} column {}",
                error.line(),
                error.column()
            ),
            _ => format!(
                "not a list of records: {}",
                self.server_text(error.to_string().as_bytes())
            ),
        }
    }

    /// Text the server sent, as it may be shown: its message, shortened, without control
    /// characters, and without the key or the Authorization header's value should a hostile
    /// server echo them back.
    fn server_text(&self, body: &[u8]) -> String {
        let mut text = crate::text::printable(&error_message(body)).into_owned();
        let key = self.key.expose();
        let header = base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            format!("{}:{key}", self.username),
        );
        for secret in [header.as_str(), key] {
            if !secret.is_empty() {
                text = text.replace(secret, "…");
            }
        }
        text
    }

    /// A page this run read before it stopped, if there is one that reads.
    fn kept_page<T: DeserializeOwned>(&self, key: u64) -> Option<Vec<T>> {
        let records = serde_json::from_slice(&self.page_store.as_ref()?.get(key)?).ok()?;
        self.stats.reused.fetch_add(1, Ordering::Relaxed);
        Some(records)
    }

    fn keep_page(&self, key: u64, body: &[u8]) {
        let Some(store) = &self.page_store else {
            return;
        };
        if let Err(error) = store.put(key, body) {
            tracing::warn!(%error, dir = %store.dir().display(), "could not keep a page");
        }
    }

    /// Whether `response` came over a connection that had carried an answer before.
    fn over_open_connection(&self, response: &reqwest::Response) -> bool {
        response
            .extensions()
            .get::<HttpInfo>()
            .is_some_and(|info| !lock(&self.connections).insert(info.local_addr()))
    }

    /// Waits for the pacer's slot for one call; a spent budget ends the walk.
    async fn slot(&self, resource: Resource, page: u32) -> Result<super::Slot, Attempt> {
        self.pacer.acquire().await.map_err(|spent| {
            Attempt::Final(Cin7Error::BudgetExhausted {
                resource,
                page,
                limit: spent.limit,
                resets_in: spent.resets_in,
                kept_pages: self.page_store.as_ref().map(|store| store.len() as u64),
            })
        })
    }

    async fn attempt(&self, resource: Resource, page: u32, url: &Url) -> Result<Vec<u8>, Attempt> {
        let slot = self.slot(resource, page).await?;
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
        self.pacer
            .answered(slot.at, self.over_open_connection(&response));
        self.stats.observe_date(response.headers());
        let status = response.status().as_u16();
        let retry_after = retry_after(response.headers());
        if (300..400).contains(&status) {
            return Err(Attempt::Final(
                self.redirected(resource, page, status, &response),
            ));
        }
        // Error bodies are only read for their message: a few kilobytes are plenty.
        let limit = if (200..300).contains(&status) {
            self.max_page_bytes
        } else {
            64 << 10
        };
        let body = read_body(response, limit).await.map_err(|e| match e {
            BodyError::TooLarge => Attempt::Final(Cin7Error::TooLarge {
                resource,
                page,
                limit,
            }),
            // A body cut off mid-way is a network failure like a dropped connection: retry it.
            BodyError::Network(e) => network_failure(e),
        })?;
        self.stats.observe_latency(sent.elapsed());
        let transient = |kind| Attempt::Transient {
            kind,
            retry_after,
            sent: Some(slot.at),
        };
        match status {
            200..=299 => {
                self.stats.successes.fetch_add(1, Ordering::Relaxed);
                lock(&self.stats.retrying).take();
                self.pacer.succeeded();
                Ok(body)
            }
            // Rejected before anything worked: the username or key is wrong. Rejected after:
            // the key was reset or its connection deleted while the import ran.
            401 if self.stats.successes.load(Ordering::Relaxed) == 0 => {
                Err(Attempt::Final(Cin7Error::Unauthorized))
            }
            401 => Err(Attempt::Final(Cin7Error::KeyRevoked { calls })),
            403 => Err(Attempt::Final(Cin7Error::Forbidden(resource))),
            404 => Err(Attempt::Final(Cin7Error::NotFound { resource })),
            429 => Err(transient(Transient::RateLimited)),
            500 | 502 | 503 | 504 => Err(transient(Transient::Server {
                status,
                message: self.server_text(&body),
            })),
            400 => Err(Attempt::Final(Cin7Error::BadRequest {
                resource,
                page,
                message: self.server_text(&body),
            })),
            _ => Err(Attempt::Final(Cin7Error::UnexpectedStatus {
                resource,
                page,
                status,
                message: self.server_text(&body),
            })),
        }
    }

    /// A redirect, named by the host it points to (never the rest of the address, which may
    /// carry anything).
    fn redirected(
        &self,
        resource: Resource,
        page: u32,
        status: u16,
        response: &reqwest::Response,
    ) -> Cin7Error {
        let target = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|location| response.url().join(location).ok());
        let host = match target {
            Some(url) if self.base_url.same_origin(&url) => "the same address".to_owned(),
            Some(url) => {
                crate::text::printable(url.host_str().unwrap_or("an unnamed host")).into_owned()
            }
            None => "an address it did not give".to_owned(),
        };
        Cin7Error::Redirected {
            resource,
            page,
            status,
            host,
        }
    }
}

impl Transient {
    /// What went wrong, as a clause for the planner; nothing for a 429, which is no fault.
    fn trouble(&self) -> Option<String> {
        match self {
            Transient::RateLimited => None,
            Transient::Server { status, .. } => {
                Some(format!("Cin7 answered with an error (HTTP {status})"))
            }
            Transient::Network(detail) => Some(format!("Cin7 cannot be reached ({detail})")),
        }
    }

    /// The error once the retries are used up.
    fn into_error(self, resource: Resource, page: u32, attempts: u32) -> Cin7Error {
        match self {
            Transient::RateLimited => Cin7Error::RateLimited { resource, page },
            Transient::Server { status, message } => Cin7Error::Server {
                resource,
                page,
                status,
                attempts,
                message,
            },
            Transient::Network(detail) => Cin7Error::Network {
                resource,
                page,
                attempts,
                detail,
            },
        }
    }
}

/// Where one walk stands: the pages read, the first known to be empty, and how far it is
/// worth asking.
struct Walk<T> {
    pages: BTreeMap<u32, Vec<T>>,
    next: u32,
    /// The first page known to be empty.
    end: Option<u32>,
    /// After a short last page, the page after it is the last one worth asking for.
    limit: Option<u32>,
}

impl<T> Default for Walk<T> {
    fn default() -> Self {
        Self {
            pages: BTreeMap::new(),
            next: 1,
            end: None,
            limit: None,
        }
    }
}

impl<T: Identified> Walk<T> {
    /// Whether to ask for the next page with `in_flight` under way: nothing past the first
    /// page (the second, when `eager`) until it answers, so that a walk that turns out short,
    /// as an update's usually does, costs no call beyond its empty page; nothing past a known
    /// end.
    fn may_ask(&self, in_flight: usize, depth: usize, eager: bool) -> bool {
        let first_answered = !self.pages.is_empty() || self.end.is_some();
        let before_answer = if eager { 2 } else { 1 };
        in_flight < depth
            && (self.next <= before_answer || first_answered)
            && self.end.is_none_or(|e| self.next < e)
            && self.limit.is_none_or(|l| self.next <= l)
    }

    fn ask(&mut self) -> u32 {
        self.next += 1;
        self.next - 1
    }

    /// Takes a page in; returns the page that repeats an earlier one, if this shows one.
    fn arrived(&mut self, page: u32, records: Vec<T>) -> Option<u32> {
        if records.is_empty() {
            self.end = Some(self.end.map_or(page, |e| e.min(page)));
        } else {
            self.pages.insert(page, records);
            if let Some(repeated) = repeated_page(&self.pages, page) {
                return Some(repeated);
            }
        }
        self.limit = self
            .pages
            .last_key_value()
            .filter(|(_, last)| last.len() < MAX_ROWS as usize)
            .map(|(&p, _)| p + 1);
        None
    }

    /// Every page before the first empty one is in.
    fn done(&self) -> bool {
        self.end
            .is_some_and(|e| (1..e).all(|p| self.pages.contains_key(&p)))
    }

    fn records(self) -> Vec<T> {
        once_each(self.pages.into_values().flatten().collect())
    }
}

/// Whether `page`, just arrived, or the arrived page after it, starts before the last record of
/// the arrived page before it in the walk's order (the later page of the two). Pages between
/// them may still be under way: the order holds across them too, so a server ignoring `page`
/// shows at the first page to arrive after the first, whichever it is.
fn repeated_page<T: Identified>(pages: &BTreeMap<u32, Vec<T>>, page: u32) -> Option<u32> {
    let goes_on = |before: &[T], after: &[T]| {
        let (Some(last), Some(first)) = (
            before.last().and_then(T::position),
            after.first().and_then(T::position),
        ) else {
            return true;
        };
        // One record seen again is a shift (a record joined the selection during a pause):
        // it is read twice and kept once. Going backwards is a server ignoring `page`.
        first >= last
    };
    let this = pages.get(&page)?;
    let before = pages.range(..page).next_back();
    let after = pages.range(page + 1..).next();
    [
        before.map(|(_, b)| (page, b.as_slice(), this.as_slice())),
        after.map(|(&p, a)| (p, this.as_slice(), a.as_slice())),
    ]
    .into_iter()
    .flatten()
    .find(|(_, a, b)| !goes_on(a, b))
    .map(|(later, _, _)| later)
}

/// The records with each position once, the last read of it kept, where positions are unique.
fn once_each<T: Identified>(records: Vec<T>) -> Vec<T> {
    if !T::UNIQUE_POSITIONS {
        return records;
    }
    let mut last = std::collections::HashMap::new();
    for (i, record) in records.iter().enumerate() {
        if let Some(position) = record.position() {
            last.insert(position, i);
        }
    }
    if last.len() == records.len() {
        return records;
    }
    records
        .into_iter()
        .enumerate()
        .filter(|(i, r)| r.position().is_none_or(|p| last.get(&p) == Some(i)))
        .map(|(_, r)| r)
        .collect()
}

enum BodyError {
    TooLarge,
    Network(reqwest::Error),
}

/// Reads a body of at most `limit` bytes, refusing a longer one as soon as it shows: by its
/// `Content-Length`, or while it streams.
async fn read_body(mut response: reqwest::Response, limit: u64) -> Result<Vec<u8>, BodyError> {
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

/// Beyond a day, a server's `Date` is taken for a broken clock rather than this computer's.
pub const BELIEVABLE_CLOCK_GAP: chrono::TimeDelta = chrono::TimeDelta::days(1);

/// How far the clock that dated an answer (`Date`, as HTTP writes it) runs ahead of `now`.
fn clock_ahead(
    headers: &reqwest::header::HeaderMap,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<chrono::TimeDelta> {
    let date = headers.get(reqwest::header::DATE)?.to_str().ok()?;
    let dated = chrono::DateTime::parse_from_rfc2822(date).ok()?;
    let ahead = dated.signed_duration_since(now);
    (ahead.abs() <= BELIEVABLE_CLOCK_GAP).then_some(ahead)
}

/// `Retry-After` in seconds or as an HTTP date; a number too large to read is a very long wait.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
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

/// The error for a `Retry-After` longer than the app waits, with when to run again.
fn asked_to_wait(resource: Resource, page: u32, wait: Duration) -> Cin7Error {
    let until = chrono::TimeDelta::from_std(wait)
        .ok()
        .filter(|d| *d <= chrono::TimeDelta::days(30))
        .and_then(|d| chrono::Utc::now().checked_add_signed(d))
        .map_or_else(
            || "a month from now or later".to_owned(),
            |at| at.format("%Y-%m-%d %H:%M UTC").to_string(),
        );
    Cin7Error::AskedToWait {
        resource,
        page,
        wait,
        until,
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
    Attempt::Transient {
        kind: Transient::Network(crate::text::printable(&detail).into_owned()),
        retry_after: None,
        sent: None,
    }
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
    fn a_retry_names_its_trouble_and_a_429_is_none() {
        assert_eq!(Transient::RateLimited.trouble(), None);
        let server = Transient::Server {
            status: 503,
            message: "Service Unavailable".into(),
        };
        assert_eq!(
            server.trouble().as_deref(),
            Some("Cin7 answered with an error (HTTP 503)")
        );
        let network = Transient::Network("the connection was refused".into());
        assert_eq!(
            network.trouble().as_deref(),
            Some("Cin7 cannot be reached (the connection was refused)")
        );
    }

    fn orders(ids: std::ops::RangeInclusive<i64>) -> Vec<crate::cin7::model::SalesOrder> {
        ids.map(|id| serde_json::from_value(serde_json::json!({ "id": id })).unwrap())
            .collect()
    }

    #[test]
    fn an_eager_walk_asks_for_two_pages_before_the_first_answers() {
        let mut walk: Walk<crate::cin7::model::SalesOrder> = Walk::default();
        assert!(walk.may_ask(0, 5, false) && walk.may_ask(0, 5, true));
        assert_eq!(walk.ask(), 1);
        assert!(!walk.may_ask(1, 5, false), "one page until it answers");
        assert!(walk.may_ask(1, 5, true));
        assert_eq!(walk.ask(), 2);
        assert!(!walk.may_ask(2, 5, true), "two at most");
        // Once the first answers, full, the walk goes as deep as it may.
        assert_eq!(walk.arrived(1, orders(1..=250)), None);
        assert!(walk.may_ask(1, 5, false) && walk.may_ask(1, 5, true));
    }

    #[test]
    fn a_repeat_shows_whichever_page_arrives_after_the_first() {
        let mut walk = Walk::default();
        assert_eq!(walk.arrived(1, orders(1..=3)), None);
        // Page 3 answers before page 2, with page 1's records again.
        assert_eq!(walk.arrived(3, orders(1..=3)), Some(3));
        // In order, with one record seen again (a shift), the walk goes on.
        let mut walk = Walk::default();
        assert_eq!(walk.arrived(1, orders(1..=3)), None);
        assert_eq!(walk.arrived(3, orders(7..=9)), None);
        assert_eq!(walk.arrived(2, orders(3..=6)), None);
        // Page 2 arriving last, with page 1's records again, is caught against page 1.
        let mut walk = Walk::default();
        assert_eq!(walk.arrived(1, orders(1..=3)), None);
        assert_eq!(walk.arrived(3, orders(7..=9)), None);
        assert_eq!(walk.arrived(2, orders(1..=3)), Some(2));
    }

    #[test]
    fn the_clock_of_an_answer_is_read_from_its_date_within_a_day() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-02T06:00:00Z")
            .unwrap()
            .to_utc();
        let dated = |date: &str| {
            let mut headers = reqwest::header::HeaderMap::new();
            headers.insert(reqwest::header::DATE, date.parse().unwrap());
            clock_ahead(&headers, now)
        };
        assert_eq!(
            dated("Wed, 02 Dec 2026 02:59:30 GMT"),
            Some(chrono::TimeDelta::seconds(-3 * 3600 - 30))
        );
        assert_eq!(
            dated("Wed, 02 Dec 2026 06:00:05 GMT"),
            Some(chrono::TimeDelta::seconds(5))
        );
        assert_eq!(dated("Fri, 04 Dec 2026 06:00:00 GMT"), None, "two days out");
        assert_eq!(dated("yesterday"), None);
        assert_eq!(clock_ahead(&reqwest::header::HeaderMap::new(), now), None);
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
