//! A `<select>` of the five impacts.

use leptos::prelude::*;

use crate::format::{IMPACTS, impact_label};

/// Impact picker bound to `value` (`"1"`…`"5"`, or `""` for "use the default" when
/// `default_label` is given).
#[component]
pub fn ImpactSelect(
    /// Element id (and name).
    #[prop(into)]
    id: String,
    /// The chosen value.
    value: RwSignal<String>,
    /// When set, adds a first option with value `""` and this label.
    #[prop(optional, into)]
    default_label: Option<String>,
) -> impl IntoView {
    view! {
        <select
            id=id.clone()
            name=id
            on:change=move |ev| value.set(event_target_value(&ev))
            prop:value=move || value.get()
        >
            {default_label
                .map(|label| {
                    view! {
                        <option value="" selected=move || value.with(String::is_empty)>
                            {label}
                        </option>
                    }
                })}
            {IMPACTS
                .iter()
                .map(|&impact| {
                    let v = impact.to_string();
                    let v2 = v.clone();
                    view! {
                        <option value=v selected=move || value.with(|x| *x == v2)>
                            {format!("{impact} {}", impact_label(impact))}
                        </option>
                    }
                })
                .collect_view()}
        </select>
    }
}
