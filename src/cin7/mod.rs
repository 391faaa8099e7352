//! Everything that knows Cin7's wire: the HTTP client, paging, pacing, wire records and errors.

mod api_key;
mod base_url;
mod budget;
mod call_stats;
mod client;
mod error;
pub mod lenient;
pub mod model;
mod pacer;
mod page_store;
mod resource;
mod response;
mod retry;
mod round_trip;
mod walk;

pub use api_key::ApiKey;
pub use base_url::BaseUrl;
pub use budget::{CallLog, calls_without};
pub use call_stats::{BELIEVABLE_CLOCK_GAP, CallStats, Retrying, StatsSnapshot};
pub use client::{Client, ClientConfig, ListQuery, MAX_PAGE_BYTES};
pub use error::Cin7Error;
pub use pacer::{BudgetSpent, Pacer, Slot, WindowUse};
pub use page_store::{PageStore, page_key};
pub use resource::Resource;
pub use retry::RetryPolicy;

/// Cin7 Omni's production API root.
pub const PRODUCTION_BASE_URL: &str = "https://api.cin7.com/api";

/// The most rows a list call may ask for.
pub const MAX_ROWS: u32 = 250;
