//! The ledger's documents: every document an import read, one row each, column by column,
//! with what the series, the open orders and the lead times need to know of it.

use serde::{Deserialize, Serialize};

/// The kind of Cin7 document a row came from, in the order an import reads them.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    #[default]
    SalesOrder,
    CreditNote,
    PurchaseOrder,
    BranchTransfer,
    Adjustment,
}

/// One document as the ledger keeps it. The dates are Unix seconds (UTC).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Document {
    pub kind: DocumentKind,
    pub id: i64,
    /// The branch of a sales order or a credit note.
    pub branch: Option<i64>,
    /// A sales order approved and not void, a credit note not void, or a purchase order
    /// approved and not void.
    pub counted: bool,
    /// A sales order's or a purchase order's `createdDate`.
    pub ordered: Option<i64>,
    /// A sales order's `invoiceDate`.
    pub invoiced: Option<i64>,
    /// A sales order's or a transfer's `dispatchedDate`.
    pub dispatched: Option<i64>,
    /// A credit note's return date (`creditNoteDate`, else `completedDate`, else `createdDate`).
    pub returned: Option<i64>,
    /// Kit component lines, which are not sales in themselves.
    pub kit_lines: u32,
    /// Lines whose item is not in the catalogue.
    pub unknown_lines: u32,
    /// A number of the document is beyond [`crate::bounds`]: it adds nothing and is counted.
    pub rejected: bool,
    /// A sales order's or a credit note's channel (`source`), empty where it has none.
    pub channel: String,
    /// The order number (`reference`).
    pub reference: String,
    /// When the goods are promised: a sales order's `estimatedDeliveryDate`, a purchase
    /// order's `estimatedDeliveryDate`, else its `estimatedArrivalDate`.
    pub promised: Option<i64>,
    /// A purchase order's `fullyReceivedDate`, a transfer's `receivedDate`.
    pub received: Option<i64>,
    /// A purchase order's supplier (`memberId`).
    pub supplier: Option<i64>,
    /// Where the goods come from: a purchase order's `company`, a transfer's source branch.
    pub source_from: String,
    /// The currency of a purchase order's prices (`currencyCode`).
    pub currency: String,
    /// Read only because it was still open while last modified before the history: it
    /// counts as open orders and nowhere else.
    pub open_only: bool,
    /// Lines of an open order left out: their item is unknown or their branch left out.
    pub open_lines_skipped: u32,
    /// Promised dates left out because they lie outside the years 1900 to 2200.
    pub implausible_dates: u32,
}

impl Document {
    /// A document with no branch, dates or lines of note, not counted as a sale.
    pub fn new(kind: DocumentKind, id: i64) -> Self {
        Self {
            kind,
            id,
            ..Self::default()
        }
    }
}

/// Declares the [`Documents`] columns once: the struct, `push`, `get` and the check that
/// every column has one value per document. Columns marked `default` are absent from files
/// saved before they existed and take their default there (none rejected, no channel, no
/// open orders known…).
macro_rules! document_columns {
    ($($column:ident: $ty:ty $(, $later:ident)?;)*) => {
        /// Every document the import read, whether or not it produced a row: an update that
        /// reads a document again replaces all it contributed, even nothing.
        #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
        pub struct Documents {
            $($(#[serde($later)])? pub $column: Vec<$ty>,)*
        }

        impl Documents {
            /// Adds a document and returns its index, which rows refer to.
            pub fn push(&mut self, document: Document) -> u32 {
                let index = self.id.len() as u32;
                $(self.$column.push(document.$column);)*
                index
            }

            /// The document at `index`.
            pub fn get(&self, index: usize) -> Document {
                Document {
                    $($column: self.$column[index].clone(),)*
                }
            }

            /// Fills the columns a file of an earlier version did not have with their
            /// defaults.
            pub(super) fn fill_missing_columns(&mut self) {
                let documents = self.id.len();
                $($(
                    let _ = stringify!($later);
                    if self.$column.is_empty() {
                        self.$column = vec![Default::default(); documents];
                    }
                )?)*
            }

            /// Whether every column has one value per document.
            pub(super) fn columns_agree(&self) -> bool {
                [$(self.$column.len()),*].iter().all(|&n| n == self.id.len())
            }
        }
    };
}

document_columns! {
    kind: DocumentKind;
    id: i64;
    branch: Option<i64>;
    counted: bool;
    ordered: Option<i64>;
    invoiced: Option<i64>;
    dispatched: Option<i64>;
    returned: Option<i64>;
    kit_lines: u32;
    unknown_lines: u32;
    rejected: bool, default;
    channel: String, default;
    reference: String, default;
    promised: Option<i64>, default;
    received: Option<i64>, default;
    supplier: Option<i64>, default;
    source_from: String, default;
    currency: String, default;
    open_only: bool, default;
    open_lines_skipped: u32, default;
    implausible_dates: u32, default;
}

impl Documents {
    pub fn len(&self) -> usize {
        self.id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.id.is_empty()
    }
}
