//! Bills of materials (`/v1/BomMasters`) → the ledger's kits: each component option of a kit
//! and how many of it one kit takes (docs/import-rules.md, "Kits").

use crate::cin7::model::{BomMaster, Bounded};
use crate::project::ledger::Kits;
use rust_decimal::Decimal;

/// The kits the bills give, one row per component, units per one kit (the component's
/// quantity over the kit's). A bill without a kit option, with a kit quantity that is not
/// positive, with a component lacking an option or a positive quantity, or beyond the
/// bounds, gives no row and is listed as unusable.
pub(super) fn kits(boms: &[BomMaster]) -> Kits {
    let mut kits = Kits::default();
    for bom in boms {
        let Some(id) = *bom.id else { continue };
        match components(bom) {
            Some((kit, parts)) => {
                for (component, multiplier) in parts {
                    kits.push(id, kit, component, multiplier);
                }
            }
            None => kits.unusable.push(id),
        }
    }
    kits
}

/// A usable bill's kit option and (component option, multiplier) pairs.
fn components(bom: &BomMaster) -> Option<(i64, Vec<(i64, Decimal)>)> {
    if !bom.within_bounds() {
        return None;
    }
    let kit = bom.product.as_ref()?;
    let per = kit.qty.filter(|q| *q > Decimal::ZERO)?;
    let parts = kit
        .components
        .iter()
        .flatten()
        .map(|part| {
            let qty = part.qty.filter(|q| *q > Decimal::ZERO)?;
            Some(((*part.product_option_id)?, qty.checked_div(per)?))
        })
        .collect::<Option<Vec<_>>>()?;
    (!parts.is_empty()).then_some(((*kit.product_option_id)?, parts))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boms(json: &str) -> Vec<BomMaster> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn each_component_per_one_kit_and_unusable_bills_listed() {
        let read = boms(
            r#"[{"id": 7, "product": {"productOptionId": 50, "qty": 2, "components": [
                    {"productOptionId": 51, "qty": 4}, {"productOptionId": 52, "qty": 1}]}},
                {"id": 8, "product": {"productOptionId": 60, "qty": 0, "components": [{"productOptionId": 61, "qty": 1}]}},
                {"id": 9, "product": {"productOptionId": 70, "qty": 1, "components": [{"qty": 1}]}},
                {"id": 10}]"#,
        );
        let kits = kits(&read);
        let rows: Vec<_> = kits.rows().collect();
        assert_eq!(
            rows,
            vec![(7, 50, 51, Decimal::TWO), (7, 50, 52, Decimal::new(5, 1))]
        );
        assert_eq!(kits.unusable, vec![8, 9, 10]);
    }
}
