//! Axis ranges, tick positions and tick labels.
//!
//! plotters' own key points are fine for linear axes but its log axis shows no
//! tick at all when the data spans less than a decade, so all 2-D and 3-D
//! axes use ticks computed here (bound with `with_key_points`), with labels
//! formatted to the precision the tick step needs.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;

/// The coordinate type of every axis drawn by this crate: a linear `f64` axis
/// with fixed tick positions. (plotters' `WithKeyPoints` would do, but it
/// loses the value formatter that `configure_mesh` requires.)
pub(crate) struct Axis {
    inner: RangedCoordf64,
    bold: Vec<f64>,
    light: Vec<f64>,
}

impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.light.clone()
        } else {
            self.bold.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.inner.range()
    }
}

/// Largest magnitude an axis end may have; keeps `hi - lo` finite.
const LIMIT: f64 = 1e300;

/// The range of the finite values in `values` widened by `margin` (a fraction
/// of the span) on both sides. No finite values give `0..1`; constant values
/// give a small range around the constant.
pub(crate) fn padded_range(values: impl IntoIterator<Item = f64>, margin: f64) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for v in values.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return (0.0, 1.0);
    }
    pad(lo.clamp(-LIMIT, LIMIT), hi.clamp(-LIMIT, LIMIT), margin)
}

/// Orders `(a, b)`, widens a zero-width range and adds `margin` on both sides.
pub(crate) fn pad(a: f64, b: f64, margin: f64) -> (f64, f64) {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let span = hi - lo;
    if span <= f64::MIN_POSITIVE * 1e3 || span <= lo.abs().max(hi.abs()) * 1e-12 {
        let half = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        return (lo - half, hi + half);
    }
    (lo - span * margin, hi + span * margin)
}

/// Ticks of one axis: its range, the labelled ("bold") positions with their
/// labels, and unlabelled positions for the light grid.
#[derive(Debug, Clone)]
pub(crate) struct Ticks {
    /// Lower end of the axis.
    pub lo: f64,
    /// Upper end of the axis.
    pub hi: f64,
    /// Labelled tick positions.
    pub bold: Vec<f64>,
    /// Light grid positions.
    pub light: Vec<f64>,
    /// Labels, parallel to `bold`.
    labels: Vec<String>,
}

impl Ticks {
    /// Linear axis over `lo..hi` with at most about `max_ticks` labelled ticks
    /// at multiples of 1, 2 or 5 times a power of ten.
    pub fn linear(lo: f64, hi: f64, max_ticks: usize) -> Ticks {
        let (lo, hi) = if lo < hi { (lo, hi) } else { pad(lo, hi, 0.0) };
        let (step, minor_div) = nice_step(hi - lo, max_ticks.max(2));
        let bold = multiples(lo, hi, step);
        let light = multiples(lo, hi, step / minor_div);
        let fmt = LinearFormat::new(lo, hi, step);
        let labels = bold.iter().map(|&v| fmt.format(v)).collect();
        Ticks {
            lo,
            hi,
            bold,
            light,
            labels,
        }
    }

    /// Linear axis for values that are all whole numbers (epochs, unit counts): as
    /// [`Ticks::linear`], but the ticks are whole numbers too (no "1.5 epochs") whenever at
    /// least two whole numbers lie in `lo..hi`.
    pub fn whole(lo: f64, hi: f64, max_ticks: usize) -> Ticks {
        let ticks = Ticks::linear(lo, hi, max_ticks);
        let (lo, hi) = (ticks.lo, ticks.hi);
        let step = match ticks.bold.as_slice() {
            [a, b, ..] => b - a,
            _ => return ticks,
        };
        if step >= 1.0 || (hi + 1e-9).floor() - (lo - 1e-9).ceil() < 1.0 {
            return ticks;
        }
        let bold = multiples(lo, hi, 1.0);
        let fmt = LinearFormat::new(lo, hi, 1.0);
        Ticks {
            lo,
            hi,
            labels: bold.iter().map(|&v| fmt.format(v)).collect(),
            light: Vec::new(),
            bold,
        }
    }

