//! A labelled `<select>` of fixed choices.

use leptos::prelude::*;

/// `<label for=id>` and `<select id=id>` bound to `value`, one `<option>` per
/// `(value, label)` of `options`, then an optional `p.hint`; inside a `<div class=wrapper>`
/// when `wrapper` is given.
#[component]
pub fn SelectField(
    /// Element id (and name).
    #[prop(into)]
    id: String,
    /// The label's text.
    label: &'static str,
    /// The chosen option's value.
    value: RwSignal<String>,
    /// The choices: (value, what the option reads).
    options: Vec<(&'static str, &'static str)>,
    /// A hint shown under the field.
    #[prop(optional)]
    hint: Option<&'static str>,
    /// CSS class of the `<select>`.
    #[prop(optional)]
    class: Option<&'static str>,
    /// CSS class of a `<div>` to wrap the label and the select in.
    #[prop(optional)]
    wrapper: Option<&'static str>,
) -> impl IntoView {
    let field = view! {
        <label for=id.clone()>{label}</label>
        <select
            id=id.clone()
            name=id
            class=class
            prop:value=move || value.get()
            on:change=move |ev| value.set(event_target_value(&ev))
        >
            {options
                .into_iter()
                .map(|(v, text)| {
                    view! {
                        <option value=v selected=move || value.with(|x| x == v)>
                            {text}
                        </option>
                    }
                })
                .collect_view()}
        </select>
        {hint.map(|hint| view! { <p class="hint">{hint}</p> })}
    };
    match wrapper {
        Some(wrapper) => view! { <div class=wrapper>{field}</div> }.into_any(),
        None => field.into_any(),
    }
}
