//! The insights page's charts as plain geometry: what SVG rectangles to draw for a
//! stacked bar chart of incidents per day by impact, and for horizontal bars, with a
//! "nice" axis maximum. Nothing here touches the DOM, so the arithmetic is unit-tested
//! natively; the page draws the shapes as SVG (no JavaScript charting library).

use tocsin_api::insights::DayCount;

/// The smallest "nice" axis maximum (1, 2, 5 × a power of ten) at or above `n` (at least
/// 1).
pub fn nice_max(n: u64) -> u64 {
    let mut step = 1u64;
    loop {
        for m in [1, 2, 5] {
            let candidate = m * step;
            if candidate >= n.max(1) {
                return candidate;
            }
        }
        step = step.saturating_mul(10);
    }
}

/// One rectangle of a stacked bar: a day's incidents of one impact.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Left edge, chart units.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
    /// Impact 1-5.
    pub impact: i32,
    /// The day (`YYYY-MM-DD`).
    pub day: String,
    /// Incidents it stands for.
    pub count: u64,
}

/// The rectangles of incidents per day (one bar a day, oldest left, critical at the
/// bottom) in a `width`×`height` plot, scaled to `nice_max` of the busiest day; the axis
/// maximum is returned with them. Empty days draw nothing.
pub fn stacked_days(days: &[DayCount], width: f64, height: f64) -> (Vec<Segment>, u64) {
    let busiest = days
        .iter()
        .map(|d| d.by_impact.iter().sum::<u64>())
        .max()
        .unwrap_or(0);
    let max = nice_max(busiest);
    let n = days.len().max(1) as f64;
    let slot = width / n;
    let bar_w = (slot * 0.8).max(1.0);
    let mut out = Vec::new();
    for (i, d) in days.iter().enumerate() {
        let x = i as f64 * slot + (slot - bar_w) / 2.0;
        let mut bottom = height;
        for (k, &count) in d.by_impact.iter().enumerate() {
            if count == 0 {
                continue;
            }
            let h = count as f64 / max as f64 * height;
            bottom -= h;
            out.push(Segment {
                x,
                y: bottom,
                w: bar_w,
                h,
                impact: k as i32 + 1,
                day: d.day.clone(),
                count,
            });
        }
    }
    (out, max)
}

/// The length of a horizontal bar for `value` when `max` fills `width` (0 for no max).
pub fn bar_len(value: f64, max: f64, width: f64) -> f64 {
    if max > 0.0 && value.is_finite() {
        (value / max).clamp(0.0, 1.0) * width
    } else {
        0.0
    }
}

/// A share (0-1) as a whole percentage: `0.625` → `63 %`.
pub fn percent(share: f64) -> String {
    format!("{} %", (share * 100.0).clamp(0.0, 100.0).round() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_maxima() {
        assert_eq!(
            [0, 1, 3, 7, 10, 11, 48, 120, 999].map(nice_max),
            [1, 1, 5, 10, 10, 20, 50, 200, 1000]
        );
    }

    #[test]
    fn bars_stack_critical_first_from_the_bottom() {
        let days = vec![
            DayCount {
                day: "2026-11-29".into(),
                by_impact: [1, 0, 2, 0, 0],
            },
            DayCount {
                day: "2026-11-30".into(),
                by_impact: [0, 0, 0, 0, 0],
            },
        ];
        let (segs, max) = stacked_days(&days, 200.0, 100.0);
        assert_eq!(max, 5);
        assert_eq!(segs.len(), 2, "empty impacts and days draw nothing");
        assert_eq!((segs[0].impact, segs[0].y, segs[0].h), (1, 80.0, 20.0));
        assert_eq!((segs[1].impact, segs[1].y, segs[1].h), (3, 40.0, 40.0));
        assert_eq!((segs[0].x, segs[0].w), (10.0, 80.0));
        assert_eq!(bar_len(5.0, 10.0, 300.0), 150.0);
        assert_eq!(bar_len(5.0, 0.0, 300.0), 0.0);
        assert_eq!(percent(0.625), "63 %");
    }
}
