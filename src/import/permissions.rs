//! Test connection: the credentials, then Read on every resource a run reads, one call each
//! (`rows=1`, with the run's own queries), paced, retried and counted in the daily budget as a
//! run's calls are.

use super::ImportRequest;
use super::engine::RESOURCES_READ;
use super::fetch::Session;
use super::plan::Plan;
use crate::cin7::{Cin7Error, Resource};

/// Each resource a run reads, with the refusal that stops reading it (`None`: readable). A
/// failure of the credentials, the address or the network stands for them all.
pub async fn check_permissions(
    request: &ImportRequest,
) -> Result<Vec<(Resource, Option<Cin7Error>)>, Cin7Error> {
    let session = Session::open(request)?;
    let plan = Plan::import(&request.settings);
    let probes = RESOURCES_READ
        .iter()
        .filter_map(|&resource| Some((resource, plan.query(resource)?)))
        .map(|(resource, query)| {
            let client = &session.client;
            async move { (resource, client.probe(resource, query).await) }
        });
    let mut found = Vec::new();
    for (resource, answer) in futures_util::future::join_all(probes).await {
        match answer {
            Ok(()) => found.push((resource, None)),
            Err(refused @ Cin7Error::Forbidden(_)) => found.push((resource, Some(refused))),
            Err(error) => return Err(error),
        }
    }
    Ok(found)
}
