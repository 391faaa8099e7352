//! The sandbox's contract over loopback: resources and their shapes, size grids, the list
//! contract and its errors, rate windows, permissions, faults, changes between calls, and the
//! coherence of every preset's stock.

#![allow(clippy::unwrap_used, clippy::too_many_lines)] // tests state expectations, at length

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use cin7_planner::cin7::Resource;
use cin7_planner::rate_limit::RateLimits;
use cin7_planner::sandbox::account::{Account, PurchaseOrderRecord, SalesOrderRecord, StockKey};
use cin7_planner::sandbox::wire::field_names;
use cin7_planner::sandbox::{Credential, Faults, Preset, Sandbox, SandboxConfig, generate};
use common::{KEY, USERNAME, movements};
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

fn end() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 30, 12, 0, 0).unwrap()
}

fn config(account: Account) -> SandboxConfig {
    let mut config = SandboxConfig::new(account, USERNAME, KEY);
    config.rate_limits = RateLimits::unlimited();
    config
}

fn demo() -> Sandbox {
    Sandbox::start(config(generate(Preset::Demo, 3, end()))).unwrap()
}

struct Api<'a> {
    sandbox: &'a Sandbox,
    http: reqwest::blocking::Client,
    key: String,
}

impl<'a> Api<'a> {
    fn new(sandbox: &'a Sandbox) -> Self {
        Self {
            sandbox,
            http: reqwest::blocking::Client::new(),
            key: KEY.to_owned(),
        }
    }

    fn get_raw(&self, path_and_query: &str) -> Result<(u16, String), reqwest::Error> {
        let response = self
            .http
            .get(format!("{}/{path_and_query}", self.sandbox.base_url()))
            .basic_auth(USERNAME, Some(&self.key))
            .send()?;
        let status = response.status().as_u16();
        Ok((status, response.text()?))
    }

    fn get(&self, path_and_query: &str) -> (u16, String) {
        self.get_raw(path_and_query).unwrap()
    }

    fn json(&self, path_and_query: &str) -> Value {
        let (status, body) = self.get(path_and_query);
        assert_eq!(status, 200, "{path_and_query}: {body}");
        serde_json::from_str(&body).unwrap()
    }

    /// Every record of a walk, page by page until an empty page.
    fn walk(&self, resource: &str, query: &str) -> Vec<Value> {
        let mut all = Vec::new();
        for page in 1.. {
            let records = self.json(&format!("v1/{resource}?rows=250&page={page}&{query}"));
            let records = records.as_array().unwrap();
            if records.is_empty() {
                return all;
            }
            all.extend(records.iter().cloned());
        }
        unreachable!()
    }
}

fn ids(records: &[Value]) -> Vec<i64> {
    records.iter().map(|r| r["id"].as_i64().unwrap()).collect()
}

#[test]
fn every_resource_answers_with_cin7_fields_in_camel_case() {
    let sandbox = demo();
    let api = Api::new(&sandbox);
    for resource in Resource::ALL {
        let records = api.json(&format!("v1/{}?rows=3", resource.path()));
        let records = records.as_array().unwrap();
        assert!(!records.is_empty(), "{resource} is empty");
        let keys: Vec<&str> = records[0]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, field_names(resource), "{resource}");
        assert!(
            keys.iter()
                .all(|k| k.starts_with(|c: char| c.is_ascii_lowercase())),
            "{resource}: {keys:?}"
        );
    }
    // Paths match in any letter case; enums and dates have Cin7's shapes.
    let upper = format!(
        "{}/API/V1/salesorders?rows=1&order=id%20ASC",
        sandbox.base_url().trim_end_matches("/api")
    );
    let body = api
        .http
        .get(upper)
        .basic_auth(USERNAME, Some(KEY))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let order = &serde_json::from_str::<Value>(&body).unwrap()[0];
    assert!(["Approved", "Void", "Draft"].contains(&order["status"].as_str().unwrap()));
    let created = order["createdDate"].as_str().unwrap();
    assert!(created.len() == 20 && created.ends_with('Z'), "{created}");
    assert_eq!(order["memberEmail"], Value::Null);
}

#[test]
fn get_by_id_and_not_found() {
    let sandbox = demo();
    let api = Api::new(&sandbox);
    let product = api.json("v1/Products/508");
    assert_eq!(product["name"], "V-Neck Tee");
    let option_id = product["productOptions"][0]["id"].as_i64().unwrap();
    // Size rows share the option id, so the product option answers with an array.
    let rows = api.json(&format!("v1/ProductOptions/{option_id}"));
    let sizes: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["size"].as_str().unwrap())
        .collect();
    assert_eq!(sizes, vec!["S", "M", "L", "XL"]);
    assert_eq!(
        api.get("v1/SalesOrders/1"),
        (404, "\"Resource not found\"".into())
    );
    assert_eq!(
        api.get("v1/Stock/1"),
        (404, "\"Resource not found\"".into())
    );
    assert_eq!(
        api.get("v1/Widgets"),
        (404, "\"Resource not found\"".into())
    );
    let branch = api.json("v1/Branches/2");
    assert_eq!(branch["company"], "Ponsonby Store");
}

