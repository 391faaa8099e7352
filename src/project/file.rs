//! The project file: versioned JSON (docs/project-format.md), saved atomically. A project with
//! a ledger is saved as its ledger and the series are rebuilt from it on opening; one without
//! (made before projects kept one) keeps its series, one value per period.

use super::planning::Planning;
use super::rebuild::rebuild;
use super::{
    ConnectionInfo, ImportReport, ImportSettings, Item, Ledger, Location, Period, PeriodSales,
    Project, RunEntry, Series,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// A project file's own extension (JSON inside, registered as the MIME type
/// `application/x-cin7planner-project`), then the extension of the projects saved before it,
/// which keep opening and keep their name.
pub const EXTENSIONS: [&str; 2] = ["cin7plan", "json"];

/// The name of a project file without its extension: "shop" of "shop.cin7plan" or of
/// "shop.json", for the names of what is exported from it.
pub fn stem(name: &str) -> &str {
    EXTENSIONS
        .iter()
        .find_map(|extension| {
            let stem = name.strip_suffix(extension)?.strip_suffix('.')?;
            (!stem.is_empty()).then_some(stem)
        })
        .unwrap_or(name)
}

/// The `format` marker every project file starts with.
pub const FORMAT: &str = "cin7-planner project";
/// The newest format version this build writes and reads.
pub const VERSION: u32 = 4;
/// The largest project file this build opens: the JSON of a ledger the limits allow fits well
/// within it, and a larger file is not read into memory at all.
pub const MAX_FILE_BYTES: u64 = 2 << 30;

#[derive(Debug, thiserror::Error)]
pub enum ProjectFileError {
    #[error("Could not read {path} ({reason}).")]
    Read { path: PathBuf, reason: String },
    #[error("Could not save {path} ({reason}); the previous file, if any, is unchanged.")]
    Write { path: PathBuf, reason: String },
    #[error("{path} is read-only, so it was not replaced: save the project under another name.")]
    ReadOnly { path: PathBuf },
    #[error("{path} is not a Cin7 Planner project file.")]
    NotAProject { path: PathBuf },
    #[error("{path} is damaged ({detail}) and was not opened.")]
    Damaged { path: PathBuf, detail: String },
    #[error(
        "{path} is {} MiB, larger than the 2 GiB a project file can be, so it was not opened.",
        size >> 20
    )]
    TooLarge { path: PathBuf, size: u64 },
    #[error(
        "{path} was saved by a newer Cin7 Planner (format version {version}; this one reads up to {VERSION}): update the app to open it."
    )]
    TooNew { path: PathBuf, version: u32 },
}

#[derive(Serialize)]
struct Envelope<'a> {
    format: &'static str,
    version: u32,
    project: Saved<'a>,
}

/// A project as the file holds it: borrowed to save, owned when opened.
#[derive(Serialize, Deserialize)]
struct Saved<'a> {
    connection: Cow<'a, ConnectionInfo>,
    settings: Cow<'a, ImportSettings>,
    items: Cow<'a, [Item]>,
    locations: Cow<'a, [Location]>,
    last_period_in_progress: bool,
    report: Cow<'a, ImportReport>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ledger: Option<Cow<'a, Ledger>>,
    /// Absent from files of version 2 and before: their one import is not listed.
    #[serde(default)]
    history: Cow<'a, [RunEntry]>,
    /// Only without a ledger: the periods and the series, one value per period.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    periods: Vec<Period>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    series: Vec<DenseSeries>,
}

/// A series with one value per period, as projects without a ledger keep it.
#[derive(Serialize, Deserialize)]
struct DenseSeries {
    item: usize,
    location: usize,
    sales_qty: Vec<Decimal>,
    sales_revenue: Vec<Decimal>,
    on_hand: Option<Vec<Decimal>>,
}

impl DenseSeries {
    fn of(series: &Series, periods: usize) -> Self {
        Self {
            item: series.item,
            location: series.location,
            sales_qty: series.sales_qty(periods),
            sales_revenue: series.sales_revenue(periods),
            on_hand: series.on_hand_values(periods),
        }
    }

