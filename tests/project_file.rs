//! Project files: save > open round trip, atomic saves, and every kind of bad file.

#![allow(clippy::unwrap_used, clippy::too_many_lines)] // tests state expectations, at length

mod common;

use chrono::NaiveDate;
use cin7_planner::project::file::{self, ProjectFileError};
use cin7_planner::project::ledger::{Document, DocumentKind, SaleLine};
use cin7_planner::project::*;
use common::*;
use std::collections::BTreeMap;
use std::path::Path;

fn sample() -> Project {
    let project = Project {
        connection: ConnectionInfo {
            base_url: "https://api.cin7.com/api".into(),
            username: "planner".into(),
        },
        settings: ImportSettings {
            sale_date: SaleDate::Dispatch,
            branches: Some(vec![1]),
            ..ImportSettings::new(
                NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
                GroupBy::Month,
                chrono_tz::Pacific::Auckland,
            )
        },
        items: vec![Item {
            product_option_id: 9001,
            code: "MUG-BLU".into(),
            description: "Café \"Barista\" Mug, large".into(),
            retail_price: Some(dec("19.90")),
            ..Item::default()
        }],
        locations: vec![Location {
            branch_id: 1,
            name: "Warehouse".into(),
            branch_type: None,
            is_active: true,
        }],
        periods: vec![
            Period {
                start: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
                end: NaiveDate::from_ymd_opt(2024, 2, 1).unwrap(),
            },
            Period {
                start: NaiveDate::from_ymd_opt(2024, 2, 1).unwrap(),
                end: NaiveDate::from_ymd_opt(2024, 3, 1).unwrap(),
            },
        ],
        last_period_in_progress: true,
        series: vec![Series {
            item: 0,
            location: 0,
            sales: vec![sold(0, "2", "39.80"), sold(1, "0.5", "9.95")],
            // No stock and no movement: zero throughout.
            on_hand: Some(vec![(0, dec("0"))]),
            measured: Vec::new(),
        }],
        report: ImportReport {
            started_at: utc(2024, 2, 10, 0, 0),
            finished_at: utc(2024, 2, 10, 0, 1),
            calls: 6,
            pages_reused: 0,
            minimum_calls: 6,
            retries: 0,
            elapsed_ms: 2400,
            rate_limit_wait_ms: 1200,
            records: BTreeMap::from([("SalesOrders".to_owned(), 8)]),
            warnings: DataWarnings {
                unknown_item_lines: 1,
                // The sample's sale lines carry no cost.
                sale_lines_without_cost: 2,
                ..DataWarnings::default()
            },
        },
        ledger: Some(sample_ledger()),
        measured_at: Vec::new(),
        history: Vec::new(),
        planning: planning::Planning::default(),
    };
    // What planning the ledger gives (no open orders or receipts: a row per pair, none to
    // plan with) is worked out as a project opened from a file has it.
    let planning = project
        .regrouped(project.settings.clone())
        .unwrap()
        .planning;
    Project {
        planning,
        ..project
    }
}

/// A period's sales without a known cost.
fn sold(period: u32, qty: &str, revenue: &str) -> PeriodSales {
    PeriodSales {
        period,
        qty: dec(qty),
        revenue: dec(revenue),
        cost: rust_decimal::Decimal::ZERO,
    }
}

/// The sales behind the sample's series: 2 mugs on 15 January, half a mug on 3 February.
fn sample_ledger() -> Ledger {
    let mut ledger = Ledger::new(utc(2024, 2, 10, 0, 0), vec![1, 2]);
    for (id, day, qty, revenue) in [
        (1, utc(2024, 1, 15, 0, 0), "2", "39.80"),
        (2, utc(2024, 2, 3, 0, 0), "0.5", "9.95"),
    ] {
        let document = ledger.documents.push(Document {
            branch: Some(1),
            counted: true,
            ordered: Some(day.timestamp()),
            dispatched: Some(day.timestamp()),
            unknown_lines: u32::from(id == 2),
            ..Document::new(DocumentKind::SalesOrder, id)
        });
        let line = SaleLine {
            item: 0,
            qty: dec(qty),
            revenue: dec(revenue),
            cost: None,
        };
        ledger.sales.push(document, line);
    }
    ledger
}

#[test]
fn save_then_open_gives_the_same_project() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.json");
    file::save(&sample(), &path).unwrap();
    assert_eq!(file::open(&path).unwrap(), sample());
    // Exact decimals survive, and only the project file is left behind.
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with(r#"{"format":"cin7-planner project","version":4,"#),
        "{}",
        &text[..60]
    );
    // The ledger, column by column, and no series: they are rebuilt from it.
    assert!(!text.contains("\"series\""));
    assert!(
        text.contains(r#""sales":{"document":[0,1],"item":[0,0],"qty":["2","0.5"],"revenue":["39.80","9.95"],"cost":[null,null]}"#),
        "{text}"
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("shop.json")]);
}

#[cfg(unix)]
#[test]
fn a_new_file_has_the_permissions_the_umask_gives() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.json");
    file::save(&sample(), &path).unwrap();
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o666 & !umask()
    );
}

