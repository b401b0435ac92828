//! An impact shown as colour *and* words.

use leptos::prelude::*;
use tocsin_api::impact::Impact;

use crate::format::impact_class;

/// `1 Critical`, `2 High`, … with the impact's colour (out-of-range impacts show as the
/// nearest level).
#[component]
pub fn ImpactBadge(
    /// Impact 1-5.
    impact: i32,
) -> impl IntoView {
    view! {
        <span class=format!("impact-badge {}", impact_class(impact))>
            {Impact::clamped(impact).to_string()}
        </span>
    }
}
