//! `import` and `update`: a run on a worker, its progress on stderr, Ctrl+C as a clean stop
//! (the checkpoint and the call count kept, exit code 130), the project saved, and only then
//! the run's checkpoint deleted.

use super::progress::ProgressPrinter;
use super::{CliError, ImportArgs, UpdateArgs};
use crate::cin7::{ApiKey, BaseUrl, CallLog};
use crate::import::{
    DEFAULT_OVERLAP, ImportEvent, ImportJob, ImportRequest, Partials, RunStore, UpdateRequest,
};
use crate::project::{ConnectionInfo, ImportSettings, Project, RunKind, file};
use crate::secrets::{KeyringStore, SecretStore};
use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

/// The key from `CIN7_API_KEY`, else from the credential store, else asked for without echo.
fn read_key(connection: &ConnectionInfo) -> Result<ApiKey, CliError> {
    if let Ok(key) = std::env::var("CIN7_API_KEY").map(zeroize::Zeroizing::new)
        && !key.trim().is_empty()
    {
        return Ok(ApiKey::new(key.as_str()));
    }
    if let Ok(Some(key)) = KeyringStore::new().get(connection) {
        return Ok(key);
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::NoKey);
    }
    let typed = rpassword::prompt_password("Cin7 API key: ")
        .map_err(|e| CliError::KeyPrompt(crate::io_error::read_reason(&e)))?;
    let key = ApiKey::new(zeroize::Zeroizing::new(typed).as_str());
    if key.is_empty() {
        return Err(CliError::EmptyKey);
    }
    Ok(key)
}

/// Fails now, before any call, if `path` is a file this user may not replace.
pub(super) fn check_replaceable(path: &Path) -> Result<(), CliError> {
    if path.exists() && !path.is_dir() && !crate::atomic_file::may_replace(path) {
        return Err(CliError::ReadOnly {
            path: path.to_owned(),
        });
    }
    Ok(())
}

/// Fails now, before any call, if `path` cannot be written (or may not be replaced).
fn check_writable(path: &Path) -> Result<(), CliError> {
    check_replaceable(path)?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let probe = tempfile::Builder::new()
        .prefix(".cin7-planner-check-")
        .tempfile_in(dir);
    let is_dir = path.is_dir();
    match (probe, is_dir) {
        (Ok(_), false) => Ok(()),
        (Ok(_), true) => Err(CliError::NotWritable {
            path: path.to_owned(),
            reason: "it is a folder".into(),
        }),
        (Err(e), _) => Err(CliError::NotWritable {
            path: path.to_owned(),
            reason: crate::io_error::reason(&e),
        }),
    }
}

fn state_dir() -> Option<std::path::PathBuf> {
    crate::state_dir()
}

pub(super) fn import(args: ImportArgs) -> Result<(), CliError> {
    let base_url = BaseUrl::parse(&args.base_url)?;
    check_writable(&args.out)?;
    if args.out.exists() && !args.force {
        return Err(CliError::Exists {
            path: args.out.clone(),
        });
    }
    let connection = ConnectionInfo {
        base_url: base_url.as_str().to_owned(),
        username: args.username.trim().to_owned(),
    };
    let key = read_key(&connection)?;
    let settings = ImportSettings {
        week_start: args.week_start,
        sale_date: args.sale_date,
        dispatched_only: args.dispatched_only,
        returns: !args.no_returns,
        branches: args.branches,
        channels: args.channels,
        ..ImportSettings::new(
            args.start,
            args.group_by,
            args.tz
                .unwrap_or_else(crate::project::calendar::system_time_zone),
        )
    };
    let run_store = state_dir().map(|dir| RunStore::for_import(&dir, &connection, &settings));
    if let (Some(store), false) = (&run_store, args.resume) {
        store.forget();
    }
    let request = ImportRequest {
        call_log: CallLog::for_user(),
        run_store: run_store.clone(),
        ..ImportRequest::new(connection, key, settings.clone(), args.rate_limits)
    };
    let job = ImportJob::spawn(request, Partials::NotShown, || {});
    let project = drive(&job, &settings)?;
    save_then_forget(&project, &args.out, run_store.as_ref())?;
    println!(
        "Imported {} items at {} locations in {} periods ({} calls) into {}.",
        project.items.len(),
        project.locations.len(),
        project.periods.len(),
        project.report.calls,
        args.out.display()
    );
    Ok(())
}

