//! Whether a sampled quantity grew: the largest value of the last tenth of a
//! run against the largest of the tenth right after warm-up.
//!
//! Maxima over windows, not single samples: a window spans several traps
//! and bulk calls, so an instance rebuilt just before one sample, or a 1 MiB
//! buffer held at another, does not pass for growth; a leak raises every
//! later window.

/// One quantity, sampled as the run goes.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    /// `(calls so far, value)`.
    pub samples: Vec<(u64, u64)>,
}

/// A series' value after warm-up and at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub after_warm_up: u64,
    pub at_end: u64,
}

impl Span {
    /// Growth as a fraction of the value after warm-up (0 when it shrank).
    pub fn growth(self) -> f64 {
        if self.at_end <= self.after_warm_up {
            0.0
        } else if self.after_warm_up == 0 {
            f64::INFINITY
        } else {
            (self.at_end - self.after_warm_up) as f64 / self.after_warm_up as f64
        }
    }
}

impl Series {
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            samples: Vec::new(),
        }
    }

    pub fn push(&mut self, calls: u64, value: u64) {
        self.samples.push((calls, value));
    }

    /// The largest value sampled with `from <= calls <= to`.
    fn max_between(&self, from: u64, to: u64) -> Option<u64> {
        self.samples
            .iter()
            .filter(|(c, _)| (from..=to).contains(c))
            .map(|(_, v)| *v)
            .max()
    }

    /// Over a run of `total` calls whose first tenth is warm-up: the second
    /// tenth against the last. `None` without samples in both.
    pub fn span(&self, total: u64) -> Option<Span> {
        let tenth = (total / 10).max(1);
        Some(Span {
            after_warm_up: self.max_between(tenth, 2 * tenth)?,
            at_end: self.max_between(total.saturating_sub(tenth), total)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(values: impl IntoIterator<Item = u64>) -> Series {
        let mut s = Series::new("x");
        for (i, v) in values.into_iter().enumerate() {
            s.push(i as u64 * 10, v);
        }
        s
    }

    #[test]
    fn a_steady_series_with_spikes_in_every_window_is_flat() {
        let s = series((0..100).map(|i| if i % 3 == 0 { 120 } else { 100 }));
        let span = s.span(1000).unwrap();
        assert_eq!(span.growth(), 0.0, "{span:?}");
    }

    #[test]
    fn a_slow_leak_shows_at_the_end() {
        let s = series((0..100).map(|i| 100 + i));
        let span = s.span(1000).unwrap();
        assert_eq!(span.after_warm_up, 120);
        assert_eq!(span.at_end, 199);
        assert!(span.growth() > 0.05);
    }

    #[test]
    fn warm_up_is_ignored() {
        let s = series((0..100).map(|i| if i < 10 { 10 } else { 100 }));
        assert_eq!(s.span(1000).unwrap().growth(), 0.0);
    }
}
