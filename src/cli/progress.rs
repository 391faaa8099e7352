//! A run's progress in a terminal: an indicatif bar with what is being read, the calls against
//! the limits, the time spent waiting on them and an honest estimate of what is left. When
//! stderr is not a terminal (a log file, a pipe), one plain line per phase instead, and never a
//! colour or cursor code.

use crate::import::{Phase, Progress};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

pub struct ProgressPrinter {
    /// `None` when stderr is not a terminal.
    bar: Option<ProgressBar>,
    last_phase: Option<Phase>,
    notices_shown: usize,
}

impl ProgressPrinter {
    pub fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(Some(1000), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {wide_msg} [{bar:30}] {percent:>3}%")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        Self {
            bar,
            last_phase: None,
            notices_shown: 0,
        }
    }

    pub fn show(&mut self, p: &Progress) {
        for notice in &p.notices[self.notices_shown.min(p.notices.len())..] {
            self.println(notice);
        }
        self.notices_shown = p.notices.len();
        let line = describe(p);
        match &self.bar {
            Some(bar) => {
                bar.set_message(line);
                if let Some(fraction) = p.fraction {
                    bar.set_position((fraction * 1000.0) as u64);
                }
            }
            None if self.last_phase != Some(p.phase) => eprintln!("{line}"),
            None => {}
        }
        self.last_phase = Some(p.phase);
    }

    fn println(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None => eprintln!("{text}"),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Default for ProgressPrinter {
    fn default() -> Self {
        Self::new()
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
