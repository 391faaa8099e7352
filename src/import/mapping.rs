//! Products and branches > the project's items and locations (docs/import-rules.md, "Items
//! and locations").

use crate::cin7::model::{Branch, Product, ProductOption};
use crate::project::{Item, Location};
use std::collections::HashMap;

/// Items in catalogue order, with lookups by option id (and size).
#[derive(Debug, Default)]
pub(super) struct Catalogue {
    pub items: Vec<Item>,
    by_key: HashMap<(i64, String), usize>,
    /// Option ids of size-grid options, with their items by size.
    sized_options: HashMap<i64, Vec<usize>>,
}

impl Catalogue {
    /// Items of every product, with supplier names from `suppliers` (contact id → company).
    pub(super) fn from_products(products: &[Product], suppliers: &HashMap<i64, String>) -> Self {
        let mut catalogue = Catalogue::default();
        for product in products {
            let rows = product.product_options.as_deref().unwrap_or_default();
            let sized_product = product.size_range_id.is_some_and(|id| id != 0)
                || rows
                    .iter()
                    .any(|o| o.size.as_deref().is_some_and(|s| !s.is_empty()));
            for option in rows {
                let Some(option_id) = *option.id else {
                    continue;
                };
                let size = if sized_product {
                    option.size.0.clone().unwrap_or_default()
                } else {
                    String::new()
                };
                if catalogue.by_key.contains_key(&(option_id, size.clone())) {
                    continue;
                }
                let mut item = item(product, option, size, sized_product);
                item.supplier_id = *product.supplier_id;
                item.supplier = product
                    .supplier_id
                    .and_then(|id| suppliers.get(&id).cloned());
                catalogue.add(item);
            }
        }
        catalogue
    }

    /// The catalogue of items already made (an update's: the project's, with the products
    /// read again in place).
    pub(super) fn from_items(items: Vec<Item>) -> Self {
        let mut catalogue = Catalogue::default();
        for item in items {
            catalogue.add(item);
        }
        catalogue
    }

    fn add(&mut self, item: Item) {
        let (index, option_id, sized) = (self.items.len(), item.product_option_id, item.sized);
        self.by_key.insert((option_id, item.size.clone()), index);
        self.items.push(item);
        if sized {
            self.sized_options.entry(option_id).or_default().push(index);
        }
    }

    /// The item of a regular option.
    pub(super) fn regular(&self, option_id: i64) -> Option<usize> {
        self.by_key.get(&(option_id, String::new())).copied()
    }

    /// The item of one size of a size-grid option.
    pub(super) fn sized(&self, option_id: i64, size: &str) -> Option<usize> {
        self.by_key.get(&(option_id, size.to_owned())).copied()
    }

    pub(super) fn is_sized_option(&self, option_id: i64) -> bool {
        self.sized_options.contains_key(&option_id)
    }
}

fn non_empty(text: &Option<String>) -> Option<String> {
    text.as_ref()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn item(product: &Product, option: &ProductOption, size: String, sized: bool) -> Item {
    let option_code = non_empty(&option.product_option_code)
        .or_else(|| non_empty(&option.code))
        .unwrap_or_default();
    let code = if sized {
        non_empty(&option.product_option_size_code)
            .unwrap_or_else(|| format!("{option_code}-{size}"))
    } else {
        option_code
    };
    let barcode = if sized {
        non_empty(&option.product_option_size_barcode)
            .or_else(|| non_empty(&option.product_option_barcode))
    } else {
        non_empty(&option.product_option_barcode)
    };
    Item {
        product_option_id: option.id.unwrap_or_default(),
        size,
        code,
        description: product.name.0.clone().unwrap_or_default(),
        product_id: *product.id,
        style_code: non_empty(&product.style_code),
        options: [&option.option1, &option.option2, &option.option3]
            .into_iter()
            .filter_map(|text| non_empty(text))
            .collect(),
        category: non_empty(&product.category),
        brand: non_empty(&product.brand),
        barcode,
        retail_price: *option.retail_price,
        cost: option.cost(),
        cost_currency: option.cost_currency(),
        supplier: None,
        supplier_id: None,
        status: non_empty(&option.status),
        sized,
        sub_category: non_empty(&product.sub_category),
        supplier_item_code: non_empty(&option.supplier_code),
        weight: entered(*option.option_weight).or_else(|| entered(*product.weight)),
        volume: entered(*product.volume),
    }
}

/// A measure as entered: Cin7 sends 0 where nothing was.
fn entered(measure: Option<rust_decimal::Decimal>) -> Option<rust_decimal::Decimal> {
    measure.filter(|m| !m.is_zero())
}

/// Every branch is a location; its name is its `company`.
pub(super) fn locations(branches: &[Branch]) -> Vec<Location> {
    branches
        .iter()
        .filter_map(|b| {
            Some(Location {
                branch_id: (*b.id)?,
                name: non_empty(&b.company)
                    .unwrap_or_else(|| format!("Branch {}", b.id.unwrap_or_default())),
                branch_type: non_empty(&b.branch_type),
                is_active: b.is_active.unwrap_or(true),
            })
        })
        .collect()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A tee in sizes S, M and L (option 5: items 0 to 2) and a mug (option 8: item 3).
    pub(in crate::import) fn catalogue() -> Catalogue {
        let products: Vec<Product> = serde_json::from_str(
            r#"[{"id": 1, "name": "Tee", "sizeRangeId": 7, "productOptions": [
                {"id": 5, "productOptionCode": "TEE", "size": "S"},
                {"id": 5, "productOptionCode": "TEE", "size": "M"},
                {"id": 5, "productOptionCode": "TEE", "size": "L"}]},
               {"id": 2, "name": "Mug", "productOptions": [{"id": 8, "productOptionCode": "MUG"}]}]"#,
        )
        .unwrap();
        Catalogue::from_products(&products, &HashMap::new())
    }
}
