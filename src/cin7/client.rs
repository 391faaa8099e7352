//! The Cin7 Omni API v1 client for one API connection: Basic auth, pacing, retries and
//! paging. Its rooms: `retry` (the policy and its counts), `call_stats` (what the calls did),
//! `walk` (where a list walk stands) and `response` (what an answer means).

use super::call_stats::CallStats;
use super::model::Identified;
use super::page_store::page_key;
use super::response::{
    Answer, Attempt, BodyError, classify, malformed_detail, network_failure, read_body,
    retry_after, server_text,
};
use super::retry::{Retries, RetryPolicy, Transient};
use super::walk::Walk;
use super::{ApiKey, BaseUrl, Cin7Error, MAX_ROWS, Pacer, PageStore, Resource};
use crate::rate_limit::RateLimits;
use crate::sync::lock;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use hyper_util::client::legacy::connect::HttpInfo;
use serde::de::DeserializeOwned;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use url::Url;

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
    /// A walk Cin7 may refuse with 400 (a filter an older account or a proxy does not
    /// know): its refusal ends this walk only, and the run goes on without it.
    pub refusable: bool,
    /// Ask Cin7 even where the run's page store has the page: the same query read a second
    /// time in one run, to see what changed since the first.
    pub fresh: bool,
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
        let latency = self.stats.latency();
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
                Err(e @ Cin7Error::BadRequest { .. }) if query.refusable => return Err(e),
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
        lock(&self.failure)
            .clone()
            .unwrap_or(Cin7Error::Internal("a walk stopped without its reason"))
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
        if !query.fresh
            && let Some(records) = self.kept_page(key)
        {
            return Ok(records);
        }
        let mut retries = Retries::new(&self.retry);
        loop {
            let attempt = self.attempt(resource, page, &url).await;
            let failure = match attempt.and_then(|body| self.records(resource, page, key, &body)) {
                Ok(records) => return Ok(records),
                Err(Attempt::Final(error)) => return Err(error),
                Err(Attempt::Transient(failure)) => failure,
            };
            if let (Transient::RateLimited, Some(sent)) = (&failure.kind, failure.sent) {
                self.pacer.rate_limited(sent);
            }
            let retry = retries.after(failure.kind, failure.retry_after, resource, page)?;
            tracing::warn!(%resource, page, attempt = retry.attempt, attempts = retry.attempts, delay_ms = retry.delay.as_millis() as u64, "retrying");
            self.stats.retried(&retry);
            tokio::time::sleep(retry.delay).await;
        }
    }

    /// The records of a page's body, kept for a later run; a body cut off on the way is
    /// asked for again.
    fn records<T: DeserializeOwned>(
        &self,
        resource: Resource,
        page: u32,
        key: u64,
        body: &[u8],
    ) -> Result<Vec<T>, Attempt> {
        match serde_json::from_slice(body) {
            Ok(records) => {
                self.keep_page(key, body);
                Ok(records)
            }
            Err(e) if e.is_eof() => Err(Attempt::transient(Transient::Network(
                "the response was cut off".into(),
            ))),
            Err(e) => Err(Attempt::Final(Cin7Error::Malformed {
                resource,
                page,
                detail: malformed_detail(&e, |text| self.server_text(text)),
            })),
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

    /// Text the server sent, as it may be shown (see [`server_text`]).
    fn server_text(&self, body: &[u8]) -> String {
        server_text(body, &self.username, &self.key)
    }

    /// A page this run read before it stopped, if there is one that reads.
    fn kept_page<T: DeserializeOwned>(&self, key: u64) -> Option<Vec<T>> {
        let records = serde_json::from_slice(&self.page_store.as_ref()?.get(key)?).ok()?;
        self.stats.reused_page();
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

    /// One call: sent, and its answer classified.
    async fn attempt(&self, resource: Resource, page: u32, url: &Url) -> Result<Vec<u8>, Attempt> {
        let answer = self.send(resource, page, url).await?;
        let body = classify(answer, resource, page, self.stats.any_succeeded(), |body| {
            self.server_text(body)
        })?;
        self.stats.succeeded();
        self.pacer.succeeded();
        Ok(body)
    }

    /// The transport of one call: the pacer's slot, the request, and the answer's body read
    /// within its limit. A redirect ends here: the key goes to the API address and nowhere
    /// else.
    async fn send(&self, resource: Resource, page: u32, url: &Url) -> Result<Answer, Attempt> {
        let slot = self.slot(resource, page).await?;
        let calls = self.stats.sent(self.pacer.held_back());
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
        Ok(Answer {
            status,
            body,
            retry_after,
            sent: slot.at,
            calls,
        })
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

#[cfg(test)]
mod tests {
    use super::*;

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
