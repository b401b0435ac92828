//! How the wall fits its screen: the density of each impact group (full cards, compact
//! rows, or one summary line), chosen from the space the incident area has, so that a wall
//! never scrolls (nobody scrolls a TV).
//!
//! Sizes are in *base pixels*, the pixels of a 1920×1080 screen; the page multiplies them by
//! the scale `u` ([`scale`]: 1 at 1080p, ⅔ at 720p, 2 at 2160p) through the CSS variable
//! `--u`, and the style sheet draws cards and rows at exactly these sizes (fixed heights,
//! text clipped), so the arithmetic here is what the browser draws.
//!
//! The choice, made by [`fit`]:
//! 1. every assignment of a density to each non-empty impact group is tried, critical and
//!    high (impacts 1 and 2) only as full cards or compact rows: they are never collapsed;
//! 2. of those that fit the height, the one showing the most incidents individually wins,
//!    then the one with the most full cards, most severe impact first;
//! 3. when none fits, impacts 3 to 5 collapse into summary lines and the critical and high
//!    incidents, as compact rows, *page*: [`Paging`] says how many fit on a page and the
//!    page turns every [`PAGE_TURN_MS`] — they never shrink below the minimum sizes.

/// Height of a full incident card (impact and age, a two-line title at 28 px, plan,
/// runbook or acknowledgement, latest entry), base px.
pub const CARD_H: f64 = 210.0;
/// Narrowest a full card is drawn, base px.
pub const CARD_MIN_W: f64 = 430.0;
/// Gap between cards, base px.
pub const CARD_GAP: f64 = 12.0;
/// Height of a compact row (one line at 20 px), base px.
pub const ROW_H: f64 = 34.0;
/// Narrowest a compact row is drawn, base px.
pub const ROW_MIN_W: f64 = 340.0;
/// Gap between compact rows, base px.
pub const ROW_GAP: f64 = 4.0;
/// Height of an impact group's heading, with its margin, base px.
pub const GROUP_HEAD_H: f64 = 40.0;
/// Space after each group, base px.
pub const GROUP_GAP: f64 = 10.0;
/// Height of one summary line (a collapsed group), base px.
pub const SUMMARY_H: f64 = 48.0;
/// Width of the recent-activity column beside the incidents, base px.
pub const TICKER_W: f64 = 400.0;
/// How often the pages of critical and high incidents turn, ms.
pub const PAGE_TURN_MS: u32 = 8_000;
/// Smallest viewport (CSS px) that gets the fitted wall; smaller screens (a phone, a
/// narrow window) scroll as an ordinary page.
pub const FIT_MIN_W: f64 = 1000.0;
/// See [`FIT_MIN_W`].
pub const FIT_MIN_H: f64 = 560.0;

/// How an impact group is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Density {
    /// Full cards in a grid.
    Full,
    /// One line per incident.
    Compact,
    /// One line for the whole group: its count and its oldest incident.
    Summary,
}

impl Density {
    /// The CSS class of a group drawn this way.
    pub fn class(self) -> &'static str {
        match self {
            Density::Full => "density-full",
            Density::Compact => "density-compact",
            Density::Summary => "density-summary",
        }
    }
}

/// How one impact group is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GroupLayout {
    /// The density.
    pub density: Density,
    /// Columns of cards or rows (1 for a summary).
    pub columns: usize,
}

/// When the critical and high incidents do not fit even as compact rows: how many fit on a
/// page (both groups together, critical first) and how many pages there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    /// Incidents shown per page (at least 1).
    pub per_page: usize,
    /// Pages (at least 2).
    pub pages: usize,
}

/// The wall's layout: one [`GroupLayout`] per impact (index 0 is impact 1), and paging when
/// the severe incidents overflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WallLayout {
    /// Per impact, most severe first.
    pub groups: [GroupLayout; 5],
    /// Set when critical and high incidents page.
    pub paging: Option<Paging>,
}

impl Default for WallLayout {
    fn default() -> Self {
        Self {
            groups: [GroupLayout {
                density: Density::Full,
                columns: 1,
            }; 5],
            paging: None,
        }
    }
}

