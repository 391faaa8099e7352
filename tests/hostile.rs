//! The client and the import against servers that misbehave on purpose: redirects elsewhere,
//! endless bodies, bodies that are not records, a server that ignores `page`, a day-long
//! `Retry-After`, escapes meant for a terminal, statuses nobody expects, numbers too large to
//! add up, and a server that echoes the key back. Each ends in one sentence, never a panic or
//! a hang, and the key appears nowhere.

#![allow(clippy::unwrap_used, clippy::too_many_lines)] // tests state expectations, at length

mod common;

use chrono::{NaiveDate, Utc};
use cin7_planner::cin7::{
    ApiKey, Cin7Error, Client, ClientConfig, ListQuery, Resource, RetryPolicy, model::SalesOrder,
};
use cin7_planner::import::{self, ImportError, ImportRequest};
use cin7_planner::project::{ConnectionInfo, GroupBy, ImportSettings, Project};
use cin7_planner::rate_limit::RateLimits;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const USER: &str = "planner";
const KEY: &str = "hostile-test-key-5f2c";

/// What the server answers one request with.
enum Reply {
    /// Status line, extra headers and body, sent whole.
    Whole(u16, Vec<(&'static str, String)>, Vec<u8>),
    /// A 200 with a chunked body that never ends.
    Endless,
    /// A 200 claiming a body of this many bytes, sending none of it.
    Claims(u64),
}

fn json(body: &str) -> Reply {
    Reply::Whole(200, Vec::new(), body.as_bytes().to_vec())
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
struct Seen {
    target: String,
    authorization: Option<String>,
}

/// A loopback HTTP server answering every request with `answer(path and query)`.
struct Hostile {
    base_url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Hostile {
    fn start(answer: impl Fn(&str) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}/api", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let answer = Arc::new(answer);
        std::thread::Builder::new()
            .name("hostile-server".into())
            .spawn(move || {
                for stream in listener.incoming().flatten() {
                    let (log, answer) = (Arc::clone(&log), Arc::clone(&answer));
                    std::thread::Builder::new()
                        .name("hostile-connection".into())
                        .spawn(move || serve(stream, &log, answer.as_ref()))
                        .unwrap();
                }
            })
            .unwrap();
        Self { base_url, seen }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, log: &Mutex<Vec<Seen>>, answer: &(dyn Fn(&str) -> Reply + Sync)) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let target = request_line.split(' ').nth(1).unwrap_or("").to_owned();
    let mut authorization = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("authorization")
        {
            authorization = Some(value.trim().to_owned());
        }
    }
    log.lock().unwrap().push(Seen {
        target: target.clone(),
        authorization,
    });
    let mut out = stream;
    match answer(&target) {
        Reply::Whole(status, headers, body) => {
            let mut head = format!(
                "HTTP/1.1 {status} Whatever\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            out.write_all(head.as_bytes()).ok();
            out.write_all(&body).ok();
        }
        Reply::Claims(length) => {
            let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {length}\r\n\r\n");
            out.write_all(head.as_bytes()).ok();
            std::thread::sleep(Duration::from_millis(200));
        }
        Reply::Endless => {
            let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n[\r\n";
            out.write_all(head.as_bytes()).ok();
            let chunk = vec![b' '; 1 << 20];
            let framed = [
                format!("{:x}\r\n", chunk.len()).into_bytes(),
                chunk,
                b"\r\n".to_vec(),
            ]
            .concat();
            // Until the client hangs up.
            while out.write_all(&framed).is_ok() {}
        }
    }
    // Let the client read what it was sent before the connection goes.
    let mut rest = Vec::new();
    out.set_read_timeout(Some(Duration::from_millis(50))).ok();
    out.read_to_end(&mut rest).ok();
}

fn client(base_url: &str) -> Client {
    let mut config = ClientConfig::new(base_url, USER, ApiKey::new(KEY));
    config.rate_limits = RateLimits::unlimited();
    config.retry = RetryPolicy {
        max_attempts: 2,
        max_rate_limited: 2,
        first_delay: Duration::from_millis(5),
        max_delay: Duration::from_secs(2),
    };
    Client::new(config).unwrap()
}

fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Runtime::new().unwrap().block_on(future)
}

fn by_id() -> ListQuery {
    ListQuery {
        order: "id ASC".into(),
        ..ListQuery::default()
    }
}

/// The error of reading the first page of sales orders from a server answering `answer`,
/// with what the server saw.
fn read_orders(answer: impl Fn(&str) -> Reply + Send + Sync + 'static) -> (Cin7Error, Vec<Seen>) {
    let server = Hostile::start(answer);
    let result = block_on(client(&server.base_url).get_page::<SalesOrder>(
        Resource::SalesOrders,
        &by_id(),
        1,
    ));
    let error = result.unwrap_err();
    let text = error.to_string();
    assert!(!text.contains(KEY), "the key in {text}");
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "an escape in {text:?}"
    );
    (error, server.seen())
}

#[test]
fn a_redirect_elsewhere_is_never_followed_and_names_the_host() {
    let elsewhere = Hostile::start(|_| json("[]"));
    let target = format!(
        "{}/v1/SalesOrders",
        elsewhere.base_url.replace("127.0.0.1", "localhost")
    );
    let (error, seen) =
        read_orders(move |_| Reply::Whole(302, vec![("Location", target.clone())], Vec::new()));
    assert_eq!(
        error,
        Cin7Error::Redirected {
            resource: Resource::SalesOrders,
            page: 1,
            status: 302,
            host: "localhost".into()
        }
    );
    assert_eq!(seen.len(), 1, "a redirect is final, never retried");
    assert!(
        elsewhere.seen().is_empty(),
        "the other host never hears from us"
    );
    // A redirect to the same address is refused too: the app never follows one.
    let (error, _) =
        read_orders(|_| Reply::Whole(301, vec![("Location", "/api/v1/Other".into())], Vec::new()));
    assert!(
        matches!(error, Cin7Error::Redirected { ref host, status: 301, .. } if host == "the same address"),
        "{error:?}"
    );
}

#[test]
fn a_body_past_the_cap_stops_at_the_cap() {
    let (error, _) = read_orders(|_| Reply::Claims(10 << 30));
    assert_eq!(
        error,
        Cin7Error::TooLarge {
            resource: Resource::SalesOrders,
            page: 1,
            limit: 64 << 20
        }
    );
    // An endless chunked body: read up to 64 MiB, then refused.
    let (error, seen) = read_orders(|_| Reply::Endless);
    assert!(
        matches!(error, Cin7Error::TooLarge { page: 1, .. }),
        "{error:?}"
    );
    assert_eq!(seen.len(), 1, "too large is final");
    assert_eq!(
        error.to_string(),
        "Cin7 sent more than 64 MiB for Sales Orders, page 1, far more than a page of records, so the import stopped: try again later."
    );
}

#[test]
fn bodies_that_are_not_records_are_malformed_naming_the_page() {
    for (body, expected) in [
        (
            b"<html><body>Maintenance</body></html>".to_vec(),
            "not JSON, at line 1 column 1",
        ),
        (
            b"{}".to_vec(),
            "not a list of records: invalid type: map, expected a sequence at line 1 column 0",
        ),
        (
            br#"[{"id": "twelve"}]"#.to_vec(),
            "not a list of records: \"twelve\" is not a whole number at line 1 column 17",
        ),
        (vec![b'[', 0xff, 0xfe, b']'], "not JSON, at line 1 column 2"),
    ] {
        let (error, _) = read_orders(move |_| Reply::Whole(200, Vec::new(), body.clone()));
        assert_eq!(
            error,
            Cin7Error::Malformed {
                resource: Resource::SalesOrders,
                page: 1,
                detail: expected.into()
            }
        );
    }
}

#[test]
fn a_server_that_ignores_page_is_caught_at_the_first_repeat() {
    let page: String = format!(
        "[{}]",
        (1..=250)
            .map(|id| format!(r#"{{"id": {id}}}"#))
            .collect::<Vec<_>>()
            .join(",")
    );
    // Page 3 and later answer late, so that the pages arrive in order: page 2 is the repeat.
    let server = Hostile::start(move |target| {
        if !(target.contains("page=1&") || target.contains("page=2&")) {
            std::thread::sleep(Duration::from_millis(300));
        }
        json(&page)
    });
    let error = block_on(client(&server.base_url).list_all::<SalesOrder>(
        Resource::SalesOrders,
        &by_id(),
        |_| {},
    ))
    .unwrap_err();
    let seen = server.seen();
    assert!(
        matches!(
            error,
            Cin7Error::PagingIgnored {
                resource: Resource::SalesOrders,
                page: 2
            }
        ),
        "{error:?}"
    );
    // At most the first page and the two under way when the repeat showed (page 3's request
    // may not have reached the server yet).
    assert!(seen.len() <= 3, "{seen:?}");
}

#[test]
fn a_long_retry_after_ends_the_import_with_when_to_run_again() {
    for header in [
        "86400",
        "99999999999999999999999",
        "Wed, 21 Oct 2099 07:28:00 GMT",
    ] {
        let (error, seen) = read_orders(move |_| {
            Reply::Whole(
                429,
                vec![("Retry-After", header.into())],
                b"\"Slow down\"".to_vec(),
            )
        });
        let Cin7Error::AskedToWait { wait, until, .. } = &error else {
            panic!("{error:?}");
        };
        assert!(*wait > Duration::from_secs(3600), "{header}: {wait:?}");
        if header == "86400" {
            let tomorrow = (Utc::now() + chrono::Duration::days(1))
                .format("%Y-%m-%d")
                .to_string();
            assert!(until.starts_with(&tomorrow), "{until}");
            assert_eq!(
                error.to_string(),
                format!(
                    "Cin7 asked to wait 24 h before the next call (Retry-After, on Sales Orders page 1), longer than the app waits: run it again after {until}."
                )
            );
        } else {
            assert_eq!(until, "a month from now or later");
        }
        assert_eq!(seen.len(), 1, "{header}: no second call");
    }
}

#[test]
fn server_text_reaches_nobody_with_escapes_or_the_key() {
    let echo = format!(
        "\u{1b}]0;owned\u{7}\u{1b}[2JBad {KEY} and Basic {}",
        base64_credentials()
    );
    let (error, _) =
        read_orders(move |_| Reply::Whole(500, Vec::new(), serde_json::to_vec(&echo).unwrap()));
    let Cin7Error::Server {
        message, status, ..
    } = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!(*status, 500);
    assert_eq!(message, "]0;owned[2JBad … and Basic …");
}

fn base64_credentials() -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{KEY}"))
}

#[test]
fn an_unexpected_status_is_reported_as_itself() {
    let (error, _) = read_orders(|_| Reply::Whole(418, Vec::new(), b"\"I'm a teapot\"".to_vec()));
    assert_eq!(
        error.to_string(),
        "Cin7 answered HTTP 418 for Sales Orders, page 1 (I'm a teapot), which it never should: try again later."
    );
}

#[test]
fn the_key_goes_only_to_the_api_address_in_the_authorization_header() {
    let server = Hostile::start(|_| json("[]"));
    block_on(client(&server.base_url).list_all::<SalesOrder>(
        Resource::SalesOrders,
        &by_id(),
        |_| {},
    ))
    .unwrap();
    let seen = server.seen();
    assert!(!seen.is_empty());
    for request in seen {
        assert_eq!(
            request.authorization,
            Some(format!("Basic {}", base64_credentials()))
        );
        assert!(!request.target.contains(KEY));
    }
}

/// A mini Cin7 account: one branch and one product with hostile text, orders with numbers
/// too large to add up, and nothing else.
fn hostile_account(target: &str) -> Reply {
    let first_page = target.contains("page=1&");
    let path = target.split('?').next().unwrap_or("");
    match path.rsplit('/').next() {
        _ if !first_page || target.contains("DESC") => json("[]"),
        Some("Branches") => {
            json(r#"[{"id": 1, "company": "\u001b[31mShop\u0007", "isActive": true}]"#)
        }
        Some("Products") => json(
            r#"[{"id": 5, "name": "Mug\u001b]8;;http://evil\u0007", "productOptions": [{"id": 50, "productOptionCode": "MUG"}]},
                {"id": 6, "name": "Priceless", "productOptions": [{"id": 60, "productOptionCode": "GOLD", "retailPrice": 1e300}]}]"#,
        ),
        Some("SalesOrders") => json(
            r#"[{"id": 1, "isApproved": true, "branchId": 1, "createdDate": "2024-01-02T00:00:00Z",
                 "lineItems": [{"productOptionId": 50, "qty": 2, "unitPrice": 10}]},
                {"id": 2, "isApproved": true, "branchId": 1, "createdDate": "2024-01-03T00:00:00Z",
                 "lineItems": [{"productOptionId": 50, "qty": 99999999999999999999999, "unitPrice": 10}]},
                {"id": 3, "isApproved": true, "branchId": 1, "createdDate": "2024-01-04T00:00:00Z",
                 "lineItems": [{"productOptionId": 50, "qty": 999999999999999, "unitPrice": 999999999999999}]}]"#,
        ),
        Some("Stock") => json(r#"[{"productOptionId": 50, "branchId": 1, "stockOnHand": 1e308}]"#),
        _ => json("[]"),
    }
}

fn import_from(base_url: &str, start: NaiveDate) -> Result<Project, ImportError> {
    let request = ImportRequest {
        retry: RetryPolicy::never(),
        ..ImportRequest::new(
            ConnectionInfo {
                base_url: base_url.into(),
                username: USER.into(),
            },
            ApiKey::new(KEY),
            ImportSettings::new(start, GroupBy::Month, chrono_tz::UTC),
            RateLimits::unlimited(),
        )
    };
    block_on(import::run(
        &request,
        |_| {},
        common::utc(2024, 2, 10, 0, 0),
    ))
}

#[test]
fn records_beyond_the_bounds_are_skipped_and_counted_and_text_is_made_safe() {
    let server = Hostile::start(hostile_account);
    let project = import_from(
        &server.base_url,
        NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
    )
    .unwrap();
    // The order of 2 × 10 counts; the two beyond the bound (a quantity too large to read, and
    // a revenue of 10^30) and the product priced 1e300 and the stock row of 1e308 are counted.
    assert_eq!(project.item_totals(), vec![(2.into(), 20.into())]);
    assert_eq!(project.report.warnings.records_beyond_bounds, 4);
    assert_eq!(project.items[0].description, "Mug]8;;http://evil");
    assert_eq!(project.locations[0].name, "[31mShop");
    assert!(project.ledger.as_ref().unwrap().stock_readings[0].is_empty());
}

#[test]
fn starting_dates_outside_what_a_project_holds_are_refused_before_any_call() {
    let server = Hostile::start(hostile_account);
    for (start, text) in [
        (
            NaiveDate::MIN,
            "The starting date -262143-01-01 is outside the years 1900 to 2100: choose a date in between.",
        ),
        (
            NaiveDate::from_ymd_opt(9999, 12, 31).unwrap(),
            "The starting date 9999-12-31 is outside the years 1900 to 2100: choose a date in between.",
        ),
        (
            NaiveDate::from_ymd_opt(2024, 3, 1).unwrap(),
            "The starting date 2024-03-01 is after 2024-02-10, the day the account is read: choose 2024-02-10 or earlier.",
        ),
    ] {
        let error = import_from(&server.base_url, start).unwrap_err();
        assert_eq!(error.to_string(), text);
    }
    assert!(server.seen().is_empty(), "nothing was asked of the server");
}

/// Cin7 out of reach says why in words: a name that cannot be found (an address mistyped), a
/// connection refused (nothing listening), each retried as any page is and then one sentence.
#[test]
fn an_unknown_name_and_a_refused_connection_are_said_in_words() {
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let refused = format!("http://{}/api", closed.local_addr().unwrap());
    drop(closed);
    for (base_url, reason) in [
        (refused.as_str(), "the connection was refused"),
        (
            "https://no-such-host.invalid/api",
            "the address's name could not be found",
        ),
    ] {
        let client = client(base_url);
        let error = block_on(client.get_page::<SalesOrder>(Resource::SalesOrders, &by_id(), 1))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "Could not reach Cin7 while reading Sales Orders, page 1, after 2 attempts ({reason}): check the connection and try again."
            )
        );
        // While it waited to try again, the reason and the attempt to come were known.
        let waited = client.stats().retrying().unwrap();
        assert_eq!(
            (waited.trouble.as_str(), waited.attempt, waited.attempts),
            (format!("Cin7 cannot be reached ({reason})").as_str(), 2, 2)
        );
    }
}