    /// Logarithmic axis: `lo_exp..hi_exp` are base-10 exponents (the axis is
    /// drawn in log10 space); labels show the values themselves.
    pub fn log10(lo_exp: f64, hi_exp: f64, max_ticks: usize) -> Ticks {
        let (lo, hi) = if lo_exp < hi_exp {
            (lo_exp, hi_exp)
        } else {
            pad(lo_exp, hi_exp, 0.0)
        };
        let max_ticks = max_ticks.max(2);
        let inside = |v: f64| v >= lo - 1e-9 && v <= hi + 1e-9;

        // 1-2-5 steps within the decades, when that gives a readable number.
        let mut bold = Vec::new();
        let mut marks = Vec::new();
        let mut light = Vec::new();
        for e in (lo.floor() as i64 - 1)..=(hi.ceil() as i64) {
            for m in 1..=9u32 {
                let v = e as f64 + f64::from(m).log10();
                if !inside(v) {
                    continue;
                }
                if matches!(m, 1 | 2 | 5) {
                    bold.push(v);
                    marks.push((m, e));
                } else {
                    light.push(v);
                }
            }
        }
        let labels = pow10_labels(&marks);
        if bold.len() >= 2 && bold.len() <= max_ticks {
            return Ticks {
                lo,
                hi,
                bold,
                light,
                labels,
            };
        }

        // Whole decades, thinned to a stride if there are too many.
        let first = lo.ceil() as i64;
        let last = hi.floor() as i64;
        let decades = (last - first + 1).max(0) as usize;
        if decades >= 2 {
            let stride = decades.div_ceil(max_ticks) as i64;
            let mut bold = Vec::new();
            let mut light = Vec::new();
            for e in first..=last {
                if e.rem_euclid(stride) == 0 {
                    bold.push(e as f64);
                } else {
                    light.push(e as f64);
                }
            }
            if stride == 1 {
                for e in (lo.floor() as i64)..=(hi.floor() as i64) {
                    for m in 2..=9 {
                        let v = e as f64 + f64::from(m).log10();
                        if inside(v) {
                            light.push(v);
                        }
                    }
                }
            }
            let marks: Vec<(u32, i64)> = bold.iter().map(|&e| (1, e as i64)).collect();
            let labels = pow10_labels(&marks);
            return Ticks {
                lo,
                hi,
                bold,
                light,
                labels,
            };
        }

        // Less than a factor of 2.5 (or too many ticks otherwise): linear ticks in value space.
        let lin = Ticks::linear(10f64.powf(lo), 10f64.powf(hi), max_ticks);
        let to_log = |vs: &[f64]| -> Vec<f64> {
            vs.iter().filter(|v| **v > 0.0).map(|v| v.log10()).collect()
        };
        let mut bold = Vec::new();
        let mut labels = Vec::new();
        for (v, label) in lin.bold.iter().zip(&lin.labels) {
            if *v > 0.0 {
                bold.push(v.log10());
                labels.push(label.clone());
            }
        }
        Ticks {
            lo,
            hi,
            bold,
            light: to_log(&lin.light),
            labels,
        }
    }

    /// Label for a tick position (as handed back by plotters).
    pub fn label(&self, v: f64) -> String {
        let tolerance = (self.hi - self.lo).abs() * 1e-9;
        self.bold
            .iter()
            .zip(&self.labels)
            .find(|(b, _)| (**b - v).abs() <= tolerance)
            .map(|(_, l)| l.clone())
            .unwrap_or_else(|| {
                LinearFormat::new(self.lo, self.hi, (self.hi - self.lo) / 10.0).format(v)
            })
    }

    /// All labels, e.g. to measure their width.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The plotters coordinate for this axis.
    pub fn coord(&self) -> Axis {
        Axis {
            inner: (self.lo..self.hi).into(),
            bold: self.bold.clone(),
            light: self.light.clone(),
        }
    }
}