/// The scale of a `width`×`height` CSS-px viewport relative to 1920×1080 (the smaller of
/// the two ratios, so both dimensions fit), at least 0.5.
pub fn scale(width: f64, height: f64) -> f64 {
    (width / 1920.0).min(height / 1080.0).max(0.5)
}

/// Whether a `width`×`height` CSS-px viewport gets the fitted wall.
pub fn fits_screen(width: f64, height: f64) -> bool {
    width >= FIT_MIN_W && height >= FIT_MIN_H
}

/// Columns of items at least `min_w` wide, `gap` apart, in `width` (at least 1).
fn columns(width: f64, min_w: f64, gap: f64) -> usize {
    (((width + gap) / (min_w + gap)).floor() as usize).max(1)
}

/// Height (base px) of `n` incidents drawn at `density` in `width` base px, with the heading
/// and the gap after the group; 0 for an empty group.
fn group_height(n: usize, density: Density, width: f64) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let (item_h, gap, min_w) = match density {
        Density::Summary => return SUMMARY_H,
        Density::Full => (CARD_H, CARD_GAP, CARD_MIN_W),
        Density::Compact => (ROW_H, ROW_GAP, ROW_MIN_W),
    };
    let rows = n.div_ceil(columns(width, min_w, gap));
    GROUP_HEAD_H + rows as f64 * item_h + (rows - 1) as f64 * gap + GROUP_GAP
}

fn layout_of(density: Density, width: f64) -> GroupLayout {
    let columns = match density {
        Density::Full => columns(width, CARD_MIN_W, CARD_GAP),
        Density::Compact => columns(width, ROW_MIN_W, ROW_GAP),
        Density::Summary => 1,
    };
    GroupLayout { density, columns }
}

/// The layout for `counts` open incidents per impact (index 0 is impact 1) in an incident
/// area of `width`×`height` base px (CSS px divided by [`scale`]). See the module docs.
pub fn fit(counts: [usize; 5], width: f64, height: f64) -> WallLayout {
    const SEVERE: [Density; 2] = [Density::Full, Density::Compact];
    const ANY: [Density; 3] = [Density::Full, Density::Compact, Density::Summary];
    let choices = |i: usize| -> &'static [Density] { if i < 2 { &SEVERE } else { &ANY } };
    // The score: incidents shown individually, then full cards per impact, most severe first.
    type Score = (usize, [usize; 5]);
    let mut best: Option<([Density; 5], Score)> = None;
    let mut pick = [Density::Full; 5];
    // 2 × 2 × 3 × 3 × 3 = 108 assignments: cheap enough to try them all on every change.
    let total: usize = (0..5).map(|i| choices(i).len()).product();
    for mut n in 0..total {
        for (i, slot) in pick.iter_mut().enumerate() {
            let options = choices(i);
            *slot = options[n % options.len()];
            n /= options.len();
        }
        // An empty group's density does not matter: consider only its first option.
        if (0..5).any(|i| counts[i] == 0 && pick[i] != Density::Full) {
            continue;
        }
        let used: f64 = (0..5)
            .map(|i| group_height(counts[i], pick[i], width))
            .sum();
        if used > height {
            continue;
        }
        let shown = (0..5)
            .filter(|&i| pick[i] != Density::Summary)
            .map(|i| counts[i])
            .sum();
        let full = std::array::from_fn(|i| {
            if pick[i] == Density::Full {
                counts[i]
            } else {
                0
            }
        });
        let score = (shown, full);
        if best.as_ref().is_none_or(|(_, s)| score > *s) {
            best = Some((pick, score));
        }
    }
    if let Some((pick, _)) = best {
        return WallLayout {
            groups: std::array::from_fn(|i| layout_of(pick[i], width)),
            paging: None,
        };
    }
    // Nothing fits: summaries for 3–5, compact pages for 1–2.
    let summaries: f64 = (2..5)
        .map(|i| group_height(counts[i], Density::Summary, width))
        .sum();
    let heads = (0..2).filter(|&i| counts[i] > 0).count() as f64 * (GROUP_HEAD_H + GROUP_GAP);
    let cols = columns(width, ROW_MIN_W, ROW_GAP);
    let rows = (((height - summaries - heads + ROW_GAP) / (ROW_H + ROW_GAP)).floor() as usize)
        .saturating_sub(1) // room for the page indicator
        .max(1);
    let per_page = rows * cols;
    let severe = counts[0] + counts[1];
    let mut groups: [GroupLayout; 5] = std::array::from_fn(|_| layout_of(Density::Summary, width));
    groups[0] = layout_of(Density::Compact, width);
    groups[1] = layout_of(Density::Compact, width);
    WallLayout {
        groups,
        paging: (severe > per_page).then(|| Paging {
            per_page,
            pages: severe.div_ceil(per_page),
        }),
    }
}

