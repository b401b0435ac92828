//! The "Start incident" form.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use tocsin_api::incidents::{ITEM_TYPES, StartIncidentInput};

use crate::api::new_client_token;
use crate::auth::session::use_auth;
use crate::auth::{Control, cannot_message, may};
use crate::components::error_note::ErrorNote;
use crate::components::fields::{ImpactSelect, SelectField, TextArea, TextField};
use crate::format::incident_href;
use crate::forms::related::{RelatedItemForm, VALUE_KINDS};
use crate::forms::start::{ClientTokens, StartForm, plan_defaults, plan_label};
use crate::use_api;

/// One related-item row of the form, each field its own signal.
#[derive(Debug, Clone, Copy)]
struct RelatedRow {
    id: u32,
    item_type: RwSignal<String>,
    kind: RwSignal<String>,
    value: RwSignal<String>,
    title: RwSignal<String>,
}

impl RelatedRow {
    fn new(id: u32, item_type: &str, kind: &str) -> Self {
        Self {
            id,
            item_type: RwSignal::new(item_type.to_owned()),
            kind: RwSignal::new(kind.to_owned()),
            value: RwSignal::new(String::new()),
            title: RwSignal::new(String::new()),
        }
    }

    fn form(&self) -> RelatedItemForm {
        RelatedItemForm {
            item_type: self.item_type.get_untracked(),
            kind: self.kind.get_untracked(),
            value: self.value.get_untracked(),
            title: self.title.get_untracked(),
        }
    }
}

