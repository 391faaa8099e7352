//! Test connection: the credentials, then Read on every resource a run reads, one call each
//! (`rows=1`, with the run's own queries), paced, retried and counted in the daily budget as a
//! run's calls are. The branches are read in full (a page or two), so that the planner can
//! choose them by name.

use super::ImportRequest;
use super::fetch::Session;
use super::plan::Plan;
use super::steps::RESOURCES_READ;
use crate::cin7::model::Branch;
use crate::cin7::{Cin7Error, Client, ListQuery, MAX_ROWS, Resource};
use crate::project::Location;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;

/// What Test connection found: each resource a run reads with the refusal that stops reading
/// it (`None`: readable), in the order of [`RESOURCES_READ`], and the account's branches (none
/// when they may not be read).
#[derive(Clone, Debug, PartialEq)]
pub struct Permissions {
    pub resources: Vec<(Resource, Option<Cin7Error>)>,
    pub branches: Vec<Location>,
}

/// Checks every resource a run reads; `on_checked` sees each answer as it comes. A failure of
/// the credentials, the address or the network stands for them all.
pub async fn check_permissions(
    request: &ImportRequest,
    on_checked: impl Fn(Resource, Option<&Cin7Error>),
) -> Result<Permissions, Cin7Error> {
    let session = Session::open(request)?;
    let plan = Plan::import(&request.settings);
    let client = &session.client;
    let mut probes: FuturesUnordered<_> = RESOURCES_READ
        .iter()
        .filter_map(|&resource| Some((resource, plan.query(resource)?)))
        .map(|(resource, query)| async move {
            let answer = if resource == Resource::Branches {
                all_branches(client, query).await
            } else {
                client.probe(resource, query).await.map(|()| Vec::new())
            };
            (resource, answer)
        })
        .collect();
    let mut found = Permissions {
        resources: Vec::new(),
        branches: Vec::new(),
    };
    while let Some((resource, answer)) = probes.next().await {
        let refused = match answer {
            Ok(branches) => {
                found.branches.extend(branches);
                None
            }
            Err(refused @ Cin7Error::Forbidden(_)) => Some(refused),
            Err(error) => return Err(error),
        };
        on_checked(resource, refused.as_ref());
        found.resources.push((resource, refused));
    }
    found
        .resources
        .sort_by_key(|(resource, _)| RESOURCES_READ.iter().position(|r| r == resource));
    Ok(found)
}

/// Every branch, page by page: one call for any account with fewer than 250 branches, the
/// same as a probe. Unlike a run's walk, a refusal here stops only this resource's check.
async fn all_branches(client: &Client, query: &ListQuery) -> Result<Vec<Location>, Cin7Error> {
    let mut branches: Vec<Branch> = Vec::new();
    // A server that keeps sending full pages is not followed past 10,000 branches.
    for page in 1..=40 {
        let read: Vec<Branch> = client.get_page(Resource::Branches, query, page).await?;
        let full = read.len() >= MAX_ROWS as usize;
        branches.extend(read);
        if !full {
            break;
        }
    }
    Ok(super::mapping::locations(&branches))
}