/// A step of 1, 2 or 5 times a power of ten giving at most `max_ticks`
/// ticks over `span`, and how many light grid intervals to split it into.
fn nice_step(span: f64, max_ticks: usize) -> (f64, f64) {
    let raw = span / max_ticks as f64;
    if !(raw.is_finite() && raw > 0.0) {
        return (1.0, 5.0);
    }
    let mag = 10f64.powf(raw.log10().floor());
    for (m, div) in [(1.0, 5.0), (2.0, 4.0), (5.0, 5.0)] {
        if m * mag >= raw * (1.0 - 1e-9) {
            return (m * mag, div);
        }
    }
    (10.0 * mag, 5.0)
}

/// The multiples of `step` inside `lo..=hi` (at most a few hundred).
fn multiples(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    if !(step.is_finite() && step > 0.0) {
        return Vec::new();
    }
    let first = (lo / step - 1e-9).ceil();
    let last = (hi / step + 1e-9).floor();
    if !(first.is_finite() && last.is_finite()) || last - first > 500.0 {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut k = first;
    while k <= last {
        let v = k * step;
        // Snap float noise such as 1e-17 to an exact zero.
        out.push(if v.abs() < step * 1e-6 { 0.0 } else { v });
        k += 1.0;
    }
    out
}

/// Number formatting for a linear axis with a given tick step.
struct LinearFormat {
    scientific: bool,
    /// Decimals in plain notation, mantissa decimals in scientific notation.
    decimals: usize,
}

impl LinearFormat {
    fn new(lo: f64, hi: f64, step: f64) -> LinearFormat {
        let max_abs = lo.abs().max(hi.abs());
        let step_exp = if step > 0.0 && step.is_finite() {
            (step.log10() + 1e-9).floor()
        } else {
            0.0
        };
        let scientific = max_abs >= 1e5 || (max_abs > 0.0 && max_abs < 1e-3);
        let decimals = if scientific {
            let top_exp = if max_abs > 0.0 {
                max_abs.log10().floor()
            } else {
                0.0
            };
            (top_exp - step_exp).clamp(0.0, 6.0) as usize
        } else {
            (-step_exp).clamp(0.0, 12.0) as usize
        };
        LinearFormat {
            scientific,
            decimals,
        }
    }

    fn format(&self, v: f64) -> String {
        let text = if v == 0.0 && self.scientific {
            "0".to_owned()
        } else if self.scientific {
            let s = format!("{:.*e}", self.decimals, v);
            match s.split_once('e') {
                Some((mantissa, exp)) => {
                    let mantissa = trim_zeros(mantissa);
                    let exp: i64 = exp.parse().unwrap_or(0);
                    if mantissa == "1" || mantissa == "-1" {
                        format!("{}10{}", if v < 0.0 { "-" } else { "" }, superscript(exp))
                    } else {
                        format!("{mantissa}×10{}", superscript(exp))
                    }
                }
                None => s,
            }
        } else {
            format!("{:.*}", self.decimals, v)
        };
        minus(&text)
    }
}

/// Labels for ticks at `m × 10^e`, all in one notation: plain numbers while every exponent
/// is moderate (0.001 to 10,000), else powers of ten with superscripts for all (never
/// "0.01" beside "10⁻⁴" on one axis).
fn pow10_labels(marks: &[(u32, i64)]) -> Vec<String> {
    let plain = marks.iter().all(|&(_, e)| (-3..=4).contains(&e));
    marks
        .iter()
        .map(|&(m, e)| {
            if plain {
                let v = f64::from(m) * 10f64.powi(e as i32);
                format!("{:.*}", (-e).max(0) as usize, v)
            } else if m == 1 {
                format!("10{}", superscript(e))
            } else {
                format!("{m}×10{}", superscript(e))
            }
        })
        .collect()
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// Typographic minus sign (U+2212), which the bundled font has.
fn minus(s: &str) -> String {
    s.replace('-', "\u{2212}")
}

fn superscript(e: i64) -> String {
    e.to_string()
        .chars()
        .map(|c| match c {
            '-' => '\u{207B}',
            '0' => '\u{2070}',
            '1' => '\u{00B9}',
            '2' => '\u{00B2}',
            '3' => '\u{00B3}',
            d => char::from_u32(0x2070 + d.to_digit(10).unwrap_or(0)).unwrap_or(d),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_handle_empty_and_constant_data() {
        assert_eq!(padded_range([], 0.05), (0.0, 1.0));
        assert_eq!(padded_range([f64::NAN, f64::INFINITY], 0.05), (0.0, 1.0));
        let (lo, hi) = padded_range([3.0, 3.0], 0.05);
        assert!(lo < 3.0 && hi > 3.0);
        let (lo, hi) = padded_range([0.0], 0.05);
        assert!(lo < 0.0 && hi > 0.0);
        let (lo, hi) = padded_range([-f64::MAX, f64::MAX], 0.05);
        assert!((hi - lo).is_finite());
    }

    #[test]
    fn linear_ticks_are_round() {
        let t = Ticks::linear(-0.05, 1.05, 6);
        assert_eq!(t.labels(), ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
        let t = Ticks::linear(0.0, 300.0, 6);
        assert_eq!(t.labels(), ["0", "50", "100", "150", "200", "250", "300"]);
        let t = Ticks::linear(0.0, 3e-5, 4);
        assert!(
            t.labels().iter().any(|l| l.contains("×10⁻⁵")),
            "{:?}",
            t.labels()
        );
        let t = Ticks::linear(-2.0, 2.0, 5);
        assert!(
            t.labels().contains(&"\u{2212}2".to_owned()),
            "{:?}",
            t.labels()
        );
    }

    #[test]
    fn whole_numbered_values_get_whole_numbered_ticks() {
        // Two epochs: linear ticks would say 1.0, 1.2, … 2.0.
        let t = Ticks::whole(0.98, 2.02, 6);
        assert_eq!(t.labels(), ["1", "2"]);
        assert!(t.light.is_empty());
        let t = Ticks::whole(0.8, 5.2, 10);
        assert_eq!(t.labels(), ["1", "2", "3", "4", "5"]);
        // Wide ranges keep their round steps; a range without two whole numbers keeps linear ticks.
        assert_eq!(
            Ticks::whole(0.0, 300.0, 6).labels(),
            Ticks::linear(0.0, 300.0, 6).labels()
        );
        assert_eq!(
            Ticks::whole(0.9, 1.1, 4).labels(),
            Ticks::linear(0.9, 1.1, 4).labels()
        );
    }

    #[test]
    fn log_ticks_exist_for_any_span() {
        let t = Ticks::log10(-5.0, 1.0, 8);
        // One notation per axis.
        assert_eq!(
            t.labels(),
            ["10⁻⁵", "10⁻⁴", "10⁻³", "10⁻²", "10⁻¹", "10⁰", "10¹"]
        );
        let t = Ticks::log10(-2.0, 1.0, 8);
        assert_eq!(t.labels(), ["0.01", "0.1", "1", "10"]);
        let t = Ticks::log10(0.03f64.log10(), 2.5f64.log10(), 8);
        assert_eq!(t.labels(), ["0.05", "0.1", "0.2", "0.5", "1", "2"]);
        let t = Ticks::log10(0.3f64.log10(), 0.9f64.log10(), 6);
        assert!(t.labels().len() >= 2, "{:?}", t.labels());
        let t = Ticks::log10(0.61f64.log10(), 0.64f64.log10(), 6);
        assert!(t.labels().len() >= 2, "{:?}", t.labels());
        let t = Ticks::log10(-40.0, 40.0, 6);
        assert!(
            t.labels().len() <= 6 && t.labels().len() >= 2,
            "{:?}",
            t.labels()
        );
    }
}
