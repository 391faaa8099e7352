//! Deterministic synthetic accounts: the same preset, seed and end date always give the same
//! account, so demos are repeatable and tests can rely on them.

use super::account::*;
use chrono::{DateTime, Duration, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

/// The named account shapes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Preset {
    /// What `--demo` shows: four branches, a catalogue with size grids, 18 months of orders.
    Demo,
    /// A quick account for tests: two branches, a few products, two months of orders.
    Small,
}

struct Shape {
    days: i64,
    orders_per_branch_day: u32,
    products: &'static [Style],
}

/// One product of the synthetic catalogue: one option per colour, and one row per size too
/// where it has sizes.
struct Style {
    name: &'static str,
    code: &'static str,
    category: &'static str,
    colours: &'static [&'static str],
    sizes: &'static [&'static str],
    price: f64,
}

const fn style(
    name: &'static str,
    code: &'static str,
    category: &'static str,
    colours: &'static [&'static str],
    sizes: &'static [&'static str],
    price: f64,
) -> Style {
    Style {
        name,
        code,
        category,
        colours,
        sizes,
        price,
    }
}

/// Some names carry unicode, commas and quotes, and some codes `#`, `%` and `+`, as real
/// catalogues do.
const CATALOGUE: &[Style] = &[
    style(
        "Ceramic Mug",
        "MUG",
        "Kitchen",
        &["Blue", "Red", "Sand"],
        &[],
        19.9,
    ),
    style(
        "Travel Cup + Lid",
        "CUP+LID",
        "Kitchen",
        &["Black", "Mint"],
        &[],
        34.5,
    ),
    style(
        "Café \"Barista\" Apron, Long",
        "APRON",
        "Kitchen",
        &["Charcoal"],
        &[],
        59.0,
    ),
    style(
        "Tea Towel #2",
        "TOWEL#2",
        "Kitchen",
        &["Natural", "Stripe"],
        &[],
        14.95,
    ),
    style(
        "Beeswax Candle 100%",
        "CANDLE%",
        "Home",
        &["Honey"],
        &[],
        24.0,
    ),
    style(
        "Linen Cushion",
        "CUSH",
        "Home",
        &["Oat", "Olive", "Rust"],
        &[],
        79.0,
    ),
    style("Wool Throw", "THROW", "Home", &["Grey"], &[], 189.0),
    style(
        "Notebook A5",
        "NB-A5",
        "Stationery",
        &["Dot", "Lined"],
        &[],
        12.5,
    ),
    style(
        "V-Neck Tee",
        "TEE-V",
        "Apparel",
        &["Red", "Black"],
        &["S", "M", "L", "XL"],
        36.6,
    ),
    style(
        "Denim Jacket",
        "JKT-D",
        "Apparel",
        &["Indigo"],
        &["8", "10", "12", "14"],
        149.0,
    ),
];

fn money(value: f64) -> Decimal {
    Decimal::from_f64_retain(value)
        .unwrap_or_default()
        .round_dp(2)
}