/// This process's umask, from /proc (the only way to read it without changing it).
#[cfg(unix)]
fn umask() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("Umask:")).unwrap();
    u32::from_str_radix(line["Umask:".len()..].trim(), 8).unwrap()
}

#[cfg(unix)]
#[test]
fn saving_through_a_link_replaces_the_file_it_points_to() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("projects").join("shop.json");
    std::fs::create_dir(real.parent().unwrap()).unwrap();
    file::save(&sample(), &real).unwrap();
    let link = dir.path().join("shop.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let mut changed = sample();
    changed.connection.username = "someone else".into();
    file::save(&changed, &link).unwrap();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        file::open(&real).unwrap().connection.username,
        "someone else"
    );
}

#[test]
fn a_failed_save_leaves_what_was_there_untouched() {
    let dir = tempfile::tempdir().unwrap();
    // A non-empty directory where the file should go: the final rename fails.
    let blocked = dir.path().join("blocked.json");
    std::fs::create_dir(&blocked).unwrap();
    std::fs::write(blocked.join("keep"), "previous").unwrap();
    let error = file::save(&sample(), &blocked).unwrap_err();
    assert!(matches!(error, ProjectFileError::Write { .. }), "{error}");
    assert!(
        error
            .to_string()
            .ends_with("the previous file, if any, is unchanged."),
        "{error}"
    );
    assert_eq!(
        std::fs::read_to_string(blocked.join("keep")).unwrap(),
        "previous"
    );
    let missing_dir = dir.path().join("nowhere").join("shop.json");
    assert!(matches!(
        file::save(&sample(), &missing_dir),
        Err(ProjectFileError::Write { .. })
    ));
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("blocked.json")]);
}

fn open_bytes(bytes: &[u8]) -> (ProjectFileError, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    std::fs::write(&path, bytes).unwrap();
    let error = file::open(&path).unwrap_err();
    let message = error
        .to_string()
        .replace(&path.display().to_string(), "FILE");
    (error, message)
}

fn saved_text() -> String {
    text_of(&sample())
}

fn text_of(project: &Project) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.json");
    file::save(project, &path).unwrap();
    std::fs::read_to_string(&path).unwrap()
}

/// The sample as a project made before projects kept a ledger: its series are in the file.
fn without_ledger() -> Project {
    Project {
        ledger: None,
        ..sample()
    }
}

#[test]
fn a_truncated_file_is_reported_as_damaged() {
    let text = saved_text();
    let (_, message) = open_bytes(&text.as_bytes()[..text.len() / 2]);
    assert_eq!(
        message,
        "FILE is damaged (it ends too early, as if cut off) and was not opened."
    );
    let (_, message) = open_bytes(b"");
    assert_eq!(
        message,
        "FILE is damaged (it ends too early, as if cut off) and was not opened."
    );
}

#[test]
fn corrupt_json_in_a_project_is_damaged_with_its_position() {
    let text = saved_text().replacen("\"items\":[", "\"items\":[}", 1);
    let (error, message) = open_bytes(text.as_bytes());
    assert!(matches!(error, ProjectFileError::Damaged { .. }));
    assert!(
        message.starts_with("FILE is damaged (invalid JSON at line 1, column "),
        "{message}"
    );
}

#[test]
fn foreign_files_are_not_projects() {
    for bytes in [
        &b"hello, world"[..],
        b"[1, 2, 3]",
        br#"{"format": "something else", "version": 1}"#,
        b"\x89PNG\r\n",
    ] {
        let (error, message) = open_bytes(bytes);
        assert!(
            matches!(error, ProjectFileError::NotAProject { .. }),
            "{message}"
        );
        assert_eq!(message, "FILE is not a Cin7 Planner project file.");
    }
}

#[test]
fn a_newer_format_asks_for_a_newer_app() {
    let text = saved_text().replacen("\"version\":4", "\"version\":7", 1);
    let (_, message) = open_bytes(text.as_bytes());
    assert_eq!(
        message,
        "FILE was saved by a newer Cin7 Planner (format version 7; this one reads up to 4): update the app to open it."
    );
}

#[test]
fn a_version_2_file_opens_with_its_stock_as_the_first_reading() {
    let text = saved_text()
        .replacen("\"version\":4", "\"version\":2", 1)
        .replacen(
            "\"stock_readings\":[]",
            r#""stock":{"item":[0],"location":[0],"qty":["5"]}"#,
            1,
        )
        .replacen(",\"history\":[]", "", 1);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v2.json");
    std::fs::write(&path, text).unwrap();
    let project = file::open(&path).unwrap();
    let ledger = project.ledger.as_ref().unwrap();
    assert_eq!(ledger.stock_readings.len(), 1);
    let reading = &ledger.stock_readings[0];
    assert!(reading.full);
    assert_eq!(reading.at, ledger.as_of);
    assert_eq!(
        reading.rows().collect::<Vec<_>>(),
        vec![((9001, String::new(), 1), dec("5"))]
    );
    assert_eq!(
        project.series[0].on_hand_values(2),
        Some(vec![dec("5"), dec("5")])
    );
    assert!(project.history.is_empty());
    // Saved again, it is a version 3 file with the reading.
    file::save(&project, &path).unwrap();
    let again = std::fs::read_to_string(&path).unwrap();
    assert!(again.contains("\"stock_readings\":[{"), "{again}");
    assert!(!again.contains("\"stock\":{"));
}

