//! A labelled list of checkboxes choosing ARNs.

use leptos::prelude::*;

/// `<fieldset id=id>` with a `<legend>` and one checkbox per `(ARN, label)` of `options`,
/// bound to the chosen ARNs in `value`. Chosen ARNs that are not among the options (a topic
/// deleted since, an ARN pasted "as code") stay listed, checked, under their ARN. `empty`
/// says what to do when there are no options at all.
#[component]
pub fn Checklist(
    /// The fieldset's id; each checkbox is `{id}-{n}`.
    id: &'static str,
    /// The legend's text.
    legend: &'static str,
    /// The choices: (ARN, what it reads).
    #[prop(into)]
    options: Signal<Vec<(String, String)>>,
    /// The chosen ARNs, in the order chosen.
    value: RwSignal<Vec<String>>,
    /// What the list says when there is nothing to choose.
    empty: &'static str,
    /// A hint under the legend.
    #[prop(optional)]
    hint: Option<&'static str>,
) -> impl IntoView {
    let rows = move || {
        let mut rows = options.get();
        for arn in value.get() {
            if !rows.iter().any(|(a, _)| *a == arn) {
                rows.push((arn.clone(), arn));
            }
        }
        rows
    };
    view! {
        <fieldset class="checklist" id=id>
            <legend>{legend}</legend>
            {hint.map(|hint| view! { <p class="hint">{hint}</p> })}
            <Show when=move || !rows().is_empty() fallback=move || view! { <p class="muted">{empty}</p> }>
                {move || {
                    rows()
                        .into_iter()
                        .enumerate()
                        .map(|(n, (arn, label))| {
                            let box_id = format!("{id}-{n}");
                            let checked_arn = arn.clone();
                            let toggled_arn = arn.clone();
                            view! {
                                <label class="check" for=box_id.clone()>
                                    <input
                                        type="checkbox"
                                        id=box_id.clone()
                                        value=arn.clone()
                                        prop:checked=move || value.with(|v| v.contains(&checked_arn))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            value.update(|v| {
                                                v.retain(|a| *a != toggled_arn);
                                                if on {
                                                    v.push(toggled_arn.clone());
                                                }
                                            });
                                        }
                                    />
                                    " "
                                    {label}
                                </label>
                            }
                        })
                        .collect_view()
                }}
            </Show>
        </fieldset>
    }
}
