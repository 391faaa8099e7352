//! The command line end to end: a real `cin7-planner` process against sandboxes on loopback.

#![allow(clippy::unwrap_used, clippy::too_many_lines)] // tests state expectations, at length

mod common;

use chrono::Datelike;
use common::*;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The program, with no key in its environment and its call log in a folder of its own.
fn bin() -> Command {
    bin_with_state(
        &std::env::temp_dir().join(format!("cin7-planner-cli-tests-{}", std::process::id())),
    )
}

fn bin_with_state(state: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cin7-planner"));
    command
        .env_remove("CIN7_API_KEY")
        .env("CIN7_PLANNER_STATE_DIR", state)
        .stdin(Stdio::null());
    command
}

fn import(base_url: &str, key: Option<&str>, out: &Path) -> Output {
    import_with_state(
        base_url,
        key,
        out,
        &std::env::temp_dir().join(format!("cin7-planner-cli-tests-{}", std::process::id())),
    )
}

fn import_with_state(base_url: &str, key: Option<&str>, out: &Path, state: &Path) -> Output {
    import_with(base_url, key, out, state, &[])
}

/// `import` of the fixture's user from `base_url` into `out`, from 1 January 2024, with no key
/// in the environment: each test adds what it varies.
fn import_command(command: Command, base_url: &str, out: &Path) -> Command {
    let mut command = command;
    command
        .args(["import", "--username", USERNAME, "--start", "2024-01-01"])
        .args(["--base-url", base_url, "--out"])
        .arg(out);
    command
}

fn import_with(
    base_url: &str,
    key: Option<&str>,
    out: &Path,
    state: &Path,
    extra: &[&str],
) -> Output {
    let mut command = import_command(bin_with_state(state), base_url, out);
    command
        .args(["--group-by", "month", "--tz", "Pacific/Auckland"])
        .args(["--rate-limits", "3/100ms,60/2s,5000/1d"])
        .args(extra);
    if let Some(key) = key {
        command.env("CIN7_API_KEY", key);
    }
    command.output().unwrap()
}

/// `export PROJECT --items-csv ITEMS`.
fn export_items(project: &Path, items: &Path) -> Output {
    bin()
        .arg("export")
        .arg(project)
        .arg("--items-csv")
        .arg(items)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Checks that `inspect` of `project` prints every one of `lines`.
fn assert_inspect_shows(project: &Path, lines: &[String]) {
    let output = bin().arg("inspect").arg(project).output().unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let summary = text(&output.stdout);
    for line in lines {
        assert!(summary.contains(line), "missing {line:?} in\n{summary}");
    }
}

/// The long table `export --csv` writes for `project`, as CRLF-separated rows.
fn long_table(project: &Path) -> Vec<String> {
    let csv = project.with_extension("csv");
    let output = bin()
        .arg("export")
        .arg(project)
        .arg("--csv")
        .arg(&csv)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let table = std::fs::read_to_string(&csv).unwrap();
    table.split("\r\n").map(str::to_owned).collect()
}

/// The fewest calls that read the fixture (see [`common::fixture_import_calls`]).
const FIXTURE_LEAST_CALLS: usize = 22;

/// The lines a newest-first import printed on how far back it is exact: further back each
/// time, those before the stock is read saying so, the last for the whole history. (How many
/// there are depends on when the other walks end: the first line waits for them.)
fn assert_exact_lines(stderr: &str, whole_history_from: &str) {
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("exact back to "))
        .collect();
    let sales_only = |l: &str| l.ends_with("; sales only, on-hand waits for the current stock");
    let before_stock = lines.iter().take_while(|l| sales_only(l)).count();
    assert!(
        !lines[before_stock..].iter().any(|l| sales_only(l)),
        "{stderr}"
    );
    let percents: Vec<u32> = lines
        .iter()
        .map(|l| {
            let (_, rest) = l.split_once(" (").unwrap();
            rest.split_once('%').unwrap().0.parse().unwrap()
        })
        .collect();
    assert!(percents.is_sorted(), "{stderr}");
    assert_eq!(
        lines.last().copied(),
        Some(format!("exact back to {whole_history_from} (100% of history read)").as_str())
    );
}

/// Months from January 2024 to the current month in Auckland, both included.
fn months_to_now() -> usize {
    let now = chrono::Utc::now().with_timezone(&chrono_tz::Pacific::Auckland);
    ((now.year() - 2024) * 12 + now.month() as i32) as usize
}

