//! The `cin7-planner` binary: the window with no subcommand (its log also kept in a file in
//! the state folder), a headless command otherwise; a failure printed as its one sentence,
//! with exit code 1 (130 when interrupted).

#![forbid(unsafe_code)]
// A release on Windows opens no console window behind the app; its commands still print to a
// pipe or a file (`cin7-planner --version > version.txt`), as the release workflow reads them.
#![cfg_attr(all(windows, not(debug_assertions)), windows_subsystem = "windows")]

use cin7_planner::cli::{self, Cli};
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = Cli::parse();
    let window = args.command.is_none();
    logging(window);
    let result = match args.command {
        Some(command) => cli::run(command),
        None => {
            cin7_planner::ui::run_window(args.demo, args.project).map_err(cli::CliError::Window)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            match error {
                cli::CliError::Interrupted => ExitCode::from(130),
                _ => ExitCode::FAILURE,
            }
        }
    }
}

/// Log lines go to standard error (warnings and up, or what `CIN7_PLANNER_LOG` asks for);
/// the window's also to its log file, where it can be opened.
fn logging(window: bool) {
    use std::io::IsTerminal;
    let filter = || {
        tracing_subscriber::EnvFilter::try_from_env("CIN7_PLANNER_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"))
    };
    let file = window
        .then(cin7_planner::state_dir)
        .flatten()
        .and_then(|dir| cin7_planner::log_file::open(&dir).ok());
    match file {
        Some(file) => {
            let tee = cin7_planner::log_file::Tee::new(file);
            tracing_subscriber::fmt()
                .with_writer(move || tee.clone())
                .with_ansi(false)
                .with_env_filter(filter())
                .init();
        }
        None => {
            tracing_subscriber::fmt()
                .with_writer(std::io::stderr)
                // Colour codes only for a person at a terminal, never into a file or a pipe.
                .with_ansi(std::io::stderr().is_terminal())
                .with_env_filter(filter())
                .init();
        }
    }
}
