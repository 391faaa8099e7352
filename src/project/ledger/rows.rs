//! The ledger's row tables, each row belonging to one document: sale lines, stock movements,
//! open-order lines and receipts; and the kits, which belong to bills of materials.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// What the ledger does with any table of document rows, whatever its columns.
pub trait DocumentRows: Default {
    /// Each row's document.
    fn documents(&self) -> &[u32];
    /// Adds row `row` of `from` under `document`.
    fn push_from(&mut self, from: &Self, row: usize, document: u32);
    /// Whether every column has one value per row, after giving the columns a file of an
    /// earlier version lacks their defaults.
    fn fill_and_check(&mut self) -> bool;
}

/// Declares a table of document rows and its row type, column by column. Columns marked
/// `default` are absent from files saved before they existed and take their default there.
macro_rules! row_table {
    ($(#[$meta:meta])* $table:ident of $row:ident {
        $($(#[$doc:meta])* $column:ident: $ty:ty $(, $later:ident)?;)*
    }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
        pub struct $table {
            pub document: Vec<u32>,
            $($(#[$doc])* $(#[serde($later)])? pub $column: Vec<$ty>,)*
        }

        #[doc = concat!("One row of [`", stringify!($table), "`].")]
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub struct $row {
            $($(#[$doc])* pub $column: $ty,)*
        }

        impl $table {
            pub fn len(&self) -> usize {
                self.document.len()
            }

            pub fn is_empty(&self) -> bool {
                self.document.is_empty()
            }

            pub fn push(&mut self, document: u32, row: $row) {
                self.document.push(document);
                $(self.$column.push(row.$column);)*
            }

            /// The row at `index`.
            pub fn row(&self, index: usize) -> $row {
                $row {
                    $($column: self.$column[index].clone(),)*
                }
            }
        }

        impl DocumentRows for $table {
            fn documents(&self) -> &[u32] {
                &self.document
            }

            fn push_from(&mut self, from: &Self, row: usize, document: u32) {
                self.push(document, from.row(row));
            }

            fn fill_and_check(&mut self) -> bool {
                let rows = self.document.len();
                $($(
                    let _ = stringify!($later);
                    if self.$column.is_empty() {
                        self.$column = vec![Default::default(); rows];
                    }
                )?)*
                [$(self.$column.len()),*].iter().all(|&n| n == rows)
            }
        }
    };
}

row_table! {
    /// Sale lines: one item's part of one line of a counted sales order or credit note at an
    /// included branch. Sized lines are already split by size. A credit note's lines are
    /// negative. Where and when a line counts comes from its document, under the settings of
    /// the moment.
    SaleLines of SaleLine {
        item: u32;
        qty: Decimal;
        revenue: Decimal;
        /// Quantity × `unitCost`, signed as the quantity; none where the line has no
        /// `unitCost` (and in files saved before costs were kept).
        cost: Option<Decimal>, default;
    }
}

row_table! {
    /// Stock movements of regular items at included locations (docs/import-rules.md,
    /// "On-hand history"), each dated in Unix seconds.
    Movements of Movement {
        item: u32;
        location: u32;
        at: i64;
        qty: Decimal;
    }
}

row_table! {
    /// What an open document still has to ship from, or to receive at, an included location
    /// (docs/import-rules.md, "Open orders"): the state of the account when it was read.
    OpenLines of OpenLine {
        item: u32;
        location: u32;
        /// Goods coming in (to receive), rather than going out (to ship).
        inbound: bool;
        qty: Decimal;
        /// What the goods cost, in the document's currency; none where unknown.
        lot_cost: Option<Decimal>;
    }
}

row_table! {
    /// Receipts: the lines with a received quantity of a purchase order approved, not void
    /// and fully received, at an included location (docs/import-rules.md, "Lead times").
    Receipts of Receipt {
        item: u32;
        location: u32;
        qty: Decimal;
        /// `unitPrice` − `discount` ÷ `qty`, in the order's currency; none where the line
        /// has no quantity to share its discount over.
        unit_price: Option<Decimal>;
    }
}

/// Bills of materials (`/v1/BomMasters`): one row per component of a kit, by option id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kits {
    /// The bill's id, which an update replaces the rows of.
    pub bom: Vec<i64>,
    pub kit: Vec<i64>,
    pub component: Vec<i64>,
    /// Units of the component in one kit.
    pub multiplier: Vec<Decimal>,
    /// Bills read that give no kit: no product, a kit quantity of zero or a component
    /// without an option.
    #[serde(default)]
    pub unusable: Vec<i64>,
}

impl Kits {
    pub fn len(&self) -> usize {
        self.bom.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bom.is_empty()
    }

    pub fn push(&mut self, bom: i64, kit: i64, component: i64, multiplier: Decimal) {
        self.bom.push(bom);
        self.kit.push(kit);
        self.component.push(component);
        self.multiplier.push(multiplier);
    }

    /// Whether every column has one value per row.
    pub fn columns_agree(&self) -> bool {
        let rows = self.bom.len();
        [self.kit.len(), self.component.len(), self.multiplier.len()]
            .iter()
            .all(|&n| n == rows)
    }

    /// Each row as (bill, kit, component, multiplier).
    pub fn rows(&self) -> impl Iterator<Item = (i64, i64, i64, Decimal)> + '_ {
        (0..self.len()).map(|i| {
            (
                self.bom[i],
                self.kit[i],
                self.component[i],
                self.multiplier[i],
            )
        })
    }

    /// Replaces the bills `newer` read (rows and unusable ones alike) with what it says of
    /// them, keeping the others, in bill order as a fresh read has them.
    pub fn replace(&mut self, newer: &Kits) {
        let read: std::collections::HashSet<i64> =
            newer.bom.iter().chain(&newer.unusable).copied().collect();
        let mut rows: Vec<_> = self
            .rows()
            .filter(|row| !read.contains(&row.0))
            .chain(newer.rows())
            .collect();
        rows.sort_by_key(|row| row.0);
        let mut unusable: Vec<i64> = self
            .unusable
            .iter()
            .copied()
            .filter(|b| !read.contains(b))
            .collect();
        unusable.extend(&newer.unusable);
        unusable.sort_unstable();
        *self = Kits {
            unusable,
            ..Kits::default()
        };
        for (bom, kit, component, multiplier) in rows {
            self.push(bom, kit, component, multiplier);
        }
    }
}