#[test]
fn import_inspect_and_export_the_fixture() {
    let sandbox = serve(fixture_account());
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("shop.json");
    let output = import(sandbox.base_url(), Some(KEY), &project);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let months = months_to_now();
    assert_eq!(
        text(&output.stdout),
        format!(
            "Imported 4 items at 2 locations in {months} periods ({} calls) into {}.\n",
            common::fixture_import_calls(),
            project.display()
        )
    );
    assert!(text(&output.stderr).contains("Reading from Cin7"));
    // Without a terminal, a line for each resource as it is done, in whatever order they end.
    let log = text(&output.stderr);
    for done in [
        "Contacts: done, 1 record",
        "Branches: done, 2 records",
        "Products: done, 2 records",
        "Stock: done, 3 records",
        "Sales Orders: done, 8 records",
        "Credit Notes: done, 3 records",
        "Purchase Orders: done, 1 record",
        "Branch Transfers: done, 1 record",
        "Adjustments: done, 2 records",
    ] {
        assert!(log.lines().any(|line| line == done), "{done} in {log}");
    }
    // The history from 2024-01-01 in weeks from Sunday starts on 31 December 2023; read from
    // a week earlier (any week start), 25 December at midnight UTC, which is 1 pm in
    // Auckland: the first whole day is the 26th.
    assert_exact_lines(&log, "2023-12-26");
    assert!(!text(&output.stderr).contains(KEY));

    assert_inspect_shows(
        &project,
        &[
        format!("Connection: {USERNAME} at {}", sandbox.base_url()),
        "Settings: from 2024-01-01 grouped by months in Pacific/Auckland, weeks from Mon".to_owned(),
        format!("Periods: {months} (2024-01-01 to "),
        "Items: 4 (2 sized)".to_owned(),
        "Locations: 2".to_owned(),
        "Series: 5".to_owned(),
        "Options: sales by invoice date, returns subtracted, branches all".to_owned(),
        "Sales: 7 units, revenue 90.00".to_owned(),
        "On-hand: 2 regular items with history, 2 sized items without (Cin7 gives no per-size stock movements), 1 values below zero".to_owned(),
        "Records read: Adjustments 2, BranchTransfers 1, Branches 2, Contacts 1, CreditNotes 3, Products 2, PurchaseOrders 1, SalesOrders 8, Stock 3".to_owned(),
        "Not counted: 2 draft or void orders, 1 orders outside the periods, 1 void credit notes, 1 lines for unknown items, 1 kit component lines, 1 documents at unknown branches.".to_owned(),
        ],
    );

    let rows = long_table(&project);
    assert_eq!(
        rows.len(),
        1 + 5 * months + 1,
        "one row per period of 5 series, and the final line end"
    );
    assert_eq!(
        rows[0],
        "item_code,item_description,location,period_start,period_end,sales_qty,sales_revenue,on_hand,product_option_id,size,sized,branch_id,measured_on_hand,measured_at,sales_cost"
    );
    assert_eq!(
        rows[1],
        "MUG-BLU,Mug,Warehouse,2024-01-01,2024-01-31,2,20,12,9001,,false,1,,,8"
    );
    assert_eq!(
        rows[2],
        "MUG-BLU,Mug,Warehouse,2024-02-01,2024-02-29,0,0,10,9001,,false,1,,,0"
    );
    assert_eq!(
        rows[1 + months],
        "MUG-BLU,Mug,\"Shop, Main St\",2024-01-01,2024-01-31,2,20,3,9001,,false,2,,,8"
    );
    assert_eq!(
        rows[1 + 2 * months],
        "MUG-RED,Mug,Warehouse,2024-01-01,2024-01-31,1,14,-3,9002,,false,1,,,4"
    );
    assert_eq!(
        rows[1 + 3 * months + 1],
        "TEE-RED-S,Tee,\"Shop, Main St\",2024-02-01,2024-02-29,1,18,,9100,S,true,2,,,4"
    );
    assert_eq!(
        rows[1 + 4 * months + 1],
        "TEE-RED-M,Tee,\"Shop, Main St\",2024-02-01,2024-02-29,1,18,,9100,M,true,2,,,4"
    );
    assert_eq!(rows.last().map(String::as_str), Some(""));
    // The last period holds the import's stock reading: what Cin7 measured, and when, for
    // every item, the sized ones too.
    let last_month = &rows[months];
    assert!(
        last_month.contains(",10,9001,,false,1,10,20"),
        "{last_month}"
    );
    assert!(last_month.ends_with("Z,0"), "{last_month}");
    // The tee has no stock row at the shop: nothing measured.
    let sized_last = &rows[4 * months + months];
    assert!(sized_last.ends_with(",9100,M,true,2,,,0"), "{sized_last}");

    let items = dir.path().join("items.csv");
    let output = export_items(&project, &items);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let table = std::fs::read_to_string(&items).unwrap();
    let rows: Vec<&str> = table.split("\r\n").collect();
    assert_eq!(
        rows,
        vec![
            "item_code,item_description,product_option_id,size,sized,product_id,style_code,options,category,brand,barcode,retail_price,cost,supplier,status,sub_category,supplier_item_code,weight,volume,last_purchase_price,last_purchase_currency",
            "MUG-BLU,Mug,9001,,false,500,MUG,Blue,Kitchen,,,10,4,\"Kōwhai Ceramics, Ltd\",Active,Mugs,KC-MUG-B,0.35,0.0008,,",
            "MUG-RED,Mug,9002,,false,500,MUG,Red,Kitchen,,,15,4,\"Kōwhai Ceramics, Ltd\",Active,Mugs,,0.35,0.0008,4,NZD",
            "TEE-RED-S,Tee,9100,S,true,600,TEE,Red,Apparel,,,20,4,,Active,,,0.2,,,",
            "TEE-RED-M,Tee,9100,M,true,600,TEE,Red,Apparel,,,20,4,,Active,,,0.2,,,",
            "",
        ]
    );
    let output = bin().arg("export").arg(&project).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(2),
        "an export needs somewhere to write"
    );
    // A read-only export is not replaced, in one sentence.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&items, std::fs::Permissions::from_mode(0o444)).unwrap();
    let output = export_items(&project, &items);
    assert_eq!(
        refusal(&output),
        format!(
            "Could not write {} (it is read-only); the file that was there, if any, is unchanged.",
            items.display()
        )
    );
    assert_eq!(std::fs::read_to_string(&items).unwrap(), table);
}