/// Of the critical and high incidents (critical first, `critical` of them), the index range
/// of impact `impact`'s list shown on page `page` (0-based) of `paging`; all of a group when
/// there is no paging, nothing for impacts 3 to 5 drawn as summaries.
pub fn page_range(
    paging: Option<Paging>,
    page: usize,
    impact: i32,
    critical: usize,
    group_len: usize,
) -> std::ops::Range<usize> {
    let offset = match impact {
        1 => 0,
        2 => critical,
        _ => return 0..group_len,
    };
    paged_slice(paging, page, offset, group_len)
}

/// How a board grouped by response plan is drawn ([`fit_plans`]): one density for every
/// plan group, and paging when even compact rows overflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanLayout {
    /// How every plan group is drawn (full cards or compact rows).
    pub group: GroupLayout,
    /// Set when the incidents page (all plans' incidents, in order, split into pages).
    pub paging: Option<Paging>,
}

/// The layout of plan groups of `counts` incidents each (in the order they are drawn) in an
/// incident area of `width`×`height` base px: full cards when all fit, else compact rows;
/// when even those overflow, compact rows page (plan groups with nothing on a page are not
/// drawn on it). Severity needs no protection here: every incident stays individually
/// visible, on one page or another, and a plan's most severe incidents come first.
pub fn fit_plans(counts: &[usize], width: f64, height: f64) -> PlanLayout {
    for density in [Density::Full, Density::Compact] {
        let used: f64 = counts
            .iter()
            .map(|&n| group_height(n, density, width))
            .sum();
        if used <= height {
            return PlanLayout {
                group: layout_of(density, width),
                paging: None,
            };
        }
    }
    let group = layout_of(Density::Compact, width);
    let total: usize = counts.iter().sum();
    let groups = counts.iter().filter(|&&n| n > 0).count().max(1);
    // Every group may have rows on a page: reserve their headings, then fill with rows.
    let heads = groups as f64 * (GROUP_HEAD_H + GROUP_GAP);
    let rows = (((height - heads + ROW_GAP) / (ROW_H + ROW_GAP))
        .floor()
        .max(0.0) as usize)
        .saturating_sub(1) // room for the page indicator
        .max(1);
    let per_page = (rows * group.columns).max(1);
    PlanLayout {
        group,
        paging: (total > per_page).then(|| Paging {
            per_page,
            pages: total.div_ceil(per_page),
        }),
    }
}