/// `/start`: pick a response plan (its defaults and what it sets off are shown), optionally
/// override title, impact and summary, attach involved resources and other related items,
/// start; the new incident's page opens. The same form submitted again within
/// [`crate::forms::start::DOUBLE_SUBMIT_WINDOW_MS`] carries the same `clientToken`, so a
/// double submit opens one incident. A key whose role cannot start incidents gets a note
/// instead of the form.
#[component]
pub fn StartPage() -> impl IntoView {
    let role = use_auth().role_untracked();
    if !may(role, Control::StartIncident) {
        return view! {
            <section class="page">
                <h1>"Start incident"</h1>
                <p class="note" id="start-denied">{cannot_message(role, "start incidents")}</p>
            </section>
        }
        .into_any();
    }
    let api = use_api();
    let navigate = use_navigate();
    let plan = RwSignal::new(String::new());
    let title = RwSignal::new(String::new());
    let impact = RwSignal::new(String::new());
    let summary = RwSignal::new(String::new());
    let related = RwSignal::new(Vec::<RelatedRow>::new());
    let next_row = StoredValue::new(0u32);
    let tokens = StoredValue::new(ClientTokens::default());
    let form_error = RwSignal::new(None::<String>);

    let list_api = api.clone();
    let plans = LocalResource::new(move || {
        let api = list_api.clone();
        async move { api.all_response_plans().await }
    });
    // Preselect the first plan once the list arrives.
    Effect::new(move |_| {
        if let Some(Ok(list)) = plans.get()
            && plan.with_untracked(String::is_empty)
            && let Some(first) = list.first()
        {
            plan.set(first.arn.clone());
        }
    });
    let detail_api = api.clone();
    let plan_detail = LocalResource::new(move || {
        let api = detail_api.clone();
        let arn = plan.get();
        async move {
            if arn.is_empty() {
                None
            } else {
                Some(api.get_response_plan(&arn).await)
            }
        }
    });

    let start = Action::new_local(move |input: &StartIncidentInput| {
        let api = api.clone();
        let input = input.clone();
        async move { api.start_incident(&input).await }
    });
    // The new (or, for a repeated submission, the same) incident's page.
    Effect::new(move |_| {
        if let Some(Ok(out)) = start.value().get() {
            navigate(&incident_href(&out.incident_record_arn), Default::default());
        }
    });

    let add_row = move |item_type: &'static str, kind: &'static str| {
        let id = next_row.get_value();
        next_row.set_value(id + 1);
        related.update(|rows| rows.push(RelatedRow::new(id, item_type, kind)));
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = StartForm {
            plan_arn: plan.get_untracked(),
            title: title.get_untracked(),
            impact: impact.get_untracked(),
            summary: summary.get_untracked(),
            related: related.with_untracked(|rows| rows.iter().map(RelatedRow::form).collect()),
        };
        match form.input(String::new()) {
            Ok(mut input) => {
                let mut token = String::new();
                tokens.update_value(|t| {
                    token = t.token(&input, js_sys::Date::now(), new_client_token);
                });
                input.client_token = Some(token);
                form_error.set(None);
                start.dispatch_local(input);
            }
            Err(msg) => form_error.set(Some(msg)),
        }
    };

    let plan_options = move || match plans.get() {
        None => view! { <option value="" disabled=true>"Loading plans…"</option> }.into_any(),
        Some(Err(_)) => view! { <option value="">"(could not load plans)"</option> }.into_any(),
        Some(Ok(list)) if list.is_empty() => {
            view! { <option value="">"(no response plans: create one first)"</option> }.into_any()
        }
        Some(Ok(list)) => list
            .iter()
            .map(|p| {
                let arn = p.arn.clone();
                let selected_arn = arn.clone();
                view! {
                    <option value=arn selected=move || plan.with(|x| *x == selected_arn)>
                        {plan_label(p)}
                    </option>
                }
            })
            .collect_view()
            .into_any(),
    };

    let preview = move || match plan_detail.get() {
        None | Some(None) => None,
        Some(Some(Err(e))) => {
            Some(view! { <ErrorNote id="plan-preview-error" message=e.to_string() /> }.into_any())
        }
        Some(Some(Ok(detail))) => Some(
            view! {
                <section class="plan-preview" id="plan-preview" aria-label="What this plan does">
                    <h2>"Without overrides, this plan opens"</h2>
                    <dl>
                        {plan_defaults(&detail)
                            .into_iter()
                            .map(|(label, text)| {
                                view! {
                                    <dt>{label}</dt>
                                    <dd>{text}</dd>
                                }
                            })
                            .collect_view()}
                    </dl>
                </section>
            }
            .into_any(),
        ),
    };

    let rows = move || {
        related
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, row)| related_row_view(i + 1, row, related))
            .collect_view()
    };

    view! {
        <section class="page">
            <h1>"Start incident"</h1>
            <form class="form" id="start-form" on:submit=on_submit>
                <label for="plan">"Response plan"</label>
                <select
                    id="plan"
                    name="plan"
                    required
                    on:change=move |ev| plan.set(event_target_value(&ev))
                    prop:value=move || plan.get()
                >
                    {plan_options}
                </select>
                {preview}
                <TextField
                    id="title"
                    label="Title (optional: overrides the plan's)"
                    value=title
                    maxlength="200"
                />
                <ImpactSelect id="impact" label="Impact" value=impact default_label="Plan default" />
                <TextArea
                    id="summary"
                    label="Summary (optional: overrides the plan's)"
                    value=summary
                    rows="3"
                    maxlength="8000"
                />
                <fieldset class="related-rows" id="start-related">
                    <legend>"Involved resources and related items"</legend>
                    {rows}
                    <div class="actions">
                        <button
                            type="button"
                            id="add-involved-resource"
                            on:click=move |_| add_row("INVOLVED_RESOURCE", "arn")
                        >
                            "Add involved resource"
                        </button>
                        <button
                            type="button"
                            id="add-related-item"
                            on:click=move |_| add_row("OTHER", "url")
                        >
                            "Add related item"
                        </button>
                    </div>
                </fieldset>
                <div class="actions">
                    <button type="submit" id="start-submit" disabled=move || start.pending().get()>
                        {move || if start.pending().get() { "Starting…" } else { "Start incident" }}
                    </button>
                </div>
            </form>
            {move || {
                plans
                    .get()
                    .and_then(Result::err)
                    .map(|e| view! { <ErrorNote id="plans-error" message=e.to_string() /> })
            }}
            {move || form_error.get().map(|m| view! { <ErrorNote id="start-error" message=m /> })}
            {move || {
                start
                    .value()
                    .get()
                    .and_then(Result::err)
                    .map(|e| view! { <ErrorNote id="start-error" message=e.to_string() /> })
            }}
        </section>
    }
    .into_any()
}

/// Row `n` (1-based, as error messages count) of the related items, with a Remove button.
fn related_row_view(n: usize, row: RelatedRow, rows: RwSignal<Vec<RelatedRow>>) -> impl IntoView {
    let id = row.id;
    view! {
        <fieldset class="related-row" data-row=n>
            <legend>{format!("Item {n}")}</legend>
            <SelectField
                id=format!("related-type-{id}")
                class="related-type"
                label="Type"
                value=row.item_type
                options=ITEM_TYPES.iter().map(|t| (*t, *t)).collect()
            />
            <SelectField
                id=format!("related-kind-{id}")
                class="related-kind"
                label="Value kind"
                value=row.kind
                options=VALUE_KINDS.to_vec()
            />
            <TextField
                id=format!("related-value-{id}")
                class="related-value"
                label="ARN, URL, metric definition or PagerDuty incident id"
                value=row.value
                maxlength="4000"
            />
            <TextField
                id=format!("related-title-{id}")
                class="related-title"
                label="Title (optional)"
                value=row.title
                maxlength="200"
            />
            <button
                type="button"
                class="related-remove"
                aria-label=format!("Remove item {n}")
                on:click=move |_| rows.update(|list| list.retain(|r| r.id != id))
            >
                "Remove"
            </button>
        </fieldset>
    }
}