#[test]
fn regroup_rebuilds_the_series_from_the_ledger_without_cin7() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("shop.json");
    {
        let sandbox = serve(fixture_account());
        let output = import(sandbox.base_url(), Some(KEY), &project);
        assert!(output.status.success(), "{}", text(&output.stderr));
    } // The sandbox is gone: regrouping cannot call it.
    let weekly = dir.path().join("weekly.json");
    let output = bin()
        .args([
            "regroup",
            "--group-by",
            "week",
            "--week-start",
            "sunday",
            "--no-returns",
            "--out",
        ])
        .arg(&weekly)
        .arg(&project)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    // Sunday weeks from 31 December 2023 to the one containing today in Auckland.
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Pacific::Auckland)
        .date_naive();
    let weeks = (today - chrono::NaiveDate::from_ymd_opt(2023, 12, 31).unwrap()).num_days() / 7 + 1;
    // 8 sale lines (orders 1, 2, 3, 7, the two sizes of 6, credit notes 101 and 103) and 10
    // movements (shipments of orders 1, 2, 3 and its kit component, 7; return 101; purchase
    // 201; both legs of transfer 301; adjustment 401).
    assert_eq!(
        text(&output.stdout),
        format!(
            "Regrouped 18 ledger rows into {weeks} periods (weeks in Pacific/Auckland) without calling Cin7: {}.\n",
            weekly.display()
        )
    );
    assert_inspect_shows(
        &weekly,
        &[
        "Settings: from 2024-01-01 grouped by weeks in Pacific/Auckland, weeks from Sun".to_owned(),
        "Options: sales by invoice date, returns not subtracted, branches all".to_owned(),
        format!("Periods: {weeks} (2023-12-31 to "),
        // Without returns: 2 + 1 + 3 + 3 units, 20 + 14 + 30 + 54.
        "Sales: 9 units, revenue 118.00".to_owned(),
        format!(
            "Import: {} calls ({FIXTURE_LEAST_CALLS} at the least",
            common::fixture_import_calls()
        ),
        // 8 orders, 3 credit notes, a purchase, a transfer and 2 adjustments.
        "Ledger: 15 documents, 8 sale lines, 10 stock movements, 1 stock readings, as of ".to_owned(),
        "Not counted: 2 draft or void orders, 1 orders outside the periods, 1 lines for unknown items, 1 kit component lines, 1 documents at unknown branches.".to_owned(),
        ],
    );
    let rows = long_table(&weekly);
    // MUG-BLU at the warehouse: order 1 (2 units, 20.00) in the week of Sun 31 December; the
    // transfer out (2) on Thu 25 January and the dispatch on Mon 5 February move its stock.
    assert_eq!(
        rows[1],
        "MUG-BLU,Mug,Warehouse,2023-12-31,2024-01-06,2,20,14,9001,,false,1,,,8"
    );
    // Order 3's 3 units at the shop in the week of Sun 14 January; return 101 (Sat 20 January)
    // is not subtracted from sales, yet its unit is back in stock: 4 now, less the transfer in
    // (2) and plus the write-off (1) of February, is 3 at the end of that week.
    assert_eq!(
        rows[1 + weeks as usize + 2],
        "MUG-BLU,Mug,\"Shop, Main St\",2024-01-14,2024-01-20,3,30,3,9001,,false,2,,,12"
    );

    // The file itself was left as it was; options that contradict each other are refused.
    let output = bin().arg("inspect").arg(&project).output().unwrap();
    assert!(text(&output.stdout).contains("grouped by months"));
    let output = bin()
        .args(["regroup", "--returns", "--no-returns"])
        .arg(&project)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let output = bin()
        .args(["regroup", "--group-by", "day"])
        .arg(dir.path().join("missing.json"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains("missing.json"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn a_failed_import_writes_nothing_and_says_why_in_one_sentence() {
    let sandbox = serve(fixture_account());
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("shop.json");
    let output = import(sandbox.base_url(), Some("wrong-key"), &project);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert_eq!(
        stderr.lines().last(),
        Some(
            "Cin7 rejected the API username or key (HTTP 401): check both in Cin7 under Settings > Integrations & API > API v1."
        )
    );
    assert!(!stderr.contains("wrong-key"));
    assert!(!project.exists());

    let output = import(sandbox.base_url(), None, &project);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stderr),
        "No API key: set CIN7_API_KEY, or run the command in a terminal to be asked for it.\n"
    );

    let output = import("http://cin7.example.com/api", Some(KEY), &project);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains(
            "is not allowed: use https://, or http:// only for this computer (localhost)."
        )
    );
    assert!(!project.exists());
}