/// A mini account whose planning data cannot all be right: a channel of 10,000 characters
/// with control characters, promised dates in the year 9999 and before 1900, a purchase line
/// with more received than ordered, one of no quantity with a discount, one whose discount is
/// larger than the line, an order received before it was made, kits made of themselves, and a
/// server that refuses the `IS NULL` filter of the older open sales orders.
fn implausible_account(target: &str) -> Reply {
    let first_page = target.contains("page=1&");
    let path = target.split('?').next().unwrap_or("");
    let resource = path.rsplit('/').next().unwrap_or("");
    if resource == "SalesOrders" && target.contains("NULL") {
        let refusal = br#"{"message": "The where clause is not valid."}"#.to_vec();
        return Reply::Whole(400, Vec::new(), refusal);
    }
    if !first_page || target.contains("DESC") || target.contains("NULL") {
        return json("[]");
    }
    let source = format!("\u{7}POS{}", "x".repeat(10_000));
    match resource {
        "Branches" => json(r#"[{"id": 1, "company": "Shop", "isActive": true}]"#),
        "Products" => json(
            r#"[{"id": 5, "name": "Mug", "productOptions": [{"id": 50, "productOptionCode": "MUG"}]},
                {"id": 8, "name": "Gift set", "productOptions": [{"id": 80, "productOptionCode": "SET"},
                                                                 {"id": 81, "productOptionCode": "BOX"}]}]"#,
        ),
        "SalesOrders" => json(&format!(
            r#"[{{"id": 1, "reference": "SO-1", "source": {}, "isApproved": true, "branchId": 1,
                 "createdDate": "2024-01-05T00:00:00Z", "estimatedDeliveryDate": "9999-12-31T00:00:00Z",
                 "lineItems": [{{"productOptionId": 50, "qty": 3, "qtyShipped": 1, "unitPrice": 10, "unitCost": 4}}]}}]"#,
            serde_json::to_string(&source).unwrap()
        )),
        "PurchaseOrders" => json(
            r#"[{"id": 10, "reference": "PO-10", "isApproved": true, "branchId": 1, "currencyCode": "NZD",
                 "createdDate": "2024-01-20T00:00:00Z", "estimatedDeliveryDate": "1850-06-01T00:00:00Z",
                 "lineItems": [{"productOptionId": 50, "qty": 2, "qtyShipped": 5, "unitPrice": 5},
                               {"productOptionId": 50, "qty": 0, "unitPrice": 5, "discount": 3},
                               {"productOptionId": 50, "qty": 1, "unitPrice": 5, "discount": 20}]},
                {"id": 11, "reference": "PO-11", "isApproved": true, "branchId": 1,
                 "createdDate": "2024-01-20T00:00:00Z", "fullyReceivedDate": "2024-01-10T00:00:00Z",
                 "lineItems": [{"productOptionId": 50, "qty": 1, "qtyShipped": 1, "unitPrice": 5}]}]"#,
        ),
        "BomMasters" => json(
            r#"[{"id": 1, "product": {"productOptionId": 80, "qty": 1, "components": [{"productOptionId": 81, "qty": 2}]}},
                {"id": 2, "product": {"productOptionId": 81, "qty": 1, "components": [{"productOptionId": 80, "qty": 1}]}},
                {"id": 3, "product": {"productOptionId": 50, "qty": 1, "components": [{"productOptionId": 50, "qty": 1}]}}]"#,
        ),
        _ => json("[]"),
    }
}

