//! The Cin7 resources the app and the sandbox know, with their paths and names.

use std::fmt;

/// The Cin7 resources the importer and the sandbox know, each with its own Read permission.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Resource {
    Branches,
    Products,
    ProductOptions,
    Stock,
    SalesOrders,
    CreditNotes,
    PurchaseOrders,
    BranchTransfers,
    Adjustments,
    Contacts,
    SizeRanges,
    Users,
    /// Bills of materials: what a kit is made of.
    BomMasters,
}

impl Resource {
    pub const ALL: [Resource; 13] = [
        Resource::Branches,
        Resource::Products,
        Resource::ProductOptions,
        Resource::Stock,
        Resource::SalesOrders,
        Resource::CreditNotes,
        Resource::PurchaseOrders,
        Resource::BranchTransfers,
        Resource::Adjustments,
        Resource::Contacts,
        Resource::SizeRanges,
        Resource::Users,
        Resource::BomMasters,
    ];

    /// The path segment under `/v1/`.
    pub fn path(self) -> &'static str {
        match self {
            Resource::Branches => "Branches",
            Resource::Products => "Products",
            Resource::ProductOptions => "ProductOptions",
            Resource::Stock => "Stock",
            Resource::SalesOrders => "SalesOrders",
            Resource::CreditNotes => "CreditNotes",
            Resource::PurchaseOrders => "PurchaseOrders",
            Resource::BranchTransfers => "BranchTransfers",
            Resource::Adjustments => "Adjustments",
            Resource::Contacts => "Contacts",
            Resource::SizeRanges => "SizeRanges",
            Resource::Users => "Users",
            Resource::BomMasters => "BomMasters",
        }
    }

    pub fn from_path(segment: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|r| r.path().eq_ignore_ascii_case(segment))
    }
}

/// The name Cin7's permission screen uses, e.g. "Sales Orders".
impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Resource::Branches => "Branches",
            Resource::Products => "Products",
            Resource::ProductOptions => "Product Options",
            Resource::Stock => "Stock",
            Resource::SalesOrders => "Sales Orders",
            Resource::CreditNotes => "Credit Notes",
            Resource::PurchaseOrders => "Purchase Orders",
            Resource::BranchTransfers => "Branch Transfers",
            Resource::Adjustments => "Adjustments",
            Resource::Contacts => "Contacts",
            Resource::SizeRanges => "Size Ranges",
            Resource::Users => "Users",
            Resource::BomMasters => "Bill of Materials",
        })
    }
}
