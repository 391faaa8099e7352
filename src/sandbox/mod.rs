//! A faithful stand-in for the Cin7 Omni API v1, served over HTTP on loopback, with
//! deterministic synthetic accounts. Tests, benchmarks and the demo all run against it.

pub mod account;
mod edits;
pub mod faults;
pub mod generator;
mod limiter;
pub mod query;
mod server;
pub mod wire;

pub use account::Account;
pub use faults::Faults;
pub use generator::{Preset, generate};
pub use server::{Credential, LoggedRequest, SandboxConfig};

use crate::rate_limit::RateLimits;
use std::sync::Arc;
use std::time::Duration;

/// The demo account's API username and key (they open nothing but the local sandbox).
pub const DEMO_USERNAME: &str = "demo";
pub const DEMO_KEY: &str = "sandbox-demo-key";

impl SandboxConfig {
    /// One credential, Cin7's own rate limits, no latency, a free port.
    pub fn new(account: Account, username: &str, key: &str) -> Self {
        Self {
            account,
            credentials: vec![Credential {
                username: username.to_owned(),
                key: key.to_owned(),
                denied: Vec::new(),
            }],
            rate_limits: RateLimits::cin7(),
            latency: Duration::ZERO,
            port: 0,
            message_object_errors: false,
            retry_after: false,
            faults: Faults::none(),
            seed: 1,
        }
    }
}

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    base_url: String,
    shared: Arc<server::Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Sandbox {
    /// Binds 127.0.0.1 and serves on a thread of its own until dropped.
    pub fn start(config: SandboxConfig) -> std::io::Result<Self> {
        let listener = server::bind(config.port)?;
        let base_url = format!("http://{}/api", listener.local_addr()?);
        let shared = Arc::new(server::Shared::new(config));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        let router = axum::Router::new()
            .fallback(server::handle)
            .with_state(Arc::clone(&shared));
        let thread = std::thread::Builder::new()
            .name("cin7-sandbox".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = match tokio::net::TcpListener::from_std(listener) {
                        Ok(listener) => listener,
                        Err(error) => {
                            return tracing::error!(%error, "the sandbox could not listen");
                        }
                    };
                    // Not a graceful shutdown: idle keep-alive connections of a client would hold
                    // it open. Dropping the runtime ends every connection at once.
                    tokio::select! {
                        result = axum::serve(
                            listener,
                            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
                        ) => {
                            if let Err(error) = result {
                                tracing::error!(%error, "the sandbox stopped");
                            }
                        }
                        _ = stop => {}
                    }
                });
            })?;
        Ok(Self {
            base_url,
            shared,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// The API root to give the client, e.g. `http://127.0.0.1:40123/api`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Changes the account between calls (void an order, dispatch one, add new ones); the
    /// next call sees the change. Use the [`Account`] methods that move `modifiedDate`.
    pub fn update(&self, change: impl FnOnce(&mut Account)) {
        self.shared.update(change);
    }

    /// A copy of the account as served now.
    pub fn account(&self) -> Account {
        self.shared.account()
    }

    /// Every request served so far, in arrival order.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        crate::sync::lock(&self.shared.log).clone()
    }

    /// Blocks until the server stops (the `sandbox` command runs until interrupted).
    pub fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            thread.join().ok();
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            shutdown.send(()).ok();
        }
        if let Some(thread) = self.thread.take() {
            thread.join().ok();
        }
    }
}
