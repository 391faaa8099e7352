//! Build script: records the commit the binary is built from (`CIN7_PLANNER_COMMIT`, shown by
//! `--version` and Help > About), and on Windows embeds the icon and version into the `.exe`.
//!
//! The commit comes from the environment when a packager sets it (a build from a source
//! archive has no `.git`), else from git; "unknown" when neither can tell.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=CIN7_PLANNER_COMMIT");
    // A new commit moves HEAD or the branch it points at; either reruns this script.
    println!("cargo:rerun-if-changed=.git/HEAD");
    if let Ok(head) = std::fs::read_to_string(".git/HEAD")
        && let Some(branch) = head.strip_prefix("ref: ")
    {
        println!("cargo:rerun-if-changed=.git/{}", branch.trim());
    }
    let commit = std::env::var("CIN7_PLANNER_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(git_commit)
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=CIN7_PLANNER_COMMIT={commit}");

    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("windows") {
        windows_resources();
    }
}

/// The short hash of HEAD, if this is a git checkout with git installed.
fn git_commit() -> Option<String> {
    let out = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()?;
    let hash = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (out.status.success() && !hash.is_empty()).then_some(hash)
}

/// The icon Explorer shows for the `.exe`, and its version in Properties.
#[cfg(windows)]
fn windows_resources() {
    let mut resource = winresource::WindowsResource::new();
    resource.set_icon("packaging/windows/cin7-planner.ico");
    if let Err(error) = resource.compile() {
        panic!("the Windows resources could not be embedded: {error}");
    }
}

#[cfg(not(windows))]
fn windows_resources() {
    // Cross-building for Windows from here is not supported (see packaging/README.md): the
    // release workflow builds the Windows package on a Windows runner.
    println!("cargo:warning=the Windows icon is embedded only when building on Windows");
}
