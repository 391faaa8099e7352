//! Test connection: the credentials, then Read on every resource a run reads, one call each
//! (`rows=1`, with the run's own queries), paced, retried and counted in the daily budget as a
//! run's calls are.

use super::ImportRequest;
use super::engine::RESOURCES_READ;
use super::fetch::Session;
use super::plan::Plan;
use crate::cin7::{Cin7Error, Resource};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;

/// Each resource a run reads, with the refusal that stops reading it (`None`: readable), in
/// the order of [`RESOURCES_READ`]; `on_checked` sees each as its answer comes. A failure of
/// the credentials, the address or the network stands for them all.
pub async fn check_permissions(
    request: &ImportRequest,
    on_checked: impl Fn(Resource, Option<&Cin7Error>),
) -> Result<Vec<(Resource, Option<Cin7Error>)>, Cin7Error> {
    let session = Session::open(request)?;
    let plan = Plan::import(&request.settings);
    let mut probes: FuturesUnordered<_> = RESOURCES_READ
        .iter()
        .filter_map(|&resource| Some((resource, plan.query(resource)?)))
        .map(|(resource, query)| {
            let client = &session.client;
            async move { (resource, client.probe(resource, query).await) }
        })
        .collect();
    let mut found = Vec::new();
    while let Some((resource, answer)) = probes.next().await {
        let refused = match answer {
            Ok(()) => None,
            Err(refused @ Cin7Error::Forbidden(_)) => Some(refused),
            Err(error) => return Err(error),
        };
        on_checked(resource, refused.as_ref());
        found.push((resource, refused));
    }
    found.sort_by_key(|(resource, _)| RESOURCES_READ.iter().position(|r| r == resource));
    Ok(found)
}
