//! An impact shown as colour *and* words.

use leptos::prelude::*;

use crate::format::{impact_class, impact_label, normalize_impact};

/// `1 Critical`, `2 High`, … with the impact's colour.
#[component]
pub fn ImpactBadge(
    /// Impact 1-5.
    impact: i32,
) -> impl IntoView {
    view! {
        <span class=format!("impact-badge {}", impact_class(impact))>
            {format!("{} {}", normalize_impact(impact), impact_label(impact))}
        </span>
    }
}