pub fn generate(preset: Preset, seed: u64, end: DateTime<Utc>) -> Account {
    let shape = match preset {
        Preset::Demo => Shape {
            days: 540,
            orders_per_branch_day: 3,
            products: CATALOGUE,
        },
        Preset::Small => Shape {
            days: 60,
            orders_per_branch_day: 2,
            products: &CATALOGUE[..3],
        },
    };
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let start = end - Duration::days(shape.days);
    let mut account = Account::default();

    let branches: &[(&str, &str, bool)] = match preset {
        Preset::Demo => &[
            ("Head Office", "Head Office", true),
            ("Ponsonby Store", "Retail Branch", true),
            ("Wellington Store", "Retail Branch", true),
            ("Christchurch Pop-up", "Retail Branch", false),
        ],
        Preset::Small => &[
            ("Warehouse", "Warehouse", true),
            ("Shop", "Retail Branch", true),
        ],
    };
    for (i, (name, kind, active)) in branches.iter().enumerate() {
        account.branches.push(BranchRecord {
            id: i as i64 + 1,
            name: (*name).to_owned(),
            branch_type: (*kind).to_owned(),
            is_active: *active,
            modified: start,
        });
    }

    let mut option_id = 9000;
    let mut size_range_id = 0;
    for (p, style) in shape.products.iter().enumerate() {
        let options = style
            .colours
            .iter()
            .enumerate()
            .map(|(c, colour)| {
                option_id += 1;
                OptionRecord {
                    id: option_id,
                    code: format!("{}-{}", style.code, colour.to_uppercase()),
                    barcode: style
                        .sizes
                        .is_empty()
                        .then(|| format!("94219{option_id:08}")),
                    option1: Some((*colour).to_owned()),
                    option2: None,
                    // One discontinued option: it still has history.
                    status: if p == 1 && c == 1 {
                        "Disabled"
                    } else {
                        "Active"
                    }
                    .to_owned(),
                    retail_price: money(style.price),
                    cost: money(style.price * 0.42),
                }
            })
            .collect();
        if !style.sizes.is_empty() {
            size_range_id += 1;
        }
        account.products.push(ProductRecord {
            id: 500 + p as i64,
            name: style.name.to_owned(),
            style_code: style.code.to_owned(),
            category: Some(style.category.to_owned()),
            brand: Some("Harbour & Co".to_owned()),
            status: "Public".to_owned(),
            sizes: style.sizes.iter().map(|s| (*s).to_owned()).collect(),
            size_range_id: if style.sizes.is_empty() {
                0
            } else {
                size_range_id
            },
            options,
            modified: start,
        });
    }

    let sellable: Vec<(i64, Decimal, Vec<String>)> = account
        .products
        .iter()
        .flat_map(|p| {
            p.options
                .iter()
                .map(|o| (o.id, o.retail_price, p.sizes.clone()))
        })
        .collect();
    let mut order_id = 100_000;
    let mut line_id = 5_000_000;
    for day in 0..shape.days {
        for branch in &account.branches {
            // The inactive branch closed half-way through the history.
            if !branch.is_active && day > shape.days / 2 {
                continue;
            }
            for _ in 0..rng.random_range(0..=shape.orders_per_branch_day) {
                order_id += 1;
                let created =
                    start + Duration::days(day) + Duration::seconds(rng.random_range(0..86_400));
                if created > end {
                    continue;
                }
                let roll: f64 = rng.random();
                let (is_approved, is_void) = match roll {
                    r if r < 0.03 => (false, false),
                    r if r < 0.05 => (true, true),
                    _ => (true, false),
                };
                let invoiced = match rng.random::<f64>() {
                    _ if !is_approved => None,
                    r if r < 0.04 => None,
                    r if r < 0.10 => Some(created + Duration::days(rng.random_range(1..20))),
                    _ => Some(created + Duration::minutes(rng.random_range(0..90))),
                }
                .filter(|t| *t <= end);
                let dispatched = invoiced;
                let mut lines = Vec::new();
                for _ in 0..rng.random_range(1..=3) {
                    line_id += 1;
                    let (option, price, sizes) = &sellable[rng.random_range(0..sellable.len())];
                    let mut size_split: Vec<(String, Decimal)> = Vec::new();
                    for size in sizes {
                        if rng.random_bool(0.5) {
                            size_split.push((size.clone(), Decimal::from(rng.random_range(1..=2))));
                        }
                    }
                    let qty = if sizes.is_empty() {
                        Decimal::from(rng.random_range(1..=4))
                    } else if size_split.is_empty() {
                        continue;
                    } else {
                        size_split.iter().map(|(_, q)| *q).sum()
                    };
                    let discount = if rng.random_bool(0.1) {
                        (qty * price * Decimal::new(1, 1)).round_dp(2)
                    } else {
                        Decimal::ZERO
                    };
                    lines.push(SalesLineRecord {
                        id: line_id,
                        parent_id: 0,
                        product_option_id: *option,
                        qty,
                        unit_price: *price,
                        discount,
                        qty_shipped: if dispatched.is_some() {
                            qty
                        } else {
                            Decimal::ZERO
                        },
                        sizes: size_split,
                    });
                }
                let modified = [Some(created), invoiced, dispatched]
                    .into_iter()
                    .flatten()
                    .max()
                    .unwrap_or(created);
                account.sales_orders.push(SalesOrderRecord {
                    id: order_id,
                    reference: format!("SO-{order_id}"),
                    branch_id: branch.id,
                    created,
                    modified,
                    invoiced,
                    dispatched,
                    is_approved,
                    is_void,
                    stage: if dispatched.is_some() {
                        "Dispatched"
                    } else {
                        "New"
                    }
                    .to_owned(),
                    lines,
                });
            }
        }
    }

    for product in &account.products {
        for option in &product.options {
            let sizes: Vec<Option<String>> = if product.sizes.is_empty() {
                vec![None]
            } else {
                product.sizes.iter().cloned().map(Some).collect()
            };
            for size in sizes {
                for branch in account.branches.iter().filter(|b| b.is_active) {
                    account.stock.push(StockRecord {
                        product_option_id: option.id,
                        size: size.clone(),
                        branch_id: branch.id,
                        on_hand: Decimal::from(rng.random_range(0..40)),
                        modified: end,
                    });
                }
            }
        }
    }
    account
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_same_seed_gives_the_same_account() {
        let end = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let a = generate(Preset::Small, 7, end);
        let b = generate(Preset::Small, 7, end);
        let c = generate(Preset::Small, 8, end);
        assert_eq!(
            format!("{:?}", a.sales_orders),
            format!("{:?}", b.sales_orders)
        );
        assert_ne!(
            format!("{:?}", a.sales_orders),
            format!("{:?}", c.sales_orders)
        );
        assert!(
            a.sales_orders.len() > 100,
            "{} orders",
            a.sales_orders.len()
        );
        assert!(
            a.sales_orders
                .iter()
                .all(|o| o.created <= end && o.modified >= o.created)
        );
    }
}