#[test]
fn an_interrupted_import_writes_nothing() {
    let mut config = cin7_planner::sandbox::SandboxConfig::new(fixture_account(), USERNAME, KEY);
    config.latency = std::time::Duration::from_secs(2);
    let sandbox = cin7_planner::sandbox::Sandbox::start(config).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("shop.json");
    let mut child = import_command(bin(), sandbox.base_url(), &project)
        .env("CIN7_API_KEY", KEY)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let killed = Command::new("kill")
        .arg("-INT")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(!status.success());
    assert!(!project.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn bad_arguments_and_bad_files_are_refused() {
    let output = bin()
        .args([
            "import",
            "--username",
            "u",
            "--start",
            "2024-01-01",
            "--out",
            "x.json",
            "--rate-limits",
            "fast",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("invalid rate-limit spec \"fast\""),
        "{}",
        text(&output.stderr)
    );

    let dir = tempfile::tempdir().unwrap();
    let damaged = dir.path().join("damaged.json");
    std::fs::write(
        &damaged,
        r#"{"format":"cin7-planner project","version":1,"project":{"conn"#,
    )
    .unwrap();
    let output = bin()
        .arg("export")
        .arg(&damaged)
        .arg("--csv")
        .arg(dir.path().join("out.csv"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stderr),
        format!(
            "{} is damaged (it ends too early, as if cut off) and was not opened.\n",
            damaged.display()
        )
    );
    assert!(!dir.path().join("out.csv").exists());
}

#[test]
fn the_sandbox_command_serves_an_account_the_importer_reads() {
    let mut sandbox = bin()
        .args([
            "sandbox",
            "--preset",
            "small",
            "--port",
            "0",
            "--rate-limits",
            "3/100ms,60/2s",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first_line = String::new();
    BufReader::new(sandbox.stdout.take().unwrap())
        .read_line(&mut first_line)
        .unwrap();
    let base_url = first_line.trim().rsplit(' ').next().unwrap().to_owned();
    assert!(
        first_line.starts_with("Cin7 sandbox serving the Small account at http://127.0.0.1:"),
        "{first_line}"
    );

    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("small.json");
    let mut command = bin();
    command
        .args([
            "import",
            "--username",
            "demo",
            "--start",
            "2020-01-01",
            "--group-by",
            "week",
            "--tz",
            "UTC",
        ])
        .args([
            "--rate-limits",
            "3/100ms,60/2s",
            "--base-url",
            &base_url,
            "--out",
        ])
        .arg(&project)
        .env("CIN7_API_KEY", "sandbox-demo-key");
    let output = command.output().unwrap();
    sandbox.kill().unwrap();
    sandbox.wait().unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        text(&output.stdout).starts_with("Imported 6 items at 2 locations in "),
        "{}",
        text(&output.stdout)
    );
}

#[test]
fn the_daily_budget_is_counted_across_runs_and_stops_an_import_before_the_limit() {
    let sandbox = serve(fixture_account());
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let project = dir.path().join("shop.json");
    let fixture_calls = common::fixture_import_calls();
    let output = import_with_state(sandbox.base_url(), Some(KEY), &project, &state);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(state.join("calls.json")).unwrap()).unwrap();
    let connection = format!("{USERNAME}@{}", sandbox.base_url());
    assert_eq!(
        log["connections"][&connection].as_array().unwrap().len(),
        fixture_calls
    );

    // Enough calls an hour ago that the next import has four calls left.
    let an_hour_ago = (chrono::Utc::now() - chrono::Duration::hours(1)).timestamp_millis();
    let mut times: Vec<i64> = log["connections"][&connection]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_i64().unwrap())
        .collect();
    times.extend(std::iter::repeat_n(an_hour_ago, 5_000 - 4 - fixture_calls));
    let log = serde_json::json!({ "connections": { connection.clone(): times } });
    std::fs::write(state.join("calls.json"), log.to_string()).unwrap();
    std::fs::remove_file(&project).unwrap();
    let output = import_with_state(sandbox.base_url(), Some(KEY), &project, &state);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    let last = stderr.lines().last().unwrap();
    assert!(
        last.starts_with("Cin7's daily limit of 5000 calls for this API connection is used up, so the import stopped before going over it, at "),
        "{last}"
    );
    let kept_pages = last
        .strip_suffix(" pages read so far.")
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or_else(|| panic!("{last}"));
    assert!(
        last.ends_with(&format!(
            "it can run again in 23 h, and resumed it picks up the {kept_pages} pages read so far."
        )),
        "{last}"
    );
    assert!(!project.exists());
    // The calls it did make count too: the log is full.
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(state.join("calls.json")).unwrap()).unwrap();
    assert_eq!(
        log["connections"][&connection].as_array().unwrap().len(),
        5_000
    );
    // Cin7 saw no more than the budget allowed: the first run's, and at most four more
    // (a call whose slot was taken may be dropped unsent when the import stops).
    let second_run = sandbox.requests().len() - fixture_calls;
    assert!(
        (1..=4).contains(&second_run),
        "{second_run} calls in the second run"
    );
    assert!(kept_pages >= 1 && kept_pages as usize <= second_run);

    // A day later (the log forgotten), the import resumed picks up the kept pages: nothing read
    // is lost.
    std::fs::remove_file(state.join("calls.json")).unwrap();
    let output = import_with(
        sandbox.base_url(),
        Some(KEY),
        &project,
        &state,
        &["--resume"],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let third_run = sandbox.requests().len() - fixture_calls - second_run;
    assert_eq!(third_run as u64, fixture_calls as u64 - kept_pages);
    let inspect = bin_with_state(&state)
        .arg("inspect")
        .arg(&project)
        .output()
        .unwrap();
    let summary = text(&inspect.stdout);
    let expected = format!(
        "Import: {third_run} calls ({FIXTURE_LEAST_CALLS} at the least, {kept_pages} pages reused from a stopped run)"
    );
    assert!(summary.contains(&expected), "{summary}");
    // The saved import leaves no checkpoint behind.
    assert_eq!(std::fs::read_dir(state.join("runs")).unwrap().count(), 0);
}

/// The one line a refused command prints, checked for the key.
fn refusal(output: &Output) -> String {
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(!stderr.contains(KEY), "{stderr}");
    stderr.trim_end().to_owned()
}

#[test]
fn hostile_addresses_and_dates_are_refused_before_any_call() {
    let sandbox = serve(fixture_account());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("shop.json");
    let port = sandbox
        .base_url()
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let with_key = format!("http://user:{KEY}@127.0.0.1:{port}/api");
    assert_eq!(
        refusal(&import(&with_key, Some(KEY), &out)),
        "The API address must not contain a user name or password: enter them as the API username and key instead."
    );
    let with_query = format!("{}?key={KEY}", sandbox.base_url());
    assert!(
        refusal(&import(&with_query, Some(KEY), &out))
            .starts_with("The API address must not contain a query")
    );
    for (start, expected) in [
        (
            "-262143-01-03",
            "The starting date -262143-01-03 is outside the years 1900 to 2100: choose a date in between.",
        ),
        (
            "9999-12-31",
            "The starting date 9999-12-31 is outside the years 1900 to 2100: choose a date in between.",
        ),
    ] {
        let output = bin()
            .args([
                "import",
                "--username",
                USERNAME,
                "--group-by",
                "day",
                "--base-url",
            ])
            .arg(sandbox.base_url())
            .arg(format!("--start={start}"))
            .arg("--out")
            .arg(&out)
            .env("CIN7_API_KEY", KEY)
            .output()
            .unwrap();
        assert_eq!(refusal(&output), expected);
    }
    assert!(sandbox.requests().is_empty(), "no call was made");
    assert!(!out.exists());
}

#[test]
fn a_loopback_import_goes_around_any_proxy() {
    let sandbox = serve(fixture_account());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("shop.json");
    let mut command = bin();
    for name in ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "ALL_PROXY"] {
        command.env(name, "http://127.0.0.1:1");
    }
    let output = import_command(command, sandbox.base_url(), &out)
        .env("CIN7_API_KEY", KEY)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(out.exists());
}

#[test]
fn hostile_project_files_are_damaged_for_every_command() {
    let sandbox = serve(fixture_account());
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    assert!(
        import(sandbox.base_url(), Some(KEY), &good)
            .status
            .success()
    );
    let original: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&good).unwrap()).unwrap();
    let hostile = |name: &str, edit: &dyn Fn(&mut serde_json::Value)| {
        let mut value = original.clone();
        edit(&mut value["project"]);
        let path = dir.path().join(name);
        std::fs::write(&path, serde_json::to_vec(&value).unwrap()).unwrap();
        path
    };
    let overflowing = hostile("overflowing.json", &|p| {
        p["ledger"]["sales"]["qty"][0] = "79228162514264337593543950335".into();
    });
    let far_future = hostile("far-future.json", &|p| {
        p["ledger"]["as_of"] = "9999-12-31T00:00:00Z".into()
    });
    let huge_grid = hostile("grid.json", &|p| {
        let item = p["items"][0].clone();
        let location = p["locations"][0].clone();
        p["items"] = serde_json::Value::Array(vec![item; 5_001]);
        p["locations"] = serde_json::Value::Array(vec![location; 5_000]);
    });
    let reasons = [
        (
            &overflowing,
            "a quantity or amount in its ledger is beyond 10^15",
        ),
        (
            &far_future,
            "a date in its ledger is outside the years 1900 to 2200",
        ),
        (
            &huge_grid,
            "its 5001 items at 5000 locations are more pairs than 25000000",
        ),
    ];
    for (path, reason) in reasons {
        let damaged = format!(
            "{} is damaged ({reason}) and was not opened.",
            path.display()
        );
        let csv = dir.path().join("out.csv");
        for args in [
            vec!["inspect".to_owned()],
            vec![
                "export".to_owned(),
                "--csv".to_owned(),
                csv.display().to_string(),
            ],
            vec![
                "regroup".to_owned(),
                "--group-by".to_owned(),
                "day".to_owned(),
            ],
        ] {
            let output = bin()
                .arg(&args[0])
                .arg(path)
                .args(&args[1..])
                .output()
                .unwrap();
            assert_eq!(refusal(&output), damaged, "{args:?}");
        }
        assert!(!csv.exists());
    }
    // A file past 2 GiB is refused before it is read (a sparse file: nothing is written).
    let huge = dir.path().join("huge.json");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len((2 << 30) + 1)
        .unwrap();
    let output = bin().arg("inspect").arg(&huge).output().unwrap();
    assert_eq!(
        refusal(&output),
        format!(
            "{} is 2048 MiB, larger than the 2 GiB a project file can be, so it was not opened.",
            huge.display()
        )
    );
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Every file under `dir`, as bytes, with its path.
fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                found.push((path, bytes));
            }
        }
    }
    found
}

