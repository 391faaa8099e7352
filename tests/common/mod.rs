//! A small fixed Cin7 account whose numbers are worked out by hand in the tests, and helpers
//! to serve it from a sandbox on loopback.
#![allow(dead_code)] // each test binary uses its own part of this module

use chrono::{DateTime, TimeZone, Utc};
use cin7_planner::cin7::{ApiKey, RetryPolicy};
use cin7_planner::import::ImportRequest;
use cin7_planner::project::{ConnectionInfo, ImportSettings, Project};
use cin7_planner::rate_limit::RateLimits;
use cin7_planner::sandbox::account::*;
use cin7_planner::sandbox::{Sandbox, SandboxConfig};
use rust_decimal::Decimal;

pub(crate) const USERNAME: &str = "planner";
pub(crate) const KEY: &str = "fixture-key";

/// A request for the fixture's user at `base_url`: unpaced, no retries, nothing kept.
pub(crate) fn request(base_url: &str, settings: ImportSettings) -> ImportRequest {
    ImportRequest {
        retry: RetryPolicy::never(),
        ..ImportRequest::new(
            ConnectionInfo {
                base_url: base_url.to_owned(),
                username: USERNAME.into(),
            },
            ApiKey::new(KEY),
            settings,
            RateLimits::unlimited(),
        )
    }
}

/// The calls a newest-first import of the fixture (from 2024-01-01) makes today: the 22 its
/// records need at the least (each walk's pages and the empty page that ends it, the older
/// open documents' walks included); one more for each window of sales orders but the oldest,
/// which holds all of them, while each newer one is a single empty page; and twelve to read
/// again what changed since the run started: suppliers and branches in full (a page and the
/// empty page each), and the five kinds of document, products, kits and stock (an empty page
/// each).
pub(crate) fn fixture_import_calls() -> usize {
    // The earliest start of a history from 2024-01-01: a week before, a day earlier still.
    let start = utc(2023, 12, 25, 0, 0);
    22 + (windows_back_to(start, Utc::now()) - 1) + 12
}

/// How many windows of `modifiedDate` an import as of `now` reads the sales orders in, back
/// to `start` (docs/import-rules.md, "Newest first"): 14, 42, 91, 182 and 365 days, then 365
/// until the start, a remainder shorter than half the window before it joining that window.
pub(crate) fn windows_back_to(start: DateTime<Utc>, now: DateTime<Utc>) -> usize {
    let mut upper = now;
    let mut windows = 0;
    for days in [14, 42, 91, 182].into_iter().chain(std::iter::repeat(365)) {
        windows += 1;
        let lower = upper - chrono::Duration::days(days);
        if lower <= start || (lower - start) < chrono::Duration::days(days) / 2 {
            return windows;
        }
        upper = lower;
    }
    unreachable!("the windows reach the start")
}

pub(crate) fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

pub(crate) fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

pub(crate) fn line(id: i64, option: i64, qty: &str, price: &str, discount: &str) -> LineRecord {
    LineRecord {
        id,
        parent_id: 0,
        product_option_id: option,
        qty: dec(qty),
        unit_price: dec(price),
        unit_cost: Some(dec("4")),
        discount: dec(discount),
        qty_shipped: dec(qty),
        sizes: Vec::new(),
        hidden_size: None,
    }
}

pub(crate) fn order(
    id: i64,
    branch: i64,
    created: DateTime<Utc>,
    invoiced: Option<DateTime<Utc>>,
    lines: Vec<LineRecord>,
) -> SalesOrderRecord {
    SalesOrderRecord {
        id,
        reference: format!("SO-{id}"),
        source: "POS".into(),
        branch_id: branch,
        created,
        modified: invoiced.unwrap_or(created).max(created),
        invoiced,
        dispatched: invoiced,
        estimated_delivery: None,
        is_approved: true,
        is_void: false,
        stage: "Dispatched".into(),
        lines,
    }
}