#[test]
fn size_grids_have_cin7s_shapes() {
    let sandbox = demo();
    let api = Api::new(&sandbox);
    let tee = api.json("v1/Products/508");
    assert_eq!(tee["sizeRangeId"], 1);
    let rows = tee["productOptions"].as_array().unwrap();
    assert_eq!(rows.len(), 8, "two colours × four sizes");
    assert!(rows.iter().all(|r| {
        r["code"].is_null()
            && r["productOptionCode"]
                .as_str()
                .unwrap()
                .starts_with("TEE-V-")
    }));
    assert_eq!(
        rows[1]["productOptionSizeCode"],
        format!("{}-M", rows[1]["productOptionCode"].as_str().unwrap())
    );
    let red = rows[0]["id"].as_i64().unwrap();
    let ranges = api.json("v1/SizeRanges");
    assert_eq!(ranges[0]["sizes"], serde_json::json!(["S", "M", "L", "XL"]));

    let stock = api.walk("Stock", &format!("where=productOptionId={red}"));
    assert!(
        stock
            .iter()
            .all(|r| ["S", "M", "L", "XL"].contains(&r["size"].as_str().unwrap()))
    );
    assert_eq!(stock.len(), 4 * 4, "four sizes at four branches");

    let orders = api.walk("SalesOrders", "order=id ASC");
    let sized: Vec<&Value> = orders
        .iter()
        .flat_map(|o| o["lineItems"].as_array().unwrap())
        .filter(|l| l["sizes"].as_array().is_some_and(|s| !s.is_empty()))
        .collect();
    assert!(sized.len() > 50, "{} sized lines", sized.len());
    for line in sized {
        let sizes = line["sizes"].as_array().unwrap();
        let total: f64 = sizes.iter().map(|s| s["quantity"].as_f64().unwrap()).sum();
        assert_eq!(total, line["qty"].as_f64().unwrap());
        let packed: Vec<String> = sizes
            .iter()
            .map(|s| {
                format!(
                    "{}|{}|{}|",
                    s["quantity"],
                    s["name"].as_str().unwrap(),
                    s["code"].as_str().unwrap()
                )
            })
            .collect();
        assert_eq!(line["sizeCodes"].as_str().unwrap(), packed.join(";"));
    }
    for resource in ["CreditNotes", "PurchaseOrders"] {
        let lines: Vec<Value> = api
            .walk(resource, "")
            .iter()
            .flat_map(|d| d["lineItems"].as_array().unwrap().clone())
            .collect();
        assert!(
            lines
                .iter()
                .any(|l| !l["sizes"].as_array().unwrap().is_empty()),
            "{resource} has sized lines"
        );
    }
    let adjustment_lines: Vec<Value> = api
        .walk("Adjustments", "")
        .iter()
        .flat_map(|d| d["lineItems"].as_array().unwrap().clone())
        .collect();
    assert!(!adjustment_lines.is_empty());
    assert!(
        adjustment_lines
            .iter()
            .all(|l| l.get("sizes").is_none() && l.get("sizeCodes").is_none())
    );
}

/// A decimal field as the sandbox renders it: a JSON number, compared exactly.
fn decimal(value: &Value) -> Decimal {
    value.to_string().parse().unwrap()
}

