//! Who the app is: its reverse-DNS id (the window's class, the desktop entry, the MIME type's
//! files, the settings folder), its name, and its version with the commit it was built from.

/// The application id, the same on every platform and in every package.
pub const APP_ID: &str = "com.cin7planner.Cin7Planner";

/// The name a planner sees: the window's title, the menu entry.
pub const APP_NAME: &str = "Cin7 Planner";

/// The version and the commit, as `--version` and Help > About give them: "0.1.0 (3f2a9c1b7d4e)".
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("CIN7_PLANNER_COMMIT"),
    ")"
);
