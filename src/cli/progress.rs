//! A run's progress in a terminal, as the window shows it: an indicatif bar with the phase,
//! the time spent and an honest estimate of what is left, the calls against each limit, why
//! and when a failed call is tried again (else the pace the rate limit sets while it holds
//! calls back), and one row per resource
//! (waiting, reading page N, done, failed, and the records read). When stderr is not a
//! terminal (a log file, a pipe), one plain line per phase and per resource finished instead,
//! and never a colour or cursor code. Either way, a newest-first import prints a line each
//! time it is exact further back: "exact back to 2026-09-03 (62% of history read)".

use crate::cin7::Resource;
use crate::import::{Exactness, Phase, Progress, WalkProgress, WalkStatus};
use crate::project::ImportSettings;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeSet;
use std::io::IsTerminal;

pub(super) struct ProgressPrinter {
    /// `None` when stderr is not a terminal.
    screen: Option<Screen>,
    last_phase: Option<Phase>,
    /// Resources whose end was written out (without a terminal).
    ended: BTreeSet<Resource>,
    notices_shown: usize,
    /// The run's settings, whose time zone dates the exact periods.
    settings: ImportSettings,
    /// How far back the run was last said to be exact.
    exact_said: Option<Exactness>,
}

/// The lines a terminal shows, redrawn in place.
struct Screen {
    lines: MultiProgress,
    /// The phase, and how much is done.
    bar: ProgressBar,
    /// Time spent and left, calls and retries.
    times: ProgressBar,
    /// Calls against each limit.
    limits: ProgressBar,
    /// "Going at Cin7's pace: …", while the limit holds calls back; blank otherwise.
    waiting: ProgressBar,
    walks: Vec<ProgressBar>,
}

impl Screen {
    fn new() -> Self {
        let lines = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let bar = lines.add(ProgressBar::new(1000));
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg:<22} [{bar:30}] {percent:>3}%")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        let [times, limits, waiting] = [(); 3].map(|()| lines.add(text_line()));
        Self {
            lines,
            bar,
            times,
            limits,
            waiting,
            walks: Vec::new(),
        }
    }

    fn show(&mut self, p: &Progress) {
        self.bar.set_message(p.phase.describe());
        if let Some(fraction) = p.fraction {
            self.bar.set_position((fraction * 1000.0) as u64);
        }
        self.times.set_message(p.times_text());
        self.limits.set_message(p.limits_text().unwrap_or_default());
        let trouble_or_pace = p.retry_text().or_else(|| p.waiting_text());
        self.waiting
            .set_message(trouble_or_pace.unwrap_or_default());
        while self.walks.len() < p.walks.len() {
            self.walks.push(self.lines.add(text_line()));
        }
        for (line, walk) in self.walks.iter().zip(&p.walks) {
            line.set_message(walk_row(walk));
        }
    }
}

/// A line of text under the bar, indented.
fn text_line() -> ProgressBar {
    let line = ProgressBar::new_spinner();
    line.set_style(
        ProgressStyle::with_template("  {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    line
}

/// "Sales Orders      reading page 12      2750 records".
fn walk_row(walk: &WalkProgress) -> String {
    format!(
        "{:<18} {:<20} {}",
        walk.resource.to_string(),
        walk.status_text(),
        walk.records_text()
    )
}

impl ProgressPrinter {
    pub(super) fn new(settings: ImportSettings) -> Self {
        Self {
            screen: std::io::stderr().is_terminal().then(Screen::new),
            last_phase: None,
            ended: BTreeSet::new(),
            notices_shown: 0,
            settings,
            exact_said: None,
        }
    }

    pub(super) fn show(&mut self, p: &Progress) {
        for notice in &p.notices[self.notices_shown.min(p.notices.len())..] {
            self.println(notice);
        }
        self.notices_shown = p.notices.len();
        if let Some(exact) = p.exact
            && self.exact_said.replace(exact) != Some(exact)
        {
            self.println(&exact.line(&self.settings));
        }
        match &mut self.screen {
            Some(screen) => screen.show(p),
            None => self.log(p),
        }
        self.last_phase = Some(p.phase);
    }

    /// Without a terminal: a line when the phase changes and when a resource is finished.
    fn log(&mut self, p: &Progress) {
        if self.last_phase != Some(p.phase) {
            eprintln!("{}", describe(p));
        }
        for walk in &p.walks {
            let ended = matches!(walk.status, WalkStatus::Done | WalkStatus::Failed);
            if ended && self.ended.insert(walk.resource) {
                eprintln!(
                    "{}: {}, {}",
                    walk.resource,
                    walk.status_text(),
                    walk.records_text()
                );
            }
        }
    }

    fn println(&self, text: &str) {
        match &self.screen {
            Some(screen) => {
                screen.lines.println(text).ok();
            }
            None => eprintln!("{text}"),
        }
    }

    pub(super) fn finish(&self) {
        if let Some(screen) = &self.screen {
            screen.lines.clear().ok();
        }
    }
}

/// "Reading from Cin7: 12,500 records, 51 calls, 3.2 s waiting on rate limits, about 4 min left".
fn describe(p: &Progress) -> String {
    let left = p
        .eta
        .filter(|eta| !eta.is_zero())
        .map(|eta| format!(", about {} left", crate::duration::text(eta)))
        .unwrap_or_default();
    format!(
        "{}: {} records, {} calls, {:.1} s waiting on rate limits{left}",
        p.phase.describe(),
        p.records_total(),
        p.calls,
        p.rate_limit_wait.as_secs_f64()
    )
}