/// The fixture, in Pacific/Auckland terms (UTC+13 in January and February 2024):
///
/// | order | branch | sale date (NZ) | lines | counts as |
/// |---|---|---|---|---|
/// | 1 | Warehouse | Tue 2 Jan 14:00 (dispatched Mon 5 Feb) | MUG-BLU 2 × 10 | 2 units, 20.00 |
/// | 2 | Warehouse | Mon 8 Jan 00:30 (Sun 7 Jan 11:30 UTC) | MUG-RED 1 × 15 − 1 | 1 unit, 14.00 |
/// | 3 | Shop, Main St | Mon 15 Jan 16:00, never invoiced | MUG-BLU 3 × 10; unknown option; kit component | 3 units, 30.00 |
/// | 4 | Shop, Main St | void | MUG-BLU 5 × 10 | nothing |
/// | 5 | Shop, Main St | draft | MUG-BLU 7 × 10 | nothing |
/// | 6 | Shop, Main St | Thu 1 Feb 13:00 (ordered Tue 30 Jan) | TEE-RED 3 × 20 − 6, sizes S 1, M 2 | S 1 / 18.00, M 2 / 36.00 |
/// | 7 | Warehouse | 20 Dec 2023 (modified in January) | MUG-BLU 4 × 10 | outside the periods |
/// | 8 | branch 3 (not listed) | 3 Jan | MUG-BLU 1 × 10 | unknown branch |
///
/// and three credit notes at Shop, Main St: 101 on Sat 20 Jan returns MUG-BLU 1 × 10
/// (−1, −10.00); 102 is void; 103 on Sat 3 Feb returns TEE-RED size M 1 × 20 − 2 (−1, −18.00).
///
/// Stock now: MUG-BLU 10 at the warehouse and 4 at the shop, MUG-RED 3 at the warehouse (none
/// at the shop). Its movements, besides the orders' shipped lines and the returns: purchase
/// 201 receives MUG-RED 6 at the warehouse on Fri 2 Feb; transfer 301 takes MUG-BLU 2 from the
/// warehouse on Thu 25 Jan and brings it to the shop on Tue 6 Feb; adjustment 401 writes off
/// MUG-BLU 1 at the shop on Wed 7 Feb; adjustment 402 (+5) is not approved. Every line of the
/// orders shipped in full, the kit component MUG-RED 5 of order 3 included.
pub(crate) fn fixture_account() -> Account {
    let start = utc(2023, 1, 1, 0, 0);
    let branch = |id, name: &str| BranchRecord {
        id,
        name: name.into(),
        branch_type: "Retail Branch".into(),
        is_active: true,
        modified: start,
    };
    let option = |id, code: &str, colour: &str, price: &str| OptionRecord {
        id,
        code: code.into(),
        barcode: None,
        option1: Some(colour.into()),
        option2: None,
        status: "Active".into(),
        retail_price: dec(price),
        cost: dec("4"),
        supplier_code: None,
        weight: Decimal::ZERO,
    };
    let mut o3 = order(
        3,
        2,
        utc(2024, 1, 15, 3, 0),
        None,
        vec![
            line(31, 9001, "3", "10", "0"),
            line(32, 9999, "1", "5", "0"),
        ],
    );
    let mut kit = line(33, 9002, "5", "0", "0");
    kit.parent_id = 31;
    o3.lines.push(kit);
    let mut o4 = order(
        4,
        2,
        utc(2024, 1, 16, 1, 0),
        Some(utc(2024, 1, 16, 1, 0)),
        vec![line(41, 9001, "5", "10", "0")],
    );
    o4.is_void = true;
    let mut o5 = order(
        5,
        2,
        utc(2024, 1, 17, 1, 0),
        None,
        vec![line(51, 9001, "7", "10", "0")],
    );
    o5.is_approved = false;
    let mut tee = line(61, 9100, "3", "20", "6");
    tee.sizes = vec![("S".into(), dec("1")), ("M".into(), dec("2"))];
    let o6 = order(
        6,
        2,
        utc(2024, 1, 30, 1, 0),
        Some(utc(2024, 2, 1, 0, 0)),
        vec![tee],
    );
    let mut o7 = order(
        7,
        1,
        utc(2023, 12, 20, 1, 0),
        Some(utc(2023, 12, 20, 1, 0)),
        vec![line(71, 9001, "4", "10", "0")],
    );
    o7.modified = utc(2024, 1, 5, 0, 0);
    let o8 = order(
        8,
        3,
        utc(2024, 1, 3, 0, 0),
        Some(utc(2024, 1, 3, 0, 0)),
        vec![line(81, 9001, "1", "10", "0")],
    );
    let mut o1 = order(
        1,
        1,
        utc(2024, 1, 1, 22, 0),
        Some(utc(2024, 1, 2, 1, 0)),
        vec![line(11, 9001, "2", "10", "0")],
    );
    o1.dispatched = Some(utc(2024, 2, 5, 2, 0));
    o1.modified = utc(2024, 2, 5, 2, 0);
    let mut returned_tee = line(1031, 9100, "-1", "20", "2");
    returned_tee.sizes = vec![("M".into(), dec("-1"))];
    let credit_notes = vec![
        credit_note(
            101,
            2,
            utc(2024, 1, 20, 1, 0),
            false,
            vec![line(1011, 9001, "-1", "10", "0")],
        ),
        credit_note(
            102,
            2,
            utc(2024, 1, 21, 1, 0),
            true,
            vec![line(1021, 9001, "-4", "10", "0")],
        ),
        credit_note(103, 2, utc(2024, 2, 3, 0, 0), false, vec![returned_tee]),
    ];
    let stock = |option, branch, on_hand: &str| StockRecord {
        product_option_id: option,
        size: None,
        branch_id: branch,
        on_hand: dec(on_hand),
        modified: utc(2024, 2, 7, 0, 0),
    };
    let mut received = line(2011, 9002, "6", "4", "0");
    received.qty_shipped = dec("6");
    received.unit_cost = None;
    let purchase = PurchaseOrderRecord {
        id: 201,
        reference: "PO-201".into(),
        branch_id: 1,
        supplier_id: 0,
        currency_code: "NZD".into(),
        created: utc(2024, 1, 25, 0, 0),
        modified: utc(2024, 2, 2, 0, 0),
        estimated_delivery: None,
        estimated_arrival: None,
        fully_received: Some(utc(2024, 2, 2, 0, 0)),
        is_approved: true,
        is_void: false,
        stage: "Received".into(),
        lines: vec![received],
    };
    let transfer = TransferRecord {
        id: 301,
        reference: "TR-301".into(),
        source_branch_id: 1,
        destination_branch_id: 2,
        created: utc(2024, 1, 24, 0, 0),
        modified: utc(2024, 2, 6, 0, 0),
        dispatched: Some(utc(2024, 1, 25, 0, 0)),
        received: Some(utc(2024, 2, 6, 0, 0)),
        is_approved: true,
        lines: vec![line(3011, 9001, "2", "0", "0")],
    };
    let adjustment = |id, branch, qty: &str, approved| AdjustmentRecord {
        id,
        reference: format!("ADJ-{id}"),
        branch_id: branch,
        created: utc(2024, 2, 7, 0, 0),
        modified: utc(2024, 2, 7, 0, 0),
        completed: Some(utc(2024, 2, 7, 0, 0)),
        is_approved: approved,
        reason: "Stocktake".into(),
        lines: vec![line(id * 10, 9001, qty, "4", "0")],
    };
    let supplier = ContactRecord {
        id: 200,
        company: "Kōwhai Ceramics, Ltd".into(),
        contact_type: "Supplier".into(),
        modified: start,
    };
    let customer = ContactRecord {
        id: 300,
        company: "A customer".into(),
        contact_type: "Customer".into(),
        modified: start,
    };
    Account {
        contacts: vec![supplier, customer],
        stock: vec![
            stock(9001, 1, "10"),
            stock(9001, 2, "4"),
            stock(9002, 1, "3"),
        ],
        purchase_orders: vec![purchase],
        transfers: vec![transfer],
        adjustments: vec![
            adjustment(401, 2, "-1", true),
            adjustment(402, 1, "5", false),
        ],
        credit_notes,
        branches: vec![branch(1, "Warehouse"), branch(2, "Shop, Main St")],
        products: vec![
            ProductRecord {
                id: 500,
                name: "Mug".into(),
                style_code: "MUG".into(),
                category: Some("Kitchen".into()),
                sub_category: Some("Mugs".into()),
                brand: None,
                status: "Public".into(),
                supplier_id: 200,
                weight: dec("0.35"),
                volume: dec("0.0008"),
                sizes: Vec::new(),
                size_range_id: 0,
                options: vec![
                    OptionRecord {
                        supplier_code: Some("KC-MUG-B".into()),
                        ..option(9001, "MUG-BLU", "Blue", "10")
                    },
                    option(9002, "MUG-RED", "Red", "15"),
                ],
                modified: start,
            },
            ProductRecord {
                id: 600,
                name: "Tee".into(),
                style_code: "TEE".into(),
                category: Some("Apparel".into()),
                sub_category: None,
                brand: None,
                status: "Public".into(),
                supplier_id: 0,
                weight: Decimal::ZERO,
                volume: Decimal::ZERO,
                sizes: vec!["S".into(), "M".into()],
                size_range_id: 7,
                options: vec![OptionRecord {
                    weight: dec("0.2"),
                    ..option(9100, "TEE-RED", "Red", "20")
                }],
                modified: start,
            },
        ],
        sales_orders: vec![
            o1,
            order(
                2,
                1,
                utc(2024, 1, 7, 11, 30),
                Some(utc(2024, 1, 7, 11, 30)),
                vec![line(21, 9002, "1", "15", "1")],
            ),
            o3,
            o4,
            o5,
            o6,
            o7,
            o8,
        ],
        ..Account::default()
    }
}