#[test]
fn item_information_and_line_costs_are_sent_as_the_account_holds_them() {
    let sandbox = demo();
    let api = Api::new(&sandbox);
    let account = sandbox.account();
    let products = api.walk("Products", "order=id ASC");
    assert_eq!(products.len(), account.products.len());
    for (sent, held) in products.iter().zip(&account.products) {
        assert_eq!(sent["subCategory"].as_str(), held.sub_category.as_deref());
        assert_eq!(decimal(&sent["weight"]), held.weight);
        assert_eq!(decimal(&sent["volume"]), held.volume);
        for row in sent["productOptions"].as_array().unwrap() {
            let option = held
                .options
                .iter()
                .find(|o| Some(o.id) == row["id"].as_i64())
                .unwrap();
            assert_eq!(
                row["supplierCode"].as_str(),
                option.supplier_code.as_deref()
            );
            assert_eq!(decimal(&row["optionWeight"]), option.weight);
        }
    }
    // The generator varies what planners look up: some products without a sub-category or a
    // weight, some options without a supplier's code, some with a weight of their own.
    let held = &account.products;
    assert!(held.iter().any(|p| p.sub_category.is_none()));
    assert!(held.iter().any(|p| p.weight.is_zero()));
    let options: Vec<_> = held.iter().flat_map(|p| &p.options).collect();
    assert!(options.iter().any(|o| o.supplier_code.is_none()));
    assert!(options.iter().any(|o| !o.weight.is_zero()));

    // A sales line's cost is the one Cin7 recorded on it, or null where it recorded none.
    let orders = api.walk("SalesOrders", "order=id ASC");
    let lines: Vec<(&Value, Option<Decimal>)> = orders
        .iter()
        .zip(&account.sales_orders)
        .flat_map(|(sent, held)| {
            sent["lineItems"]
                .as_array()
                .unwrap()
                .iter()
                .zip(held.lines.iter().map(|l| l.unit_cost))
        })
        .collect();
    for (sent, cost) in &lines {
        assert_eq!(
            sent["unitCost"]
                .as_f64()
                .map(|_| decimal(&sent["unitCost"])),
            *cost
        );
    }
    let uncosted = lines.iter().filter(|(_, cost)| cost.is_none()).count();
    assert!(
        uncosted > 10 && uncosted < lines.len() / 10,
        "{uncosted} of {} lines without a cost",
        lines.len()
    );
    // Purchase lines carry none, as in Cin7.
    let purchases = api.walk("PurchaseOrders", "order=id ASC");
    assert!(!purchases.is_empty());
    assert!(purchases.iter().all(|po| {
        po["lineItems"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["unitCost"].is_null())
    }));
}

/// A date field as the sandbox renders it, or `None` for null.
fn instant(value: &Value) -> Option<DateTime<Utc>> {
    value.as_str().map(|text| text.parse().unwrap())
}

#[test]
fn promised_dates_currencies_and_channels_are_sent_as_the_account_holds_them() {
    let sandbox = demo();
    let api = Api::new(&sandbox);
    let account = sandbox.account();
    let orders = api.walk("SalesOrders", "order=id ASC");
    for (sent, held) in orders.iter().zip(&account.sales_orders) {
        assert_eq!(
            instant(&sent["estimatedDeliveryDate"]),
            held.estimated_delivery
        );
    }
    let open = |o: &&SalesOrderRecord| o.is_approved && !o.is_void && o.dispatched.is_none();
    let open_orders: Vec<_> = account.sales_orders.iter().filter(open).collect();
    assert!(open_orders.iter().any(|o| o.estimated_delivery.is_some()));
    assert!(open_orders.iter().any(|o| o.estimated_delivery.is_none()));

    let suppliers: BTreeMap<i64, &str> = account
        .contacts
        .iter()
        .map(|c| (c.id, c.company.as_str()))
        .collect();
    let purchases = api.walk("PurchaseOrders", "order=id ASC");
    for (sent, held) in purchases.iter().zip(&account.purchase_orders) {
        assert_eq!(sent["memberId"], held.supplier_id);
        assert_eq!(
            sent["company"].as_str(),
            suppliers.get(&held.supplier_id).copied()
        );
        assert_eq!(sent["currencyCode"], held.currency_code.as_str());
        assert_eq!(
            instant(&sent["estimatedDeliveryDate"]),
            held.estimated_delivery
        );
        assert_eq!(
            instant(&sent["estimatedArrivalDate"]),
            held.estimated_arrival
        );
    }
    let held = &account.purchase_orders;
    assert!(held.iter().any(|p| p.currency_code == "USD"));
    assert!(held.iter().any(|p| p.estimated_delivery.is_some()));
    assert!(held.iter().any(|p| p.estimated_arrival.is_some()));
    assert!(
        held.iter()
            .any(|p| p.estimated_delivery.is_none() && p.estimated_arrival.is_none())
    );

    // A credit note carries the channel of the order it credits.
    let channels: BTreeMap<&str, &str> = account
        .sales_orders
        .iter()
        .map(|o| (o.reference.as_str(), o.source.as_str()))
        .collect();
    let credits = api.walk("CreditNotes", "order=id ASC");
    assert!(!credits.is_empty());
    for (sent, held) in credits.iter().zip(&account.credit_notes) {
        assert_eq!(sent["source"], held.source.as_str());
        assert_eq!(channels[held.sales_reference.as_str()], held.source);
    }
}