#[test]
fn the_key_shows_up_nowhere_even_in_trace_logs() {
    use base64::Engine;
    let secret = "k3y-that-must-never-leak-91c7";
    let header = base64::engine::general_purpose::STANDARD.encode(format!("{USERNAME}:{secret}"));
    let home = tempfile::tempdir().unwrap();
    let state = home.path().join("state");
    let out = home.path().join("shop.json");
    let mut config = cin7_planner::sandbox::SandboxConfig::new(fixture_account(), USERNAME, secret);
    config.rate_limits = cin7_planner::rate_limit::RateLimits::unlimited();
    let good = cin7_planner::sandbox::Sandbox::start(config.clone()).unwrap();
    let failing = |faults: &str| {
        let mut config = config.clone();
        config.faults = faults.parse().unwrap();
        cin7_planner::sandbox::Sandbox::start(config).unwrap()
    };
    let (server_error, dropped) = (failing("500@1"), failing("drop@1"));
    let run = |args: &[&str], key: &str| {
        bin_with_state(&state)
            .env("HOME", home.path())
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_STATE_HOME", home.path().join("xdg-state"))
            .env("CIN7_PLANNER_LOG", "trace")
            .env("CIN7_API_KEY", key)
            .args(args)
            .output()
            .unwrap()
    };
    let import_args = |base: &str| {
        vec![
            "import".to_owned(),
            "--username".into(),
            USERNAME.into(),
            "--start".into(),
            "2024-01-01".into(),
            "--base-url".into(),
            base.to_owned(),
            "--rate-limits".into(),
            "3/20ms,60/400ms,5000/1d".into(),
            "--out".into(),
            out.display().to_string(),
            // Each import after the first goes over the first's file.
            "--force".into(),
        ]
    };
    let mut outputs = Vec::new();
    let args = import_args(good.base_url());
    outputs.push(run(&strs(&args), secret));
    assert!(outputs[0].status.success(), "{}", text(&outputs[0].stderr));
    outputs.push(run(
        &[
            "update",
            &out.display().to_string(),
            "--rate-limits",
            "none",
        ],
        secret,
    ));
    assert!(outputs[1].status.success(), "{}", text(&outputs[1].stderr));
    // A wrong key, a server failing, a dropped connection: each fails, and says nothing of it.
    let wrong = "wr0ng-key-that-must-never-leak-55a";
    for (base, key) in [
        (good.base_url(), wrong),
        (server_error.base_url(), secret),
        (dropped.base_url(), secret),
    ] {
        let mut args = import_args(base);
        let retries = args.iter().position(|a| a == "--rate-limits").unwrap() + 1;
        args[retries] = "3/2ms,60/40ms,5000/1d".into();
        let output = run(&strs(&args), key);
        assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
        outputs.push(output);
    }
    let wrong_header =
        base64::engine::general_purpose::STANDARD.encode(format!("{USERNAME}:{wrong}"));
    let needles = [secret, header.as_str(), wrong, wrong_header.as_str()];
    for output in &outputs {
        assert!(
            text(&output.stderr).contains("TRACE"),
            "trace logs were written"
        );
        for stream in [&output.stdout, &output.stderr] {
            let text = text(stream);
            for needle in needles {
                assert!(
                    !text.contains(needle),
                    "the key in the output: …{}…",
                    &text[text.find(needle).unwrap().saturating_sub(80)..][..120]
                );
            }
        }
    }
    let files = files_under(home.path());
    assert!(files.iter().any(|(p, _)| p.ends_with("calls.json")));
    assert!(files.iter().any(|(p, _)| p.ends_with("shop.json")));
    for (path, bytes) in files {
        let text = String::from_utf8_lossy(&bytes);
        for needle in needles {
            assert!(!text.contains(needle), "the key in {}", path.display());
        }
    }
}