pub(super) fn update(args: UpdateArgs) -> Result<(), CliError> {
    let project = file::open(&args.file)?;
    let out = args.out.clone().unwrap_or_else(|| args.file.clone());
    check_writable(&out)?;
    let connection = project.connection.clone();
    BaseUrl::parse(&connection.base_url)?;
    let key = read_key(&connection)?;
    let kind = if args.full {
        RunKind::Reimport
    } else {
        RunKind::Update
    };
    let run_store =
        state_dir().map(|dir| RunStore::for_project(&dir, kind, &connection, &args.file));
    let settings = project.settings.clone();
    let run = ImportRequest {
        call_log: CallLog::for_user(),
        run_store: run_store.clone(),
        ..ImportRequest::new(connection, key, settings.clone(), args.rate_limits)
    };
    let job = if args.full {
        ImportJob::spawn_reimport(run, project.into(), Some(args.file.clone()), || {})
    } else {
        let overlap = match &args.overlap {
            Some(text) => {
                crate::duration::parse(text).ok_or_else(|| CliError::BadOverlap(text.clone()))?
            }
            None => DEFAULT_OVERLAP,
        };
        ImportJob::spawn_update(
            UpdateRequest {
                run,
                project: project.into(),
                path: Some(args.file.clone()),
                overlap,
            },
            || {},
        )
    };
    let updated = drive(&job, &settings)?;
    save_then_forget(&updated, &out, run_store.as_ref())?;
    let changes = updated
        .history
        .last()
        .map(crate::project::RunEntry::changes_text)
        .unwrap_or_default();
    println!(
        "Updated {}: {changes}, {} calls; {} periods up to {}.",
        out.display(),
        updated.report.calls,
        updated.periods.len(),
        updated
            .periods
            .last()
            .map(|p| p.last_day().to_string())
            .unwrap_or_default()
    );
    Ok(())
}

/// Saves the project, and only then deletes the checkpoint of the run that made it.
fn save_then_forget(
    project: &Project,
    path: &Path,
    store: Option<&RunStore>,
) -> Result<(), CliError> {
    tracing::debug!(path = %path.display(), "saving the project");
    file::save(project, path)?;
    tracing::debug!(path = %path.display(), "saved the project");
    if let Some(store) = store {
        store.forget();
    }
    Ok(())
}

/// Follows a run with `settings` to its end on stderr; Ctrl+C stops it cleanly.
fn drive(job: &ImportJob, settings: &ImportSettings) -> Result<Project, CliError> {
    let interrupted = on_interrupt(job.canceller());
    let mut printer = ProgressPrinter::new(settings.clone());
    loop {
        match job.next_timeout(Duration::from_millis(200)) {
            Some(ImportEvent::Progress(p)) => printer.show(&p),
            Some(ImportEvent::Finished(result)) => {
                printer.finish();
                if interrupted.load(std::sync::atomic::Ordering::SeqCst) {
                    return Err(CliError::Interrupted);
                }
                return Ok((*result)?);
            }
            // Partial projects are not asked for: the progress says how far back the run is
            // exact instead.
            Some(ImportEvent::Partial(_)) | None => {}
        }
    }
}

/// Cancels through `cancel` when the process is interrupted (Ctrl+C); the flag says it was.
fn on_interrupt(
    cancel: tokio_util::sync::CancellationToken,
) -> std::sync::Arc<std::sync::atomic::AtomicBool> {
    let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let raised = std::sync::Arc::clone(&flag);
    let listening = std::thread::Builder::new()
        .name("cin7-interrupt".into())
        .spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async {
                tokio::select! {
                    signal = tokio::signal::ctrl_c() => {
                        if signal.is_ok() {
                            raised.store(true, std::sync::atomic::Ordering::SeqCst);
                            cancel.cancel();
                        }
                    }
                    () = cancel.cancelled() => {}
                }
            });
        });
    if let Err(error) = listening {
        tracing::warn!(%error, "Ctrl+C will not stop the run cleanly");
    }
    flag
}
