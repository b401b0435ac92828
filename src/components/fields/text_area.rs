//! A labelled multi-line text input.

use leptos::prelude::*;

/// `<label for=id>` and `<textarea id=id>` bound to `value`; inside a `<div class=wrapper>`
/// when `wrapper` is given. Children, when given, sit beside the label in a `div.label-row`.
#[component]
pub fn TextArea(
    /// Element id (and name).
    #[prop(into)]
    id: String,
    /// The label's text.
    label: &'static str,
    /// The value, read and written as the person types.
    value: RwSignal<String>,
    /// Visible lines.
    rows: &'static str,
    /// Whether the field must be filled in.
    #[prop(optional)]
    required: bool,
    /// `maxlength`, when there is one.
    #[prop(optional)]
    maxlength: Option<&'static str>,
    /// Code (JSON): monospace (`code-input`), no spell checking, no autocomplete.
    #[prop(optional)]
    code: bool,
    /// CSS class of a `<div>` to wrap the label and the textarea in.
    #[prop(optional)]
    wrapper: Option<&'static str>,
    /// Controls shown beside the label.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let label = view! { <label for=id.clone()>{label}</label> };
    let label = match children {
        Some(beside) => view! { <div class="label-row">{label}{beside()}</div> }.into_any(),
        None => label.into_any(),
    };
    let field = view! {
        {label}
        <textarea
            id=id.clone()
            name=id
            class=code.then_some("code-input")
            rows=rows
            maxlength=maxlength
            spellcheck=code.then_some("false")
            autocomplete=code.then_some("off")
            required=required
            prop:value=move || value.get()
            on:input=move |ev| value.set(event_target_value(&ev))
        ></textarea>
    };
    match wrapper {
        Some(wrapper) => view! { <div class=wrapper>{field}</div> }.into_any(),
        None => field.into_any(),
    }
}