#[test]
fn bills_of_materials_match_the_kits_sold() {
    let sandbox = demo();
    let api = Api::new(&sandbox);
    let account = sandbox.account();
    let boms = api.walk("BomMasters", "order=id ASC");
    assert_eq!(boms.len(), account.boms.len());
    assert!(boms.len() >= 3, "{} bills", boms.len());
    // Each bill as Cin7 sends it: the kit as `product`, its components inside.
    let mut bills: BTreeMap<i64, Vec<(i64, Decimal)>> = BTreeMap::new();
    for (sent, held) in boms.iter().zip(&account.boms) {
        let kit = &sent["product"];
        assert_eq!(kit["productOptionId"], held.option_id);
        assert_eq!(kit["type"], "Make");
        assert_eq!(decimal(&kit["qty"]), Decimal::ONE);
        let components: Vec<(i64, Decimal)> = kit["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["productOptionId"].as_i64().unwrap(), decimal(&c["qty"])))
            .collect();
        assert_eq!(components.len(), held.components.len());
        bills.insert(held.option_id, components);
    }
    // Every sale of a kit with a bill is made of it, per kit sold.
    let mut sales_checked = 0;
    for order in &account.sales_orders {
        for kit in order.lines.iter().filter(|l| l.sizes.is_empty()) {
            let parts: Vec<(i64, Decimal)> = order
                .lines
                .iter()
                .filter(|l| l.parent_id == kit.id)
                .map(|l| (l.product_option_id, l.qty / kit.qty))
                .collect();
            if let Some(bill) = bills.get(&kit.product_option_id)
                && !parts.is_empty()
            {
                assert_eq!(&parts, bill, "order {}", order.id);
                sales_checked += 1;
            }
        }
    }
    assert!(sales_checked > boms.len(), "{sales_checked} kit sales");
}

#[test]
fn orders_open_since_before_any_history_are_found_by_what_is_still_open() {
    let sandbox = demo();
    let api = Api::new(&sandbox);
    let account = sandbox.account();
    // A month before the history's first adjustment or transfer: every document of the
    // history is later, the orders left open long ago (two months and more) earlier.
    let start = account
        .adjustments
        .iter()
        .map(|a| a.created)
        .chain(account.transfers.iter().map(|t| t.created))
        .min()
        .unwrap()
        - Duration::days(30);
    let since = start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let older = |resource: &str, still_open: &str| {
        let filter = format!("{still_open} AND modifiedDate<'{since}'");
        api.walk(resource, &format!("where={}", urlencode(&filter)))
    };
    let waiting = older("PurchaseOrders", "fullyReceivedDate IS NULL");
    assert_eq!(
        waiting.len(),
        3,
        "three purchase orders placed long ago, never received"
    );
    assert!(waiting.iter().all(|p| p["status"] == "Approved"));
    assert!(
        waiting
            .iter()
            .any(|p| instant(&p["estimatedDeliveryDate"]).is_some_and(|at| at < start)),
        "one is overdue on its promised date"
    );
    let back_orders = older("SalesOrders", "dispatchedDate IS NULL");
    assert_eq!(back_orders.len(), 2);
    assert!(back_orders.iter().all(|o| o["stage"] == "Backorder"));
    // The history is as without them: they moved no stock.
    assert!(
        movements(&account).iter().all(|(_, at, _)| *at >= start),
        "no movement before the history"
    );
}

#[test]
fn paging_is_stable_and_complete_under_an_order() {
    let sandbox = demo();
    let api = Api::new(&sandbox);
    let total = sandbox.account().sales_orders.len();
    let by_modified = api.walk(
        "SalesOrders",
        "order=modifiedDate ASC,id ASC&fields=id,modifiedDate",
    );
    assert_eq!(by_modified.len(), total);
    let unique: HashSet<i64> = ids(&by_modified).into_iter().collect();
    assert_eq!(unique.len(), total);
    let dates: Vec<&str> = by_modified
        .iter()
        .map(|o| o["modifiedDate"].as_str().unwrap())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]));
    let by_id_desc = api.walk("SalesOrders", "order=id&fields=id");
    let mut expected = ids(&by_id_desc);
    expected.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(
        ids(&by_id_desc),
        expected,
        "order without a direction is descending"
    );
    // Default page size 50; past the end, an empty array.
    assert_eq!(api.json("v1/SalesOrders").as_array().unwrap().len(), 50);
    assert_eq!(
        api.get("v1/SalesOrders?page=1000&rows=250"),
        (200, "[]".into())
    );
}