pub(crate) fn credit_note(
    id: i64,
    branch: i64,
    at: DateTime<Utc>,
    is_void: bool,
    lines: Vec<LineRecord>,
) -> CreditNoteRecord {
    CreditNoteRecord {
        id,
        reference: format!("CN-{id}"),
        sales_reference: String::new(),
        source: "POS".into(),
        branch_id: branch,
        created: at,
        modified: at,
        credit_note_date: Some(at),
        completed: None,
        is_void,
        lines,
    }
}

/// A sandbox serving `account` with no rate limit (the tests of pacing set their own).
pub(crate) fn serve(account: Account) -> Sandbox {
    let mut config = SandboxConfig::new(account, USERNAME, KEY);
    config.rate_limits = RateLimits::unlimited();
    Sandbox::start(config).unwrap()
}

/// Stock movements per docs/import-rules.md, replayed from the documents as the API shows them
/// (plus each adjustment line's size, which only the sandbox knows): `(key, when, quantity)`.
pub(crate) fn movements(a: &Account) -> Vec<(StockKey, DateTime<Utc>, Decimal)> {
    let mut out = Vec::new();
    let mut add =
        |line: &LineRecord, branch: i64, at: DateTime<Utc>, total: Decimal, sign: Decimal| {
            if line.product_option_id == 0 {
                return;
            }
            if line.sizes.is_empty() {
                out.push((
                    (line.product_option_id, line.hidden_size.clone(), branch),
                    at,
                    sign * total,
                ));
            } else {
                for (size, qty) in &line.sizes {
                    out.push((
                        (line.product_option_id, Some(size.clone()), branch),
                        at,
                        sign * qty.abs(),
                    ));
                }
            }
        };
    for o in a
        .sales_orders
        .iter()
        .filter(|o| o.is_approved && !o.is_void)
    {
        let at = o.dispatched.or(o.invoiced).unwrap_or(o.modified);
        for l in o.lines.iter().filter(|l| l.qty_shipped > Decimal::ZERO) {
            add(l, o.branch_id, at, l.qty_shipped, -Decimal::ONE);
        }
    }
    for c in a.credit_notes.iter().filter(|c| !c.is_void) {
        let at = c.completed.or(c.credit_note_date).unwrap_or(c.created);
        for l in &c.lines {
            add(l, c.branch_id, at, l.qty.abs(), Decimal::ONE);
        }
    }
    for p in a
        .purchase_orders
        .iter()
        .filter(|p| p.is_approved && !p.is_void)
    {
        let at = p.fully_received.unwrap_or(p.modified);
        for l in p.lines.iter().filter(|l| l.qty_shipped > Decimal::ZERO) {
            add(l, p.branch_id, at, l.qty_shipped, Decimal::ONE);
        }
    }
    for t in &a.transfers {
        for l in &t.lines {
            if let Some(at) = t.dispatched {
                add(l, t.source_branch_id, at, l.qty, -Decimal::ONE);
            }
            if let Some(at) = t.received {
                add(l, t.destination_branch_id, at, l.qty, Decimal::ONE);
            }
        }
    }
    for adj in a.adjustments.iter().filter(|a| a.is_approved) {
        let at = adj.completed.unwrap_or(adj.created);
        for l in &adj.lines {
            add(l, adj.branch_id, at, l.qty, Decimal::ONE);
        }
    }
    out
}

/// Everything of two projects taken at the same moment with the same settings, cell by cell
/// and ledger row by ledger row, but how their runs went (calls, times, the clock measured).
pub(crate) fn assert_same_project(newest: &Project, single: &Project, case: &str) {
    assert_eq!(newest.items, single.items, "{case}");
    assert_eq!(newest.locations, single.locations, "{case}");
    assert_eq!(newest.periods, single.periods, "{case}");
    assert_eq!(newest.series, single.series, "{case}");
    assert_eq!(newest.measured_at, single.measured_at, "{case}");
    assert_eq!(newest.planning, single.planning, "{case}");
    assert_eq!(newest.report.warnings, single.report.warnings, "{case}");
    let ledger = |p: &Project| {
        let mut ledger = p.ledger.clone().unwrap();
        ledger.cin7_clock_ahead_secs = None;
        ledger
    };
    assert_eq!(ledger(newest), ledger(single), "{case}");
}