#[test]
fn planning_data_that_cannot_be_right_is_left_out_and_counted() {
    let server = Hostile::start(implausible_account);
    let project = import_from(
        &server.base_url,
        NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
    )
    .unwrap();
    let w = &project.report.warnings;
    // The import finished without the older open sales orders, and says so.
    assert!(w.older_open_orders_missing);
    assert_eq!(
        w.older_open_orders_sentence().unwrap(),
        "Cin7 refused to list the orders still open from before the history's start (its IS NULL filter), so open orders older than the history may be missing."
    );
    // 9999-12-31 and 1850-06-01 are no dates; the order received before it was made gives no
    // lead time; the three bills (two making each other, one making itself) give no kit.
    assert_eq!(
        (w.implausible_dates, w.negative_lead_times, w.kits_left_out),
        (2, 1, 3)
    );
    assert!(project.planning.kits.is_empty());
    assert!(project.planning.lead_times.iter().all(|l| l.own.is_none()));
    let open: Vec<_> = project
        .planning
        .open_orders
        .iter()
        .map(|o| {
            (
                o.number(&project),
                o.inbound,
                o.qty.to_string(),
                o.date,
                o.lot_cost,
                o.channel(&project).chars().count(),
            )
        })
        .collect();
    // To ship: 3 − 1, undated, its channel cut to 100 characters without the bell. To receive:
    // the over-received line and the line of no quantity give nothing; the line discounted
    // below nothing gives its unit, at no known cost.
    assert_eq!(
        open,
        vec![
            ("SO-1", false, "2".to_owned(), None, None, 100),
            ("PO-10", true, "1".to_owned(), None, None, 0),
        ]
    );
    assert!(
        project.planning.open_orders[0]
            .channel(&project)
            .starts_with("POSxxx")
    );
}