#[test]
fn a_version_1_file_opens_without_a_ledger_and_says_why_it_cannot_regroup() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.json");
    file::save(
        &Project {
            ledger: None,
            ..sample()
        },
        &path,
    )
    .unwrap();
    let text =
        std::fs::read_to_string(&path)
            .unwrap()
            .replacen("\"version\":2", "\"version\":1", 1);
    std::fs::write(&path, text).unwrap();
    let opened = file::open(&path).unwrap();
    assert_eq!(
        opened,
        Project {
            ledger: None,
            // Without a ledger there is nothing to plan with.
            planning: planning::Planning::default(),
            ..sample()
        }
    );
    let by_week = ImportSettings {
        group_by: GroupBy::Week,
        ..opened.settings.clone()
    };
    assert_eq!(
        opened.regrouped(by_week).unwrap_err().to_string(),
        "This project was saved before projects kept their ledger, so it cannot be regrouped: import it again."
    );
}

#[test]
fn a_damaged_ledger_is_damage() {
    let text = saved_text().replacen("\"document\":[0,1]", "\"document\":[0,2]", 1);
    let (_, message) = open_bytes(text.as_bytes());
    assert_eq!(
        message,
        "FILE is damaged (the ledger refers to a document, item or location that does not exist) and was not opened."
    );
    let text = saved_text().replacen("\"qty\":[\"2\",\"0.5\"]", "\"qty\":[\"2\"]", 1);
    let (_, message) = open_bytes(text.as_bytes());
    assert_eq!(
        message,
        "FILE is damaged (the ledger's sale lines do not have one value per column) and was not opened."
    );
}

#[test]
fn broken_cross_references_are_damage() {
    let text = text_of(&without_ledger());
    assert!(text.contains(r#""sales_revenue":["39.80","9.95"]"#));
    let text = text.replacen("\"item\":0", "\"item\":5", 1);
    let (_, message) = open_bytes(text.as_bytes());
    assert_eq!(
        message,
        "FILE is damaged (series 0 refers to an item or location that does not exist) and was not opened."
    );
    let text = text_of(&without_ledger()).replacen(
        "\"sales_qty\":[\"2\",\"0.5\"]",
        "\"sales_qty\":[\"2\"]",
        1,
    );
    let (_, message) = open_bytes(text.as_bytes());
    assert_eq!(
        message,
        "FILE is damaged (series 0 does not have one value per period) and was not opened."
    );
    let text = saved_text().replacen("\"group_by\":\"month\"", "\"group_by\":\"fortnight\"", 1);
    let (error, _) = open_bytes(text.as_bytes());
    assert!(matches!(error, ProjectFileError::Damaged { .. }));
}

#[test]
fn a_missing_file_says_so() {
    let error = file::open(Path::new("/nonexistent/dir/p.json")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "Could not read /nonexistent/dir/p.json (it or its folder does not exist)."
    );
}

#[test]
fn the_sample_regroups_by_day_from_its_ledger() {
    let project = sample();
    let by_day = ImportSettings {
        group_by: GroupBy::Day,
        ..project.settings.clone()
    };
    let regrouped = project.regrouped(by_day.clone()).unwrap();
    // 1 January to 10 February (Auckland) is 41 days; the sales fall on 15 January (index 14)
    // and 3 February (index 33), 13:00 in Auckland.
    assert_eq!(regrouped.periods.len(), 41);
    let mut qty = vec![dec("0"); 41];
    let mut revenue = qty.clone();
    (qty[14], revenue[14]) = (dec("2"), dec("39.80"));
    (qty[33], revenue[33]) = (dec("0.5"), dec("9.95"));
    assert_eq!(regrouped.series.len(), 1);
    assert_eq!(regrouped.series[0].sales_qty(41), qty);
    assert_eq!(regrouped.series[0].sales_revenue(41), revenue);
    // The item is regular: with no stock and no movement, its on-hand is zero throughout.
    assert_eq!(
        regrouped.series[0].on_hand_values(41),
        Some(vec![dec("0"); 41])
    );
    assert_eq!(regrouped.settings, by_day);
    assert_eq!(regrouped.report.warnings.unknown_item_lines, 1);
    // Back to months gives the sample's series again.
    let by_month = regrouped.regrouped(project.settings.clone()).unwrap();
    assert_eq!(by_month.periods, project.periods);
    assert_eq!(by_month.series, project.series);
    let elsewhere = ImportSettings {
        branches: None,
        ..project.settings.clone()
    };
    assert_eq!(
        project.regrouped(elsewhere).unwrap_err().to_string(),
        "The starting date and the branches decide what is read from Cin7: import again to change them."
    );
}
