//! The command line end to end: a real `cin7-planner` process against sandboxes on loopback.

mod common;

use chrono::Datelike;
use common::*;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cin7-planner"));
    command.env_remove("CIN7_API_KEY").stdin(Stdio::null());
    command
}

fn import(base_url: &str, key: Option<&str>, out: &Path) -> Output {
    let mut command = bin();
    command.args([
        "import",
        "--username",
        USERNAME,
        "--start",
        "2024-01-01",
        "--group-by",
        "month",
        "--tz",
        "Pacific/Auckland",
        "--rate-limits",
        "3/100ms,60/2s",
        "--base-url",
        base_url,
        "--out",
    ]);
    command.arg(out);
    if let Some(key) = key {
        command.env("CIN7_API_KEY", key);
    }
    command.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
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
            "Imported 4 items at 2 locations in {months} periods (6 calls) into {}.\n",
            project.display()
        )
    );
    assert!(text(&output.stderr).contains("Reading from Cin7"));
    assert!(!text(&output.stderr).contains(KEY));

    let output = bin().arg("inspect").arg(&project).output().unwrap();
    assert!(output.status.success());
    let summary = text(&output.stdout);
    for line in [
        format!("Connection: {USERNAME} at {}", sandbox.base_url()),
        "Settings: from 2024-01-01 grouped by months in Pacific/Auckland, weeks from Mon".to_owned(),
        format!("Periods: {months} (2024-01-01 to "),
        "Items: 4 (2 sized)".to_owned(),
        "Locations: 2".to_owned(),
        "Series: 5".to_owned(),
        "Sales: 9 units, revenue 118.00".to_owned(),
        "Records read: Branches 2, Products 2, SalesOrders 8".to_owned(),
        "Not counted: 2 draft or void orders, 1 orders outside the periods, 1 unknown-item lines, 1 kit component lines, 1 documents at unknown branches".to_owned(),
    ] {
        assert!(summary.contains(&line), "missing {line:?} in\n{summary}");
    }

    let csv = dir.path().join("shop.csv");
    let output = bin()
        .arg("export")
        .arg(&project)
        .arg("--csv")
        .arg(&csv)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let table = std::fs::read_to_string(&csv).unwrap();
    let rows: Vec<&str> = table.split("\r\n").collect();
    assert_eq!(
        rows.len(),
        1 + 5 * months + 1,
        "one row per period of 5 series, and the final line end"
    );
    assert_eq!(
        rows[0],
        "item_code,item_description,location,period_start,period_end,sales_qty,sales_revenue,on_hand"
    );
    assert_eq!(rows[1], "MUG-BLU,Mug,Warehouse,2024-01-01,2024-01-31,2,20,");
    assert_eq!(rows[2], "MUG-BLU,Mug,Warehouse,2024-02-01,2024-02-29,0,0,");
    assert_eq!(
        rows[1 + months],
        "MUG-BLU,Mug,\"Shop, Main St\",2024-01-01,2024-01-31,3,30,"
    );
    assert_eq!(
        rows[1 + 2 * months],
        "MUG-RED,Mug,Warehouse,2024-01-01,2024-01-31,1,14,"
    );
    assert_eq!(
        rows[1 + 3 * months + 1],
        "TEE-RED-S,Tee,\"Shop, Main St\",2024-02-01,2024-02-29,1,18,"
    );
    assert_eq!(
        rows[1 + 4 * months + 1],
        "TEE-RED-M,Tee,\"Shop, Main St\",2024-02-01,2024-02-29,2,36,"
    );
    assert_eq!(rows.last(), Some(&""));
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
    let mut child = bin()
        .args([
            "import",
            "--username",
            USERNAME,
            "--start",
            "2024-01-01",
            "--base-url",
            sandbox.base_url(),
            "--out",
        ])
        .arg(&project)
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
