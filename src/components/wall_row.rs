//! The wall's denser forms of an impact group: one line per incident, or one line for the
//! whole group (see [`crate::wall_layout`]).

use leptos::prelude::*;
use leptos_router::components::A;
use tocsin_api::impact::Impact;
use tocsin_api::native::WallIncident;

use crate::components::impact_badge::ImpactBadge;
use crate::format::{format_age, impact_class, incident_href};

/// `li.wall-row`: one open incident on one line (its title, clipped, and its ticking age),
/// drawn when its impact group is dense. The group's heading names the impact, and the
/// row's `title` attribute repeats it with the whole title.
#[component]
pub fn WallRow(
    /// The incident.
    incident: WallIncident,
    /// Now, in seconds since the epoch (ticks every second).
    #[prop(into)]
    now: Signal<f64>,
    /// Kiosk mode: the title is not a link.
    #[prop(into)]
    kiosk: Signal<bool>,
    /// Whether the row names its impact (rows grouped by response plan, where no heading
    /// does).
    #[prop(optional)]
    with_impact: bool,
) -> impl IntoView {
    let record = incident.incident;
    let impact = record.impact;
    let created = record.creation_time;
    let href = incident_href(&record.arn);
    let title = record.title;
    let tooltip = format!("{}: {}", Impact::clamped(record.impact).label(), title);
    view! {
        <li
            class=format!("wall-row {}", impact_class(record.impact))
            data-arn=record.arn
            title=tooltip
        >
            {with_impact.then(|| view! { <ImpactBadge impact=impact /> })}
            <span class="row-title incident-title">{title_link(title, href, kiosk)}</span>
            <span class="age row-age">{move || format_age(now.get() - created)}</span>
        </li>
    }
}

/// An incident's title: a link to its page, or (in kiosk mode) plain text.
pub fn title_link(title: String, href: String, kiosk: Signal<bool>) -> impl IntoView {
    move || {
        let text = title.clone();
        if kiosk.get() {
            text.into_any()
        } else {
            view! { <A href=href.clone()>{text}</A> }.into_any()
        }
    }
}

/// `p.wall-summary`: a collapsed impact group on one line: its impact, how many are open,
/// and the oldest of them with its age. `oldest` is `None` for an empty group.
#[component]
pub fn WallSummary(
    /// The impact, 1–5.
    impact: i32,
    /// Open incidents of this impact.
    #[prop(into)]
    count: Signal<usize>,
    /// The oldest open incident of this impact (title, creation time in epoch seconds).
    #[prop(into)]
    oldest: Signal<Option<(String, f64)>>,
    /// Now, in seconds since the epoch.
    #[prop(into)]
    now: Signal<f64>,
) -> impl IntoView {
    view! {
        <p class=format!("wall-summary {}", impact_class(impact)) data-impact=impact>
            <span class=format!("impact-badge {}", impact_class(impact))>
                {Impact::clamped(impact).to_string()}
            </span>
            <span class="summary-count">{move || format!("{} open", count.get())}</span>
            {move || {
                oldest
                    .get()
                    .map(|(title, created)| {
                        view! {
                            <span class="summary-oldest">
                                " · oldest: "
                                <span class="summary-title">{title}</span>
                                " · "
                                <span class="age">{move || format_age(now.get() - created)}</span>
                            </span>
                        }
                    })
            }}
        </p>
    }
}
