//! What a run asks Cin7 for: the queries of an import (master data, kits and stock in full,
//! every document modified since the earliest start the project could need, and the documents
//! still open from before it) and of an update (suppliers and branches in full; products,
//! kits, documents and stock rows modified since the last run, less an overlap). Every query has a total order, so pages are stable, and a projection of the
//! fields the project uses, so pages are small.

use crate::cin7::{ListQuery, Resource};
use crate::project::ImportSettings;
use crate::project::calendar::earliest_start;
use crate::project::stock::Extent;
use chrono::{DateTime, SecondsFormat, Utc};

const BRANCH_FIELDS: &str = "id,company,branchType,isActive";
const PRODUCT_FIELDS: &str = concat!(
    "id,name,styleCode,status,category,subCategory,brand,weight,volume,sizeRangeId,supplierId,",
    "productOptions(id,status,code,productOptionCode,productOptionSizeCode,productOptionBarcode,",
    "productOptionSizeBarcode,option1,option2,option3,size,supplierCode,optionWeight,retailPrice,",
    "priceColumns)"
);
const CONTACT_FIELDS: &str = "id,company";
const CREDIT_NOTE_FIELDS: &str = concat!(
    "id,source,createdDate,creditNoteDate,completedDate,isVoid,status,branchId,",
    "lineItems(id,parentId,productOptionId,qty,unitPrice,unitCost,discount,sizeCodes,sizes)"
);
const SALES_ORDER_FIELDS: &str = concat!(
    "id,reference,source,createdDate,modifiedDate,invoiceDate,dispatchedDate,",
    "estimatedDeliveryDate,isApproved,isVoid,status,branchId,",
    "lineItems(id,parentId,productOptionId,qty,qtyShipped,unitPrice,unitCost,discount,sizeCodes,",
    "sizes)"
);
const STOCK_FIELDS: &str = "productOptionId,size,branchId,stockOnHand";
const PURCHASE_ORDER_FIELDS: &str = concat!(
    "id,reference,memberId,company,currencyCode,createdDate,modifiedDate,fullyReceivedDate,",
    "estimatedDeliveryDate,estimatedArrivalDate,isApproved,isVoid,status,branchId,",
    "lineItems(productOptionId,qty,qtyShipped,unitPrice,discount,sizeCodes,sizes)"
);
const TRANSFER_FIELDS: &str = concat!(
    "id,reference,isApproved,dispatchedDate,receivedDate,sourceBranchId,destinationBranchId,",
    "lineItems(productOptionId,qty,unitCost,sizeCodes,sizes)"
);
const BOM_FIELDS: &str = "id,modifiedDate,product";
const ADJUSTMENT_FIELDS: &str =
    "id,createdDate,completedDate,isApproved,branchId,lineItems(productOptionId,qty)";

/// The queries of one run. A walk that is `None` is not part of this reading (a newest-first
/// import reads the sales orders by windows and the stock on its own, and its catch-up does
/// not read suppliers and branches again).
pub(super) struct Plan {
    pub suppliers: Option<ListQuery>,
    pub branches: Option<ListQuery>,
    pub products: ListQuery,
    pub orders: Option<ListQuery>,
    pub credit_notes: ListQuery,
    pub stock: Option<ListQuery>,
    pub purchase_orders: ListQuery,
    pub transfers: ListQuery,
    pub adjustments: ListQuery,
    pub boms: ListQuery,
    /// The open documents last modified before the history (imports only: an update finds
    /// any change to them among what was modified since).
    pub older: Option<OlderQueries>,
    /// One call that tells how far the order walk will go, for the estimate of the time left
    /// (imports only: an update's walks are short).
    pub highest_order: Option<ListQuery>,
    /// The branches the run must find in the account (an import's chosen ones): one it does
    /// not list stops the run as soon as the branches are read.
    pub branches_wanted: Option<Vec<i64>>,
    /// Whether its calls go one by one at the sustained rate rather than in bursts: an
    /// import's, whose thousands of calls the minute window paces anyway (see
    /// [`crate::cin7::Pacer::pace_evenly`]); not an update's, mostly done within a minute's
    /// calls.
    pub evenly_paced: bool,
}

/// The walks of the documents still open that were last modified before the history's
/// start (docs/import-rules.md, "Open orders"): Cin7 may refuse their `IS NULL` filter.
pub(super) struct OlderQueries {
    pub orders: ListQuery,
    pub purchase_orders: ListQuery,
    pub transfers: ListQuery,
}

impl OlderQueries {
    fn before(start: &str) -> Self {
        let open = |fields: &str, still_open: &str| ListQuery {
            filter: Some(format!("modifiedDate<'{start}' AND {still_open} IS NULL")),
            refusable: true,
            ..by_id(fields)
        };
        Self {
            orders: open(SALES_ORDER_FIELDS, "dispatchedDate"),
            purchase_orders: open(PURCHASE_ORDER_FIELDS, "fullyReceivedDate"),
            transfers: open(TRANSFER_FIELDS, "receivedDate"),
        }
    }
}