/// The index range of a group's list shown on page `page` of `paging`, when the group's
/// incidents come after `offset` others in the paged order (all of it without paging).
pub fn paged_slice(
    paging: Option<Paging>,
    page: usize,
    offset: usize,
    group_len: usize,
) -> std::ops::Range<usize> {
    let Some(p) = paging else {
        return 0..group_len;
    };
    let (start, end) = (
        (page % p.pages) * p.per_page,
        (page % p.pages + 1) * p.per_page,
    );
    let from = start.saturating_sub(offset).min(group_len);
    let to = end.saturating_sub(offset).min(group_len);
    from..to
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The incident area of a 1920×1080 wall: the screen less the header, the margins and
    /// the recent-activity column (what the page measures at that size, rounded down).
    const AREA_1080: (f64, f64) = (1440.0, 900.0);

    fn densities(l: &WallLayout) -> [Density; 5] {
        l.groups.map(|g| g.density)
    }

    #[test]
    fn seven_incidents_at_1080p_are_full_cards() {
        let l = fit([2, 2, 1, 1, 1], AREA_1080.0, AREA_1080.1);
        assert!(l.paging.is_none());
        assert_eq!(l.groups[0].columns, 3);
        // Seven full cards in five groups do not fit 900 px; the least severe go compact
        // first, and critical stays full.
        assert_eq!(l.groups[0].density, Density::Full);
        assert!(
            densities(&l).iter().all(|d| *d != Density::Summary),
            "{l:?}"
        );
    }

    #[test]
    fn sixty_incidents_at_1080p_are_all_shown() {
        for counts in [
            [6, 10, 14, 15, 15],
            [60, 0, 0, 0, 0],
            [0, 0, 0, 0, 60],
            [12; 5],
        ] {
            let l = fit(counts, AREA_1080.0, AREA_1080.1);
            assert!(l.paging.is_none(), "{counts:?}: {l:?}");
            assert!(
                densities(&l).iter().all(|d| *d != Density::Summary),
                "{counts:?}: {l:?}"
            );
        }
    }

    #[test]
    fn severe_incidents_stay_full_while_lesser_ones_shrink() {
        let l = fit([2, 0, 0, 0, 40], AREA_1080.0, AREA_1080.1);
        assert_eq!(densities(&l)[0], Density::Full);
        assert_eq!(densities(&l)[4], Density::Compact);
    }

    #[test]
    fn lesser_groups_collapse_before_severe_ones_page() {
        let l = fit([10, 20, 100, 100, 100], AREA_1080.0, AREA_1080.1);
        assert!(l.paging.is_none(), "{l:?}");
        assert_eq!(&densities(&l)[2..], &[Density::Summary; 3]);
        assert!(densities(&l)[..2].iter().all(|d| *d != Density::Summary));
    }

    #[test]
    fn critical_incidents_that_overflow_page_at_compact_size() {
        let l = fit([200, 30, 5, 0, 0], AREA_1080.0, AREA_1080.1);
        let p = l.paging.expect("pages");
        assert_eq!(densities(&l)[0], Density::Compact);
        assert_eq!(densities(&l)[2], Density::Summary);
        assert!(
            p.per_page >= 20 && p.pages == 230usize.div_ceil(p.per_page),
            "{p:?}"
        );
        // The pages cover every critical and high incident exactly once.
        let mut seen = 0;
        for page in 0..p.pages {
            seen += page_range(l.paging, page, 1, 200, 200).len();
            seen += page_range(l.paging, page, 2, 200, 30).len();
        }
        assert_eq!(seen, 230);
        assert_eq!(page_range(l.paging, 0, 1, 200, 200), 0..p.per_page);
        assert_eq!(page_range(l.paging, p.pages - 1, 1, 200, 200).len(), 0);
    }

    #[test]
    fn the_scale_follows_the_screen() {
        assert_eq!(scale(1920.0, 1080.0), 1.0);
        assert_eq!(scale(3840.0, 2160.0), 2.0);
        assert!((scale(1280.0, 720.0) - 2.0 / 3.0).abs() < 1e-9);
        assert!(fits_screen(1280.0, 720.0) && !fits_screen(390.0, 844.0));
    }

    #[test]
    fn a_narrow_area_still_has_one_column() {
        let l = fit([3, 0, 0, 0, 0], 300.0, 900.0);
        assert_eq!(l.groups[0].columns, 1);
    }

    #[test]
    fn plan_groups_get_full_cards_then_rows_then_pages() {
        let full = fit_plans(&[2, 1], AREA_1080.0, AREA_1080.1);
        assert_eq!(full.group.density, Density::Full);
        assert!(full.paging.is_none());
        let rows = fit_plans(&[20, 15, 10], AREA_1080.0, AREA_1080.1);
        assert_eq!(rows.group.density, Density::Compact);
        assert!(rows.paging.is_none());
        let paged = fit_plans(&[300, 100], AREA_1080.0, AREA_1080.1);
        let p = paged.paging.expect("pages");
        assert_eq!(p.pages, 400usize.div_ceil(p.per_page));
        let mut seen = 0;
        for page in 0..p.pages {
            seen += paged_slice(paged.paging, page, 0, 300).len();
            seen += paged_slice(paged.paging, page, 300, 100).len();
        }
        assert_eq!(seen, 400, "every incident on exactly one page");
    }
}