    /// The sparse series, or `None` when the values are not one per period.
    fn into_series(self, periods: usize) -> Option<Series> {
        let lengths_match = self.sales_qty.len() == periods
            && self.sales_revenue.len() == periods
            && self.on_hand.as_ref().is_none_or(|o| o.len() == periods);
        if !lengths_match {
            return None;
        }
        let sales = (0u32..)
            .zip(self.sales_qty.into_iter().zip(self.sales_revenue))
            .filter(|(_, (qty, revenue))| !(qty.is_zero() && revenue.is_zero()))
            .map(|(period, (qty, revenue))| PeriodSales {
                period,
                qty,
                revenue,
                // Files without a ledger kept no cost.
                cost: Decimal::ZERO,
            })
            .collect();
        let on_hand = self.on_hand.map(|values| {
            let mut changes: Vec<(u32, Decimal)> = (0u32..).zip(values).collect();
            changes.dedup_by(|later, earlier| later.1 == earlier.1);
            changes
        });
        Some(Series {
            item: self.item,
            location: self.location,
            sales,
            on_hand,
            measured: Vec::new(),
        })
    }
}

/// Only the header, read first so that a newer or foreign file is told apart from damage.
#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    version: Option<u32>,
}

#[derive(Deserialize)]
struct OwnedEnvelope {
    project: Saved<'static>,
}

/// Writes the project to `path` atomically: a temporary file beside it, flushed to disk, then
/// renamed over the target, so a crash or a full disk never leaves a half-written project.
pub fn save(project: &Project, path: &Path) -> Result<(), ProjectFileError> {
    let without_ledger = project.ledger.is_none();
    let periods = project.periods.len();
    let saved = Saved {
        connection: Cow::Borrowed(&project.connection),
        settings: Cow::Borrowed(&project.settings),
        items: Cow::Borrowed(&project.items),
        locations: Cow::Borrowed(&project.locations),
        last_period_in_progress: project.last_period_in_progress,
        report: Cow::Borrowed(&project.report),
        ledger: project.ledger.as_ref().map(Cow::Borrowed),
        history: Cow::Borrowed(&project.history),
        periods: if without_ledger {
            project.periods.clone()
        } else {
            Vec::new()
        },
        series: if without_ledger {
            project
                .series
                .iter()
                .map(|s| DenseSeries::of(s, periods))
                .collect()
        } else {
            Vec::new()
        },
    };
    let envelope = Envelope {
        format: FORMAT,
        version: VERSION,
        project: saved,
    };
    crate::atomic_file::write(path, |out| {
        serde_json::to_writer(out, &envelope).map_err(std::io::Error::other)
    })
    .map_err(|e| {
        if crate::io_error::is_read_only(&e) {
            ProjectFileError::ReadOnly {
                path: path.to_owned(),
            }
        } else {
            ProjectFileError::Write {
                path: path.to_owned(),
                reason: crate::io_error::reason(&e),
            }
        }
    })
}

/// Reads a project file, telling apart a foreign file, a newer format and a damaged one.
pub fn open(path: &Path) -> Result<Project, ProjectFileError> {
    let unreadable = |e: std::io::Error| ProjectFileError::Read {
        path: path.to_owned(),
        reason: crate::io_error::read_reason(&e),
    };
    let size = std::fs::metadata(path).map_err(unreadable)?.len();
    if size > MAX_FILE_BYTES {
        return Err(ProjectFileError::TooLarge {
            path: path.to_owned(),
            size,
        });
    }
    let bytes = std::fs::read(path).map_err(unreadable)?;
    let saved = parse(&bytes, path)?;
    // The series are rebuilt without the file's text in memory beside them.
    drop(bytes);
    let damaged = |detail: String| ProjectFileError::Damaged {
        path: path.to_owned(),
        detail,
    };
    let project = into_project(saved).map_err(damaged)?;
    // Series rebuilt from a checked ledger are right by construction; stored ones may not be.
    if project.ledger.is_none() {
        project.validate().map_err(damaged)?;
    }
    Ok(project)
}