/// The fixture's sandbox, and the fixture imported from it into `shop.json` in `dir`, with
/// the state folder beside it: the sandbox, the project and the state folder.
fn fixture_imported(dir: &Path) -> (cin7_planner::sandbox::Sandbox, PathBuf, PathBuf) {
    let sandbox = serve(fixture_account());
    let project = dir.join("shop.json");
    let state = dir.join("state");
    let output = import_with_state(sandbox.base_url(), Some(KEY), &project, &state);
    assert!(output.status.success(), "{}", text(&output.stderr));
    (sandbox, project, state)
}

/// `update PROJECT` with `key`, at the limits the tests' imports keep to.
fn update_command(state: &Path, project: &Path, key: &str) -> Command {
    let mut command = bin_with_state(state);
    command
        .arg("update")
        .arg(project)
        .args(["--rate-limits", "3/100ms,60/2s,5000/1d"])
        .env("CIN7_API_KEY", key);
    command
}

#[test]
fn a_failed_update_leaves_the_project_byte_for_byte_and_an_unwritable_out_costs_no_call() {
    let dir = tempfile::tempdir().unwrap();
    let (sandbox, project, state) = fixture_imported(dir.path());
    let saved = std::fs::read(&project).unwrap();
    let update = |key: &str, extra: &[&std::ffi::OsStr]| {
        update_command(&state, &project, key)
            .args(extra)
            .output()
            .unwrap()
    };

    let calls = sandbox.requests().len();
    let output = update("wrong-key", &[]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stderr).lines().last(),
        Some(
            "Cin7 rejected the API username or key (HTTP 401): check both in Cin7 under Settings > Integrations & API > API v1."
        )
    );
    assert_eq!(std::fs::read(&project).unwrap(), saved);
    assert!(sandbox.requests().len() > calls, "the update did call Cin7");

    let calls = sandbox.requests().len();
    let folder = dir.path().join("a-folder");
    std::fs::create_dir(&folder).unwrap();
    let output = update(KEY, &["--out".as_ref(), folder.as_os_str()]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("it is a folder"), "{stderr}");
    assert_eq!(
        sandbox.requests().len(),
        calls,
        "no call before --out is known writable"
    );
    assert_eq!(std::fs::read(&project).unwrap(), saved);
}

