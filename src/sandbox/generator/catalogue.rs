//! What each preset's account holds before any document: its branches, its catalogue (a
//! hand-written one with awkward names and codes for the demo, a generated one for `large`)
//! and how busy it is.

use super::Preset;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// One product of a catalogue: one option per colour, and one row per size where it has sizes.
pub(super) struct Style {
    pub(super) name: String,
    pub(super) code: String,
    pub(super) category: &'static str,
    pub(super) colours: Vec<&'static str>,
    pub(super) sizes: Vec<&'static str>,
    pub(super) price: f64,
}

fn style(
    name: &str,
    code: &str,
    category: &'static str,
    colours: &[&'static str],
    sizes: &[&'static str],
    price: f64,
) -> Style {
    Style {
        name: name.to_owned(),
        code: code.to_owned(),
        category,
        colours: colours.to_vec(),
        sizes: sizes.to_vec(),
        price,
    }
}

/// A hand-written catalogue: names with unicode, commas and quotes, codes with `#`, `%`, `+`.
fn demo_catalogue() -> Vec<Style> {
    vec![
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
    ]
}

const COLOURS: &[&str] = &[
    "Black", "White", "Navy", "Olive", "Sand", "Rust", "Grey", "Teal",
];
const SIZES: &[&str] = &["XS", "S", "M", "L", "XL"];
const CATEGORIES: &[&str] = &[
    "Kitchen",
    "Home",
    "Apparel",
    "Garden",
    "Stationery",
    "Outdoor",
];

/// A generated catalogue of `products` styles, one in five with a size grid.
fn large_catalogue(products: usize, rng: &mut ChaCha8Rng) -> Vec<Style> {
    (0..products)
        .map(|i| {
            let sized = i % 5 == 4;
            let colours = rng.random_range(1..=if sized { 2 } else { 3 });
            let first = rng.random_range(0..COLOURS.len());
            let colours: Vec<&str> = (0..colours)
                .map(|c| COLOURS[(first + c) % COLOURS.len()])
                .collect();
            let category = CATEGORIES[rng.random_range(0..CATEGORIES.len())];
            let name = format!("{category} item {i}");
            let code = format!("L{i:05}");
            let price = f64::from(rng.random_range(5..300)) - 0.05;
            style(
                &name,
                &code,
                category,
                &colours,
                if sized { SIZES } else { &[] },
                price,
            )
        })
        .collect()
}

pub(super) struct Shape {
    pub(super) days: i64,
    pub(super) branches: Vec<(String, &'static str, bool)>,
    pub(super) catalogue: Vec<Style>,
    /// Most sales orders a branch takes in a day (the daily count is uniform up to this).
    pub(super) orders_per_branch_day: u32,
    pub(super) opening_stock: u32,
}

pub(super) fn shape(preset: Preset, rng: &mut ChaCha8Rng) -> Shape {
    let named = |list: &[(&str, &'static str, bool)]| {
        list.iter()
            .map(|(n, t, a)| ((*n).to_owned(), *t, *a))
            .collect()
    };
    match preset {
        Preset::Demo => Shape {
            days: 540,
            branches: named(&[
                ("Head Office", "Head Office", true),
                ("Ponsonby Store", "Retail Branch", true),
                ("Wellington Store", "Retail Branch", true),
                ("Christchurch Pop-up", "Retail Branch", false),
            ]),
            catalogue: demo_catalogue(),
            orders_per_branch_day: 3,
            opening_stock: 40,
        },
        Preset::Small => Shape {
            days: 60,
            branches: named(&[
                ("Warehouse", "Warehouse", true),
                ("Shop", "Retail Branch", true),
            ]),
            catalogue: demo_catalogue().into_iter().take(3).collect(),
            orders_per_branch_day: 2,
            opening_stock: 20,
        },
        Preset::Large => Shape {
            days: 3 * 365,
            branches: (1..=10)
                .map(|i| {
                    (
                        format!("Store {i:02}"),
                        if i == 1 { "Warehouse" } else { "Retail Branch" },
                        i != 10,
                    )
                })
                .collect(),
            catalogue: large_catalogue(6_000, rng),
            orders_per_branch_day: 38,
            opening_stock: 30,
        },
    }
}