fn parse(bytes: &[u8], path: &Path) -> Result<Saved<'static>, ProjectFileError> {
    let damaged = |detail: String| ProjectFileError::Damaged {
        path: path.to_owned(),
        detail,
    };
    let header: Header = match serde_json::from_slice(bytes) {
        Ok(header) => header,
        Err(e) if e.is_eof() => return Err(damaged("it ends too early, as if cut off".into())),
        Err(e) if e.is_syntax() && looks_like_a_project(bytes) => {
            return Err(damaged(format!(
                "invalid JSON at line {}, column {}",
                e.line(),
                e.column()
            )));
        }
        Err(_) => {
            return Err(ProjectFileError::NotAProject {
                path: path.to_owned(),
            });
        }
    };
    if header.format.as_deref() != Some(FORMAT) {
        return Err(ProjectFileError::NotAProject {
            path: path.to_owned(),
        });
    }
    match header.version {
        Some(v) if v > VERSION => {
            return Err(ProjectFileError::TooNew {
                path: path.to_owned(),
                version: v,
            });
        }
        Some(v) if v >= 1 => {}
        _ => return Err(damaged("its format version is missing".into())),
    }
    let envelope: OwnedEnvelope =
        serde_json::from_slice(bytes).map_err(|e| damaged(e.to_string()))?;
    Ok(envelope.project)
}

/// The project a file holds: its series rebuilt from its ledger, or read as they are.
fn into_project(saved: Saved<'static>) -> Result<Project, String> {
    let settings = saved.settings.into_owned();
    let items = saved.items.into_owned();
    let locations = saved.locations.into_owned();
    let mut report = saved.report.into_owned();
    let (periods, series, ledger, measured_at, planning) = match saved.ledger {
        Some(ledger) => {
            let mut ledger = ledger.into_owned();
            ledger.upgrade(&items, &locations)?;
            ledger.validate(items.len(), locations.len())?;
            ledger.make_text_printable();
            let rebuilt =
                rebuild(&ledger, &settings, &items, &locations).map_err(|e| e.as_damage())?;
            report.warnings = rebuilt.warnings;
            (
                rebuilt.calendar.periods,
                rebuilt.series,
                Some(ledger),
                rebuilt.measured_at,
                rebuilt.planning,
            )
        }
        None => {
            let count = saved.periods.len();
            let series = saved
                .series
                .into_iter()
                .enumerate()
                .map(|(i, s)| {
                    s.into_series(count)
                        .ok_or_else(|| format!("series {i} does not have one value per period"))
                })
                .collect::<Result<_, _>>()?;
            (saved.periods, series, None, Vec::new(), Planning::default())
        }
    };
    let mut connection = saved.connection.into_owned();
    let (mut items, mut locations) = (items, locations);
    make_text_printable(&mut connection, &mut items, &mut locations);
    Ok(Project {
        connection,
        settings,
        items,
        locations,
        periods,
        last_period_in_progress: saved.last_period_in_progress,
        series,
        report,
        ledger,
        measured_at,
        planning,
        history: saved.history.into_owned(),
    })
}

/// A file is outside text that reaches the window and the terminal: no control characters.
fn make_text_printable(
    connection: &mut ConnectionInfo,
    items: &mut [Item],
    locations: &mut [Location],
) {
    use crate::text::make_printable;
    make_printable(&mut connection.username);
    make_printable(&mut connection.base_url);
    for item in items {
        for text in [&mut item.code, &mut item.description, &mut item.size]
            .into_iter()
            .chain(item.options.iter_mut())
        {
            make_printable(text);
        }
        for text in [
            &mut item.style_code,
            &mut item.category,
            &mut item.brand,
            &mut item.barcode,
            &mut item.supplier,
            &mut item.status,
        ]
        .into_iter()
        .flatten()
        {
            make_printable(text);
        }
    }
    for location in locations {
        make_printable(&mut location.name);
        if let Some(kind) = &mut location.branch_type {
            make_printable(kind);
        }
    }
}

/// Whether the first bytes carry the project marker (to call a syntax error damage rather
/// than a foreign file).
fn looks_like_a_project(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(200)];
    String::from_utf8_lossy(head).contains(FORMAT)
}