/// `update --full` reads the whole history again newest first, printing how far back it is
/// exact as `import` does, and writes the table the import wrote.
#[test]
fn a_full_update_prints_how_far_back_it_is_exact_and_reads_the_same_project() {
    let dir = tempfile::tempdir().unwrap();
    // The sandbox answers until the end of the test.
    let (_sandbox, project, state) = fixture_imported(dir.path());
    let imported = long_table(&project);

    let again = dir.path().join("again.json");
    let output = update_command(&state, &project, KEY)
        .arg("--full")
        .arg("--out")
        .arg(&again)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_exact_lines(&text(&output.stderr), "2023-12-26");
    // The same table, but for when Cin7 measured the stock: the time it was asked.
    let when_measured_dropped = |rows: Vec<String>| -> Vec<String> {
        rows.into_iter()
            .map(|row| match row.rfind("Z,") {
                Some(end) => {
                    let start = row[..end].rfind(',').unwrap();
                    format!("{}{}", &row[..start], &row[end + 1..])
                }
                None => row,
            })
            .collect()
    };
    assert_eq!(
        when_measured_dropped(long_table(&again)),
        when_measured_dropped(imported)
    );
}

/// A project file is never replaced against the planner's will: `import --out` over an
/// existing one needs `--force`, and a read-only one is refused by `import`, `update` and
/// `regroup` alike, before any call to Cin7, the file left byte for byte and still read-only.
#[test]
fn an_existing_project_needs_force_and_a_read_only_one_is_never_replaced() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = serve(fixture_account());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("shop.json");
    assert!(import(sandbox.base_url(), Some(KEY), &out).status.success());
    let calls = sandbox.requests().len();
    let again = import(sandbox.base_url(), Some(KEY), &out);
    assert!(!again.status.success());
    assert_eq!(
        text(&again.stderr),
        format!(
            "{} exists already, so nothing was read: give --force to replace it, or --out another file.\n",
            out.display()
        )
    );
    assert_eq!(sandbox.requests().len(), calls, "no call was made");
    let state = std::env::temp_dir().join(format!("cin7-planner-cli-tests-{}", std::process::id()));
    let forced = import_with(sandbox.base_url(), Some(KEY), &out, &state, &["--force"]);
    assert!(forced.status.success(), "{}", text(&forced.stderr));

    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = std::fs::read(&out).unwrap();
    let calls = sandbox.requests().len();
    let refused = format!(
        "{} is read-only, so it was not replaced: give --out another file.\n",
        out.display()
    );
    let regroup = bin()
        .args(["regroup", "--group-by", "week"])
        .arg(&out)
        .output()
        .unwrap();
    let update = bin()
        .arg("update")
        .arg(&out)
        .env("CIN7_API_KEY", KEY)
        .output()
        .unwrap();
    let import_over = import_with(sandbox.base_url(), Some(KEY), &out, &state, &["--force"]);
    for (command, output) in [
        ("regroup", regroup),
        ("update", update),
        ("import", import_over),
    ] {
        assert!(!output.status.success(), "{command}");
        assert_eq!(text(&output.stderr), refused, "{command}");
    }
    assert_eq!(sandbox.requests().len(), calls, "no call was made");
    assert_eq!(std::fs::read(&out).unwrap(), before);
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o444);
    // Elsewhere, it goes.
    let elsewhere = dir.path().join("weekly.json");
    let regrouped = bin()
        .args(["regroup", "--group-by", "week", "--out"])
        .arg(&elsewhere)
        .arg(&out)
        .output()
        .unwrap();
    assert!(regrouped.status.success(), "{}", text(&regrouped.stderr));
}

