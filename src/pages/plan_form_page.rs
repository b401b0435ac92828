//! Create or edit a response plan.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use tocsin_api::incidents::{CreateResponsePlanInput, UpdateResponsePlanInput};

use crate::api::{ApiError, new_client_token};
use crate::auth::session::use_auth;
use crate::auth::{Control, cannot_message, may};
use crate::components::action_error::ActionError;
use crate::components::error_note::ErrorNote;
use crate::components::fields::{ImpactSelect, TextArea, TextField};
use crate::forms::plan::PlanForm;

/// The form's fields, as signals.
#[derive(Clone, Copy, Default)]
struct PlanDraft {
    name: RwSignal<String>,
    display_name: RwSignal<String>,
    title: RwSignal<String>,
    impact: RwSignal<String>,
    summary: RwSignal<String>,
    dedupe_string: RwSignal<String>,
}

impl PlanDraft {
    fn fill(&self, form: PlanForm) {
        self.name.try_set(form.name);
        self.display_name.try_set(form.display_name);
        self.title.try_set(form.title);
        self.impact.try_set(form.impact);
        self.summary.try_set(form.summary);
        self.dedupe_string.try_set(form.dedupe_string);
    }

    fn form(&self) -> PlanForm {
        PlanForm {
            name: self.name.get_untracked(),
            display_name: self.display_name.get_untracked(),
            title: self.title.get_untracked(),
            impact: self.impact.get_untracked(),
            summary: self.summary.get_untracked(),
            dedupe_string: self.dedupe_string.get_untracked(),
        }
    }
}

/// What the form submits.
#[derive(Debug, Clone)]
enum Submit {
    Create(CreateResponsePlanInput),
    Update(UpdateResponsePlanInput),
}

/// `/plans/new` and `/plans/edit?arn=…`: the response-plan form; editing also offers delete.
/// Admins only: other keys get a note instead.
#[component]
pub fn PlanFormPage() -> impl IntoView {
    let role = use_auth().role_untracked();
    if !may(role, Control::EditPlans) {
        return view! {
            <section class="page">
                <h1>"Response plan"</h1>
                <p class="note" id="plan-denied">
                    {cannot_message(role, "create or edit response plans")}
                </p>
            </section>
        }
        .into_any();
    }
    let api = crate::use_api();
    let navigate = use_navigate();
    let query = use_query_map();
    let arn = query.with_untracked(|q| q.get("arn"));
    let editing = arn.is_some();

    let draft = PlanDraft::default();
    draft.fill(PlanForm::default());
    let load_error = RwSignal::new(None::<String>);
    let loading = RwSignal::new(editing);
    let form_error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);

    if let Some(arn) = arn.clone() {
        let api = api.clone();
        spawn_local(async move {
            match api.get_response_plan(&arn).await {
                Ok(plan) => draft.fill(PlanForm::from_plan(&plan)),
                Err(e) => {
                    load_error.try_set(Some(e.to_string()));
                }
            }
            loading.try_set(false);
        });
    }

    let submit_api = api.clone();
    let nav = navigate.clone();
    let submit = Action::new_local(move |input: &Submit| {
        let api = submit_api.clone();
        let input = input.clone();
        let navigate = nav.clone();
        async move {
            match input {
                Submit::Create(input) => {
                    let out = api.create_response_plan(&input).await?;
                    navigate("/plans", NavigateOptions::default());
                    Ok::<String, ApiError>(out.arn)
                }
                Submit::Update(input) => {
                    api.update_response_plan(&input).await?;
                    saved.try_set(true);
                    Ok(input.arn)
                }
            }
        }
    });

    let submit_arn = arn.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let token = new_client_token();
        let built = match &submit_arn {
            Some(arn) => draft.form().update_input(arn, token).map(Submit::Update),
            None => draft.form().create_input(token).map(Submit::Create),
        };
        match built {
            Ok(input) => {
                form_error.set(None);
                submit.dispatch_local(input);
            }
            Err(msg) => form_error.set(Some(msg)),
        }
    };

    let delete_api = api.clone();
    let delete_nav = navigate.clone();
    let delete = Action::new_local(move |arn: &String| {
        let api = delete_api.clone();
        let arn = arn.clone();
        let navigate = delete_nav.clone();
        async move {
            api.delete_response_plan(&arn).await?;
            navigate("/plans", NavigateOptions::default());
            Ok::<(), ApiError>(())
        }
    });
    let delete_arn = arn.clone();
    let on_delete = move |_| {
        let Some(arn) = delete_arn.clone() else {
            return;
        };
        let confirmed = window()
            .confirm_with_message("Delete this response plan?")
            .unwrap_or(false);
        if confirmed {
            delete.dispatch_local(arn);
        }
    };

    view! {
        <section class="page">
            <h1>{if editing { "Edit response plan" } else { "New response plan" }}</h1>
            {move || load_error.get().map(|m| view! { <ErrorNote id="plan-load-error" message=m /> })}
            <form class="form" id="plan-form" on:submit=on_submit>
                <TextField
                    id="name"
                    label="Name"
                    value=draft.name
                    required=true
                    maxlength="200"
                    pattern="[A-Za-z0-9_\\-]+"
                    readonly=editing
                    hint="Letters, digits, - and _. Cannot be changed later."
                />
                <TextField id="display-name" label="Display name" value=draft.display_name maxlength="200" />
                <TextField id="title" label="Incident title" value=draft.title required=true maxlength="200" />
                <ImpactSelect id="impact" label="Impact" value=draft.impact />
                <TextArea id="summary" label="Summary" value=draft.summary rows="4" maxlength="8000" />
                <TextField
                    id="dedupe-string"
                    label="Dedupe string"
                    value=draft.dedupe_string
                    maxlength="1000"
                    hint="Open incidents with the same dedupe string merge into one."
                />
                <div class="actions">
                    <button
                        type="submit"
                        id="plan-submit"
                        disabled=move || submit.pending().get() || loading.get()
                    >
                        {if editing { "Save" } else { "Create" }}
                    </button>
                    {editing
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    id="plan-delete"
                                    class="danger"
                                    disabled=move || delete.pending().get()
                                    on:click=on_delete.clone()
                                >
                                    "Delete"
                                </button>
                            }
                        })}
                </div>
            </form>
            {move || form_error.get().map(|m| view! { <ErrorNote id="plan-error" message=m /> })}
            <ActionError action=submit id="plan-error" />
            <ActionError action=delete id="plan-delete-error" />
            <Show when=move || saved.get()>
                <p class="ok" id="plan-saved" role="status">"Saved."</p>
            </Show>
        </section>
    }
    .into_any()
}
