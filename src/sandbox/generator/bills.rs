//! Bills of materials for the kits the generator sold, and every kit line made to match its
//! bill: a kit's bill is what its first sale was made of, per one kit, and each later sale of
//! the kit is made of the same. Done before the stock replay, so stock stays coherent; it draws
//! nothing at random.

use super::{Decimal, Generator, LineRecord};
use crate::sandbox::account::{BomComponent, BomRecord};
use std::collections::{BTreeMap, HashMap};

impl Generator {
    pub(super) fn bills_of_materials(&mut self) {
        let products: HashMap<i64, i64> = self
            .skus
            .iter()
            .flat_map(|(product, skus)| skus.iter().map(move |s| (s.option_id, *product)))
            .collect();
        let costs: HashMap<i64, Decimal> = self
            .skus
            .iter()
            .flat_map(|(_, skus)| skus.iter().map(|s| (s.option_id, s.cost)))
            .collect();
        // A kit's bill is what its first sale of regular components was made of, unless that
        // would make the kit of itself, directly or through another kit's bill: a shop's bills
        // never do (Cin7 would be asked to make a kit out of the kit).
        let mut bills: BTreeMap<i64, Vec<(i64, Decimal)>> = BTreeMap::new();
        for order in &self.account.sales_orders {
            for (parent, components) in kits(&order.lines) {
                let kit = &order.lines[parent];
                let parts: Vec<&LineRecord> = components.iter().map(|&c| &order.lines[c]).collect();
                let regular = parts.iter().all(|c| c.sizes.is_empty());
                let makes_itself = parts
                    .iter()
                    .any(|c| made_of(&bills, c.product_option_id, kit.product_option_id));
                if regular && !makes_itself && !bills.contains_key(&kit.product_option_id) {
                    bills.insert(kit.product_option_id, per_kit(kit, &parts));
                }
            }
        }
        // Every sale of a kit with a bill is made of it. A kit sold without one (its first
        // sales all had a sized component) keeps its lines: a kit whose bill is gone.
        for order in &mut self.account.sales_orders {
            for (parent, components) in kits(&order.lines) {
                let kit = &order.lines[parent];
                let Some(bill) = bills.get(&kit.product_option_id) else {
                    continue;
                };
                let kit_qty = kit.qty;
                for (&line, &(option, per_kit)) in components.iter().zip(bill) {
                    let component = &mut order.lines[line];
                    component.product_option_id = option;
                    component.qty = kit_qty * per_kit;
                    component.sizes.clear();
                    component.unit_cost = costs.get(&option).copied();
                }
            }
        }
        let start = self.start;
        self.account.boms = bills
            .into_iter()
            .enumerate()
            .map(|(i, (option, components))| BomRecord {
                id: 7_000 + i as i64,
                reference: format!("BOM-{option}"),
                product_id: products.get(&option).copied().unwrap_or_default(),
                option_id: option,
                qty: Decimal::ONE,
                components: components
                    .into_iter()
                    .map(|(option_id, qty)| BomComponent {
                        product_id: products.get(&option_id).copied().unwrap_or_default(),
                        option_id,
                        qty,
                    })
                    .collect(),
                modified: start,
            })
            .collect();
    }
}

/// The kit lines of an order: each parent line's index with its components' indexes, for kits
/// of a regular (unsized) item.
fn kits(lines: &[LineRecord]) -> Vec<(usize, Vec<usize>)> {
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.sizes.is_empty() && !l.qty.is_zero())
        .map(|(p, parent)| {
            let components = lines
                .iter()
                .enumerate()
                .filter(|(_, l)| l.parent_id == parent.id)
                .map(|(c, _)| c)
                .collect::<Vec<_>>();
            (p, components)
        })
        .filter(|(_, components)| !components.is_empty())
        .collect()
}

/// Whether `option` is `target`, or made of it through the bills at any depth.
fn made_of(bills: &BTreeMap<i64, Vec<(i64, Decimal)>>, option: i64, target: i64) -> bool {
    let mut to_see = vec![option];
    let mut seen = Vec::new();
    while let Some(next) = to_see.pop() {
        if next == target {
            return true;
        }
        if !seen.contains(&next) {
            seen.push(next);
            to_see.extend(
                bills
                    .get(&next)
                    .into_iter()
                    .flatten()
                    .map(|(part, _)| *part),
            );
        }
    }
    false
}

/// A bill from a kit's sale: each component option and its quantity per one kit.
fn per_kit(kit: &LineRecord, components: &[&LineRecord]) -> Vec<(i64, Decimal)> {
    components
        .iter()
        .map(|c| (c.product_option_id, c.qty / kit.qty))
        .collect()
}