/// A branch the account does not have stops the import as soon as the branches are read,
/// naming the account's branches by id and name; nothing is written.
#[test]
fn an_unknown_branch_is_refused_with_the_account_s_branches() {
    let sandbox = serve(fixture_account());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("shop.json");
    let state = dir.path().join("state");
    let output = import_with(
        sandbox.base_url(),
        Some(KEY),
        &out,
        &state,
        &["--branches", "1,9"],
    );
    assert!(!output.status.success());
    assert_eq!(
        text(&output.stderr).lines().last().unwrap(),
        "This Cin7 account has no branch 9: its branches are 1 (Warehouse), 2 (Shop, Main St)."
    );
    assert!(!out.exists());
}

/// Every planning table of a generated account, as CSV with the columns in the issue's order
/// and as one workbook with a sheet per table.
#[test]
fn export_writes_the_planning_tables_and_the_workbook() {
    let end = chrono::Utc::now();
    let account = cin7_planner::sandbox::generate(cin7_planner::sandbox::Preset::Small, 4, end);
    let sandbox = serve(account);
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("shop.json");
    let start = (end - chrono::Duration::days(40)).date_naive().to_string();
    let output = bin_with_state(&dir.path().join("state"))
        .args(["import", "--username", USERNAME, "--start", &start])
        .args(["--base-url", sandbox.base_url(), "--out"])
        .arg(&project)
        .args(["--rate-limits", "1000/1s", "--channels", "POS,Shopify"])
        .env("CIN7_API_KEY", KEY)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let path = |name: &str| dir.path().join(name);
    let output = bin()
        .arg("export")
        .arg(&project)
        .arg("--orders-to-ship")
        .arg(path("ship.csv"))
        .arg("--orders-to-receive")
        .arg(path("receive.csv"))
        .arg("--lead-times")
        .arg(path("lead.csv"))
        .arg("--kits")
        .arg(path("kits.csv"))
        .arg("--xlsx")
        .arg(path("plan.xlsx"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let lines = |name: &str| -> Vec<String> {
        std::fs::read_to_string(path(name))
            .unwrap()
            .split("\r\n")
            .map(str::to_owned)
            .collect()
    };
    let (ship, receive, lead, kits) = (
        lines("ship.csv"),
        lines("receive.csv"),
        lines("lead.csv"),
        lines("kits.csv"),
    );
    assert_eq!(
        ship[0],
        "item_code,location,order_type,order_number,qty_to_ship,shipment_date,channel"
    );
    assert_eq!(
        receive[0],
        "item_code,location,order_type,order_number,qty_to_receive,delivery_date,sendout_date,source_from,lot_cost,currency"
    );
    assert_eq!(
        lead[0],
        "item_code,location,receipts,lead_time_days,lead_time_sd_days,last_receipt,planning_lead_time_days,planning_lead_time_source"
    );
    assert_eq!(kits[0], "kit_code,component_code,multiplier");
    // Each has rows; purchases carry their currency and dates in ISO form.
    for table in [&ship, &receive, &lead, &kits] {
        assert!(table.len() > 3, "{table:?}");
    }
    assert!(
        receive
            .iter()
            .any(|r| r.contains(",purchase,") && r.ends_with(",USD")),
        "{receive:?}"
    );
    let dated = |row: &String| {
        row.split(',')
            .nth(5)
            .is_some_and(|d| d.len() == 10 && d.as_bytes()[4] == b'-')
    };
    assert!(ship.iter().skip(1).any(dated), "{ship:?}");
    // The channels option leaves the history to POS and Shopify, not the open orders.
    assert!(ship.iter().any(|r| r.ends_with(",B2B")), "{ship:?}");
    // The workbook: a zip holding a sheet per table.
    let book = std::fs::read(path("plan.xlsx")).unwrap();
    assert_eq!(&book[..2], b"PK");
    let names = String::from_utf8_lossy(&book).into_owned();
    for sheet in ["sheet1.xml", "sheet6.xml"] {
        assert!(names.contains(sheet), "no {sheet}");
    }
}

/// `--version` names the version and the commit the binary was built from (git's, in a
/// checkout), as Help > About does.
#[test]
fn version_names_the_commit() {
    let output = bin().arg("--version").output().unwrap();
    assert!(output.status.success());
    let printed = text(&output.stdout);
    assert_eq!(
        printed,
        format!("cin7-planner {}\n", cin7_planner::identity::VERSION)
    );
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .unwrap();
    let head = text(&head.stdout);
    assert_eq!(
        printed,
        format!(
            "cin7-planner {} ({})\n",
            env!("CARGO_PKG_VERSION"),
            head.trim()
        )
    );
}