fn by_id(fields: &str) -> ListQuery {
    ListQuery {
        order: "id ASC".into(),
        filter: None,
        fields: Some(fields.into()),
        ..ListQuery::default()
    }
}

/// The sales orders `filter` selects, in id order (a window of a newest-first import).
pub(super) fn orders_where(filter: String, eager: bool) -> ListQuery {
    ListQuery {
        filter: Some(filter),
        eager,
        ..by_id(SALES_ORDER_FIELDS)
    }
}

pub(super) fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn modified_since(at: DateTime<Utc>) -> String {
    format!("modifiedDate>='{}'", instant(at))
}

impl Plan {
    /// An import's: every document that can place a sale in the periods, or move stock inside
    /// them, was modified at or after the date it counts on. Reading from the earliest start
    /// any grouping, week start or time zone could give lets the project be regrouped later
    /// without calling Cin7.
    pub(super) fn import(settings: &ImportSettings) -> Self {
        let start = earliest_start(settings.starting_date);
        let since = modified_since(start);
        let mut plan = Self::reading(&since, Extent::Full);
        plan.older = Some(OlderQueries::before(&instant(start)));
        plan.highest_order = Some(ListQuery {
            order: "id DESC".into(),
            filter: Some(since),
            ..by_id("id")
        });
        plan.evenly_paced = true;
        plan.branches_wanted.clone_from(&settings.branches);
        plan
    }

    /// A newest-first import's (see [`super::windows`]): the import's queries but for the
    /// sales orders, which are read by windows of `modifiedDate`, so there is no probe of the
    /// highest order id either.
    pub(super) fn newest_first(settings: &ImportSettings) -> Self {
        Self {
            orders: None,
            highest_order: None,
            ..Self::import(settings)
        }
    }

    /// The query of `resource`'s walk; `None` for a resource no run walks.
    pub(super) fn query(&self, resource: Resource) -> Option<&ListQuery> {
        Some(match resource {
            Resource::Contacts => self.suppliers.as_ref()?,
            Resource::Branches => self.branches.as_ref()?,
            Resource::Products => &self.products,
            Resource::Stock => self.stock.as_ref()?,
            Resource::SalesOrders => self.orders.as_ref()?,
            Resource::CreditNotes => &self.credit_notes,
            Resource::PurchaseOrders => &self.purchase_orders,
            Resource::BranchTransfers => &self.transfers,
            Resource::Adjustments => &self.adjustments,
            Resource::BomMasters => &self.boms,
            Resource::ProductOptions | Resource::SizeRanges | Resource::Users => return None,
        })
    }

    /// An update's: what was modified at or after `since` (the last run's start less an
    /// overlap); a document or stock row not modified since is as the project has it.
    pub(super) fn update(since: DateTime<Utc>) -> Self {
        let since = modified_since(since);
        Self::reading(&since, Extent::Changes)
    }

    /// Documents modified since `since`; products and stock rows in full (an import's) or
    /// those modified since `since` too (an update's).
    ///
    /// What is read in full is asked for eagerly (see [`ListQuery::eager`]): an import's walks
    /// are long and the suppliers and branches are never empty, while an update's changes often
    /// are.
    fn reading(since: &str, extent: Extent) -> Self {
        let in_full = extent == Extent::Full;
        let changes_since = (!in_full).then(|| since.to_owned());
        let modified = |fields: &str| ListQuery {
            filter: Some(since.to_owned()),
            eager: in_full,
            ..by_id(fields)
        };
        let eager = |query: ListQuery| ListQuery {
            eager: true,
            ..query
        };
        Self {
            suppliers: Some(eager(ListQuery {
                filter: Some("type='Supplier'".into()),
                ..by_id(CONTACT_FIELDS)
            })),
            branches: Some(eager(by_id(BRANCH_FIELDS))),
            products: ListQuery {
                filter: changes_since.clone(),
                eager: in_full,
                ..by_id(PRODUCT_FIELDS)
            },
            orders: Some(modified(SALES_ORDER_FIELDS)),
            credit_notes: modified(CREDIT_NOTE_FIELDS),
            // Many accounts have no bills of materials: not asked for eagerly, where an empty
            // first page would waste the second call.
            boms: ListQuery {
                filter: changes_since.clone(),
                ..by_id(BOM_FIELDS)
            },
            stock: Some(ListQuery {
                order: "productOptionId ASC,branchId ASC,size ASC".into(),
                filter: changes_since,
                fields: Some(STOCK_FIELDS.into()),
                eager: in_full,
                ..ListQuery::default()
            }),
            purchase_orders: modified(PURCHASE_ORDER_FIELDS),
            transfers: modified(TRANSFER_FIELDS),
            adjustments: modified(ADJUSTMENT_FIELDS),
            older: None,
            highest_order: None,
            branches_wanted: None,
            evenly_paced: false,
        }
    }
}