#[test]
fn where_operators_select_what_they_say() {
    let sandbox = demo();
    let api = Api::new(&sandbox);
    let account = sandbox.account();
    let count = |query: &str| {
        api.walk(
            "SalesOrders",
            &format!("fields=id&where={}", urlencode(query)),
        )
        .len()
    };
    let since = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    let expect = |f: &dyn Fn(&SalesOrderRecord) -> bool| {
        account.sales_orders.iter().filter(|o| f(o)).count()
    };
    assert_eq!(
        count("modifiedDate>='2026-03-01T00:00:00Z'"),
        expect(&|o| o.modified >= since)
    );
    assert_eq!(
        count("modifiedDate>=2026-03-01T00:00:00Z"),
        expect(&|o| o.modified >= since)
    );
    assert_eq!(count("isVoid=true"), expect(&|o| o.is_void));
    assert_eq!(count("status='void'"), expect(&|o| o.is_void));
    assert_eq!(
        count("invoiceDate IS NULL"),
        expect(&|o| o.invoiced.is_none())
    );
    assert_eq!(
        count("invoiceDate IS NOT NULL AND branchId<>1"),
        expect(&|o| o.invoiced.is_some() && o.branch_id != 1)
    );
    assert_eq!(
        count("branchId IN (2, 3)"),
        expect(&|o| [2, 3].contains(&o.branch_id))
    );
    assert_eq!(
        count("(branchId=1 OR branchId=4) AND isApproved=false"),
        expect(&|o| [1, 4].contains(&o.branch_id) && !o.is_approved)
    );
    assert_eq!(
        count("reference LIKE '#%'"),
        expect(&|o| o.reference.starts_with('#'))
    );
    assert_eq!(
        count("reference NOT LIKE '#%'"),
        expect(&|o| !o.reference.starts_with('#'))
    );
    assert!(count("reference LIKE '#%'") > 0 && count("isVoid=true") > 0);
    let products = api.walk(
        "Products",
        &format!("where={}", urlencode("name='Café \"Barista\" Apron, Long'")),
    );
    assert_eq!(ids(&products), vec![502]);
    let codes = api.walk(
        "ProductOptions",
        &format!(
            "where={}",
            urlencode("productOptionCode IN ('CUP+LID-MINT','TOWEL#2-STRIPE')")
        ),
    );
    assert_eq!(codes.len(), 2);
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[test]
fn bad_requests_are_400_with_a_message() {
    let sandbox = demo();
    let api = Api::new(&sandbox);
    let cases = [
        ("rows=251", "The rows argument cannot be greater than 250."),
        (
            "rows=0",
            "The rows argument must be greater than or equal to 1.",
        ),
        ("rows=lots", "The rows argument must be a whole number."),
        (
            "page=0",
            "The page number is out of range; the value must be greater than or equal to 1.",
        ),
        (
            "page=-3",
            "The page number is out of range; the value must be greater than or equal to 1.",
        ),
        (
            "where=colour%3D'red'",
            "The where argument is invalid: unknown field 'colour'.",
        ),
        (
            "where=id%3D",
            "The where argument is invalid: expected a value, found the end.",
        ),
        (
            "where=(id%3D1",
            "The where argument is invalid: a parenthesis is not closed.",
        ),
        (
            "order=colour",
            "The order argument is invalid: unknown field 'colour'.",
        ),
        (
            "order=id%20UP",
            "The order argument is invalid: unknown sort direction 'UP'.",
        ),
        (
            "fields=id,colour",
            "The fields argument is invalid: unknown field 'colour'.",
        ),
    ];
    for (query, message) in cases {
        assert_eq!(
            api.get(&format!("v1/SalesOrders?{query}")),
            (400, format!("\"{message}\"")),
            "{query}"
        );
    }
    let mut message_objects = config(generate(Preset::Small, 1, end()));
    message_objects.message_object_errors = true;
    let other = Sandbox::start(message_objects).unwrap();
    assert_eq!(
        Api::new(&other).get("v1/Stock?rows=300"),
        (
            400,
            r#"{"Message":"The rows argument cannot be greater than 250."}"#.into()
        )
    );
}

#[test]
fn credentials_permissions_and_rate_windows() {
    let mut config = config(generate(Preset::Small, 1, end()));
    config.rate_limits = "2/1s,5/10s".parse().unwrap();
    config.retry_after = true;
    config.credentials.push(Credential {
        username: "second".into(),
        key: "other-key".into(),
        denied: vec![Resource::Stock],
    });
    let sandbox = Sandbox::start(config).unwrap();
    let mut api = Api::new(&sandbox);
    let http = reqwest::blocking::Client::new();
    let anonymous = http
        .get(format!("{}/v1/Branches", sandbox.base_url()))
        .send()
        .unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
    assert_eq!(anonymous.text().unwrap(), "\"Unauthorized access\"");

    assert_eq!(api.get("v1/Branches").0, 200);
    assert_eq!(api.get("v1/Branches").0, 200);
    let limited = http
        .get(format!("{}/v1/Branches", sandbox.base_url()))
        .basic_auth(USERNAME, Some(KEY))
        .send()
        .unwrap();
    assert_eq!(limited.status().as_u16(), 429);
    assert_eq!(limited.headers()["retry-after"], "1");
    assert_eq!(
        limited.text().unwrap(),
        "\"Rate limit exceeded. Retry after some time.\""
    );

    // Each credential has windows of its own, and permissions of its own.
    let second = |path: &str| {
        let r = http
            .get(format!("{}/{path}", sandbox.base_url()))
            .basic_auth("second", Some("other-key"))
            .send()
            .unwrap();
        (r.status().as_u16(), r.text().unwrap())
    };
    assert_eq!(second("v1/Branches").0, 200);
    assert_eq!(second("v1/Stock"), (403, "\"Access is forbidden\"".into()));
    api.key = "wrong".into();
    assert_eq!(api.get("v1/Branches").0, 401);
}

fn with_faults(spec: &str) -> Sandbox {
    let mut c = config(generate(Preset::Small, 1, end()));
    c.faults = spec.parse::<Faults>().unwrap();
    Sandbox::start(c).unwrap()
}

fn statuses(sandbox: &Sandbox) -> Vec<u16> {
    sandbox.requests().iter().map(|r| r.status).collect()
}

const ORDERS: &str = "v1/SalesOrders?rows=250&order=id ASC";

#[test]
fn error_statuses_on_every_nth_call() {
    let sandbox = with_faults("500@2,503@3");
    let api = Api::new(&sandbox);
    let answers: Vec<(u16, String)> = (0..4).map(|_| api.get("v1/Users")).collect();
    assert_eq!(
        answers[1],
        (
            500,
            "\"An unexpected error occurred. Please try again later.\"".into()
        )
    );
    assert_eq!(
        answers[2],
        (
            503,
            "\"Service temporarily unavailable. Please try again later.\"".into()
        )
    );
    assert_eq!(statuses(&sandbox), vec![200, 500, 503, 500]);
}

#[test]
fn bodies_dropped_truncated_and_dripped() {
    let whole = Api::new(&with_faults("none")).get(ORDERS);
    assert_eq!(whole.0, 200);
    assert!(whole.1.len() > 10_000);

    let dropping = with_faults("drop@2");
    let api = Api::new(&dropping);
    assert_eq!(api.get(ORDERS), whole);
    assert!(
        api.get_raw(ORDERS).is_err(),
        "the second call is cut off mid-body"
    );
    assert_eq!(api.get(ORDERS), whole);

    let truncating = with_faults("truncate@1");
    let truncated = Api::new(&truncating).get(ORDERS);
    assert_eq!(truncated.0, 200);
    assert_eq!(truncated.1, whole.1[..whole.1.len() / 2]);
    assert!(serde_json::from_str::<Value>(&truncated.1).is_err());

    let dripping = with_faults("drip@1");
    let started = std::time::Instant::now();
    assert_eq!(
        Api::new(&dripping).get(ORDERS),
        whole,
        "a dripped body arrives whole"
    );
    let chunks = whole.1.len().div_ceil(512) as u32;
    assert!(started.elapsed() >= std::time::Duration::from_millis(20) * chunks);
    let log = dripping.requests();
    assert_eq!(
        (log[0].bytes, log[0].path.as_str(), log[0].query.as_str()),
        (
            whole.1.len(),
            "/api/v1/SalesOrders",
            "rows=250&order=id%20ASC"
        )
    );
}

#[test]
fn a_revoked_key_answers_401_from_the_nth_call() {
    let sandbox = with_faults("revoke@3");
    let api = Api::new(&sandbox);
    let answers: Vec<u16> = (0..5).map(|_| api.get("v1/Branches").0).collect();
    assert_eq!(answers, vec![200, 200, 401, 401, 401]);
}

#[test]
fn random_faults_repeat_with_the_seed() {
    let statuses = |seed: u64| {
        let mut c = config(generate(Preset::Small, 1, end()));
        c.faults = "503~0.3".parse().unwrap();
        c.seed = seed;
        let sandbox = Sandbox::start(c).unwrap();
        let api = Api::new(&sandbox);
        (0..30).map(|_| api.get("v1/Users").0).collect::<Vec<u16>>()
    };
    let first = statuses(9);
    assert_eq!(first, statuses(9));
    assert_ne!(first, statuses(10));
    let failures = first.iter().filter(|s| **s == 503).count();
    assert!((3..=18).contains(&failures), "{failures} of 30");
}

#[test]
fn changes_between_calls_move_modified_date() {
    let sandbox = demo();
    let api = Api::new(&sandbox);
    let account = sandbox.account();
    let open = account
        .sales_orders
        .iter()
        .find(|o| {
            o.is_approved
                && !o.is_void
                && o.dispatched.is_none()
                && o.lines.iter().all(|l| l.qty_shipped.is_zero())
        })
        .unwrap()
        .id;
    let to_void = account
        .sales_orders
        .iter()
        .rev()
        .find(|o| o.id != open && !o.is_void && o.lines.iter().all(|l| l.qty_shipped.is_zero()))
        .unwrap()
        .id;
    let at = end() + Duration::hours(1);
    let mut new_order = account.sales_orders[0].clone();
    new_order.id = 9_999_999;
    new_order.created = at;
    new_order.modified = at;
    new_order.invoiced = None;
    new_order.dispatched = None;
    new_order.stage = "New".into();
    for line in &mut new_order.lines {
        line.qty_shipped = Decimal::ZERO;
    }
    sandbox.update(|a| {
        assert!(a.dispatch_sales_order(open, at));
        assert!(a.void_sales_order(to_void, at));
        a.add_sales_order(new_order);
    });
    let changed = api.walk(
        "SalesOrders",
        &format!(
            "order=id ASC&where={}",
            urlencode("modifiedDate>='2026-06-30T13:00:00Z'")
        ),
    );
    let mut expected = vec![open, to_void, 9_999_999];
    expected.sort_unstable();
    assert_eq!(ids(&changed), expected);
    let dispatched = changed.iter().find(|o| o["id"] == open).unwrap();
    assert_eq!(dispatched["dispatchedDate"], "2026-06-30T13:00:00Z");
    assert_eq!(
        changed.iter().find(|o| o["id"] == to_void).unwrap()["status"],
        "Void"
    );
    assert_invariant(&sandbox.account(), "demo after changes");
}

#[test]
fn a_purchase_order_placed_between_calls_is_an_order_to_receive_until_received() {
    let sandbox = demo();
    let api = Api::new(&sandbox);
    let account = sandbox.account();
    let at = end() + Duration::hours(1);
    let mut placed = account.purchase_orders[0].clone();
    placed.id = 9_999_998;
    placed.created = at;
    placed.modified = at;
    placed.fully_received = Some(at);
    placed.stage = "Ordered".into();
    for line in &mut placed.lines {
        line.qty_shipped = Decimal::ZERO;
    }
    sandbox.update(|a| a.add_purchase_order(placed));
    let waiting = |api: &Api| {
        api.walk(
            "PurchaseOrders",
            &format!(
                "where={}",
                urlencode("fullyReceivedDate IS NULL AND modifiedDate>='2026-06-30T13:00:00Z'")
            ),
        )
    };
    assert_eq!(ids(&waiting(&api)), vec![9_999_998], "placed, not received");
    let later = at + Duration::days(5);
    sandbox.update(|a| assert!(a.receive_purchase_order(9_999_998, later)));
    assert!(
        waiting(&api).is_empty(),
        "received, it is no longer waiting"
    );
    assert_invariant(&sandbox.account(), "demo after a purchase order");
}

/// Current stock = opening stock + every movement, and never below zero along the way.
fn assert_invariant(a: &Account, what: &str) {
    let mut moves = movements(a);
    moves.sort_by_key(|(_, at, qty)| (*at, std::cmp::Reverse(*qty)));
    let mut level: BTreeMap<StockKey, Decimal> = a
        .opening_stock
        .iter()
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    for (key, at, qty) in &moves {
        let value = level.entry(key.clone()).or_default();
        *value += qty;
        assert!(
            *value >= Decimal::ZERO,
            "{what}: {key:?} went to {value} at {at}"
        );
    }
    let current: BTreeMap<StockKey, Decimal> = a
        .stock
        .iter()
        .map(|s| {
            (
                (s.product_option_id, s.size.clone(), s.branch_id),
                s.on_hand,
            )
        })
        .collect();
    level.retain(|_, v| !v.is_zero());
    let mut nonzero = current.clone();
    nonzero.retain(|_, v| !v.is_zero());
    assert_eq!(
        level, nonzero,
        "{what}: stock differs from opening + movements"
    );
    assert!(moves.len() > 100, "{what}: only {} movements", moves.len());
}

#[test]
fn every_preset_is_coherent() {
    let large = generate(Preset::Large, 1, end());
    assert_large_shape(&large);
    for (preset, seed) in [
        (Preset::Small, 1),
        (Preset::Small, 2),
        (Preset::Demo, 1),
        (Preset::Large, 1),
    ] {
        let account = if preset == Preset::Large {
            large.clone()
        } else {
            generate(preset, seed, end())
        };
        assert_invariant(&account, &format!("{preset:?} seed {seed}"));
        // Every edge case the generator promises is there.
        let orders = &account.sales_orders;
        assert!(orders.iter().any(|o| !o.is_approved), "{preset:?}: drafts");
        assert!(orders.iter().any(|o| o.is_void), "{preset:?}: voids");
        assert!(
            orders.iter().any(|o| o
                .invoiced
                .is_some_and(|i| i - o.created > Duration::days(1))),
            "{preset:?}: late invoices"
        );
        assert!(
            orders.iter().any(|o| o.invoiced.is_none() && o.is_approved),
            "{preset:?}: never invoiced"
        );
        assert!(
            orders
                .iter()
                .any(|o| o.lines.iter().any(|l| l.parent_id != 0)),
            "{preset:?}: kits"
        );
        assert!(
            orders
                .iter()
                .any(|o| o.lines.iter().any(|l| l.product_option_id == 0)),
            "{preset:?}: unknown options"
        );
        assert!(
            account
                .transfers
                .iter()
                .any(|t| t.dispatched.is_some() && t.received.is_none())
                || preset == Preset::Small,
            "{preset:?}: in transit"
        );
        assert!(
            account
                .adjustments
                .iter()
                .any(|a| a.lines.iter().any(|l| l.qty < Decimal::ZERO)),
            "{preset:?}: write-offs"
        );
        assert!(
            account
                .adjustments
                .iter()
                .any(|a| a.lines.iter().any(|l| l.qty > Decimal::ZERO)),
            "{preset:?}: finds"
        );
        if preset != Preset::Small {
            assert_signs_and_splits(&account, preset);
        }
        let near_midnight = |o: &&SalesOrderRecord| {
            ["23:59", "00:00"].contains(&o.created.format("%H:%M").to_string().as_str())
        };
        assert!(
            orders.iter().any(|o| near_midnight(&o)),
            "{preset:?}: near midnight"
        );
    }
}

/// Exchange lines on counter and trade orders, credit notes written both ways (in `qty` and in
/// the sizes), and sized lines split three ways whose revenue does not divide evenly.
fn assert_signs_and_splits(account: &Account, preset: Preset) {
    let exchanges = account.sales_orders.iter().filter(|o| {
        ["POS", "B2B"].contains(&o.source.as_str())
            && o.lines
                .iter()
                .any(|l| l.qty < Decimal::ZERO && l.qty_shipped < Decimal::ZERO)
    });
    assert!(exchanges.count() > 0, "{preset:?}: exchange lines");
    let credit_lines = || account.credit_notes.iter().flat_map(|c| &c.lines);
    assert!(
        credit_lines().any(|l| l.qty > Decimal::ZERO),
        "{preset:?}: credit notes written positive"
    );
    assert!(
        credit_lines().any(|l| l.sizes.iter().any(|(_, q)| *q < Decimal::ZERO)),
        "{preset:?}: credit notes with negative sizes"
    );
    let uneven = account.sales_orders.iter().flat_map(|o| &o.lines).any(|l| {
        let revenue = l.qty * l.unit_price - l.discount;
        l.sizes.len() == 3
            && !(revenue / Decimal::from(3))
                .round_dp(2)
                .eq(&(revenue / Decimal::from(3)))
    });
    assert!(
        uneven,
        "{preset:?}: three-way splits that do not divide evenly"
    );
}

/// About 200,000 orders over three years, 20,000 items, 10 branches.
fn assert_large_shape(account: &Account) {
    let items: usize = account
        .products
        .iter()
        .map(|p| p.options.len() * p.sizes.len().max(1))
        .sum();
    assert!(
        (190_000..=210_000).contains(&account.sales_orders.len()),
        "{} orders",
        account.sales_orders.len()
    );
    assert!((18_000..=22_000).contains(&items), "{items} items");
    assert_eq!(account.branches.len(), 10);
    let first = account.sales_orders.first().unwrap().created;
    assert!(end() - first > Duration::days(3 * 365 - 2));
}

/// What a planner has on order at the end: every kind of open document the rules read.
#[test]
fn open_orders_of_every_kind_are_left_at_the_end() {
    for seed in 1..=3 {
        let account = generate(Preset::Small, seed, end());
        let open_po =
            |p: &&PurchaseOrderRecord| p.is_approved && !p.is_void && p.fully_received.is_none();
        let partly = account
            .purchase_orders
            .iter()
            .filter(open_po)
            .filter(|p| p.lines.iter().any(|l| l.qty_shipped > Decimal::ZERO))
            .count();
        let in_transit = account
            .transfers
            .iter()
            .filter(|t| t.dispatched.is_some() && t.received.is_none())
            .count();
        let not_sent = account
            .transfers
            .iter()
            .filter(|t| t.is_approved && t.dispatched.is_none())
            .count();
        let partly_shipped = account
            .sales_orders
            .iter()
            .filter(|o| o.is_approved && !o.is_void && o.dispatched.is_none())
            .filter(|o| o.lines.iter().any(|l| l.qty_shipped > Decimal::ZERO))
            .count();
        // Purchase orders partly received, transfers in transit and not yet sent, sales
        // orders partly shipped.
        let counts = [partly, in_transit, not_sent, partly_shipped];
        assert!(counts.iter().all(|&n| n > 0), "seed {seed}: {counts:?}");
    }
}
