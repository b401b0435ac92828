//! The message of a form's bad field, shown at the field.

use leptos::prelude::*;

use crate::forms::plan::FieldError;

/// `p.field-error#{field}-error` (`role="alert"`) with the message of `error` when it
/// concerns the input `field`; nothing otherwise.
#[component]
pub fn FieldMessage(
    /// The input's id.
    field: &'static str,
    /// The form's current error.
    #[prop(into)]
    error: Signal<Option<FieldError>>,
) -> impl IntoView {
    move || {
        error.get().filter(|e| e.field == field).map(|e| {
            view! {
                <p class="field-error" id=format!("{field}-error") role="alert">
                    {e.message}
                </p>
            }
        })
    }
}
