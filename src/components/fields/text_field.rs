//! A labelled single-line text input.

use leptos::prelude::*;

/// `<label for=id>` and `<input id=id>` bound to `value`, then an optional `p.hint`; inside
/// a `<div class=wrapper>` when `wrapper` is given.
#[component]
pub fn TextField(
    /// Element id (and name).
    #[prop(into)]
    id: String,
    /// The label's text.
    label: &'static str,
    /// The value, read and written as the person types.
    value: RwSignal<String>,
    /// The input's `type`.
    #[prop(default = "text")]
    input_type: &'static str,
    /// Whether the field must be filled in.
    #[prop(optional)]
    required: bool,
    /// `maxlength`, when there is one.
    #[prop(optional)]
    maxlength: Option<&'static str>,
    /// `pattern` the value must match, when there is one.
    #[prop(optional)]
    pattern: Option<&'static str>,
    /// Whether the field is read-only (may change).
    #[prop(optional, into)]
    readonly: Signal<bool>,
    /// Placeholder text.
    #[prop(optional)]
    placeholder: Option<&'static str>,
    /// The input's CSS class.
    #[prop(optional)]
    class: Option<&'static str>,
    /// A hint shown under the field.
    #[prop(optional)]
    hint: Option<&'static str>,
    /// CSS class of a `<div>` to wrap the label and the input in.
    #[prop(optional)]
    wrapper: Option<&'static str>,
    /// Also called with the new value on every input.
    #[prop(optional, into)]
    on_input: Option<Callback<String>>,
) -> impl IntoView {
    let field = view! {
        <label for=id.clone()>{label}</label>
        <input
            id=id.clone()
            name=id
            type=input_type
            class=class
            required=required
            maxlength=maxlength
            pattern=pattern
            placeholder=placeholder
            readonly=move || readonly.get()
            prop:value=move || value.get()
            on:input=move |ev| {
                let text = event_target_value(&ev);
                value.set(text.clone());
                if let Some(on_input) = on_input {
                    on_input.run(text);
                }
            }
        />
        {hint.map(|hint| view! { <p class="hint">{hint}</p> })}
    };
    match wrapper {
        Some(wrapper) => view! { <div class=wrapper>{field}</div> }.into_any(),
        None => field.into_any(),
    }
}
