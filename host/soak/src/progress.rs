//! Progress while a long run goes: a bar on a terminal, else a line per tenth.

use indicatif::{ProgressBar, ProgressStyle};

/// A bar of `len` steps drawn on stderr (hidden when stderr is no terminal).
pub fn bar(len: u64, what: &str) -> Progress {
    let bar = ProgressBar::new(len);
    let template = format!("{what} {{bar:30}} {{pos}}/{{len}} {{per_sec}} eta {{eta}} {{msg}}");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    Progress {
        bar,
        what: what.to_string(),
        len,
        tenths: 0,
    }
}

/// A progress bar that falls back to plain lines when nobody sees the bar.
#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
    what: String,
    len: u64,
    tenths: u64,
}

impl Progress {
    pub fn set_position(&mut self, pos: u64) {
        self.bar.set_position(pos);
        let tenths = (pos * 10).checked_div(self.len).unwrap_or(10);
        if self.bar.is_hidden() && tenths > self.tenths {
            self.tenths = tenths;
            eprintln!("{}: {pos}/{} ({}%)", self.what, self.len, tenths * 10);
        }
    }

    pub fn set_message(&self, message: String) {
        self.bar.set_message(message);
    }

    pub fn finish_and_clear(&self) {
        self.bar.finish_and_clear();
    }
}
