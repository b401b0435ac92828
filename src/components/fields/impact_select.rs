//! A labelled `<select>` of the five impacts.

use leptos::prelude::*;
use tocsin_api::impact::Impact;

/// `<label for=id>` and an impact picker bound to `value` (`"1"`…`"5"`, or `""` for "use
/// the default" when `default_label` is given). Options read `1 Critical` … `5 No impact`.
#[component]
pub fn ImpactSelect(
    /// Element id (and name).
    #[prop(into)]
    id: String,
    /// The label's text.
    label: &'static str,
    /// The chosen value.
    value: RwSignal<String>,
    /// When set, adds a first option with value `""` and this label.
    #[prop(optional, into)]
    default_label: Option<String>,
) -> impl IntoView {
    view! {
        <label for=id.clone()>{label}</label>
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
            {Impact::ALL
                .iter()
                .map(|&impact| {
                    let v = impact.get().to_string();
                    let v2 = v.clone();
                    view! {
                        <option value=v selected=move || value.with(|x| *x == v2)>
                            {impact.to_string()}
                        </option>
                    }
                })
                .collect_view()}
        </select>
    }
}
