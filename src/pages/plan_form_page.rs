//! Create or edit a response plan: every member of `CreateResponsePlan`, a preview of the
//! incident the plan opens, and the plan "as code".

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use tocsin_api::incidents::{CreateResponsePlanInput, TagMap, UpdateResponsePlanInput};

use crate::api::{ApiError, new_client_token};
use crate::auth::session::use_auth;
use crate::auth::{Control, cannot_message, may};
use crate::components::error_note::ErrorNote;
use crate::components::fields::{
    Checklist, FieldMessage, ImpactSelect, SelectField, TextArea, TextField,
};
use crate::forms::plan::{
    FieldError, PagerDutyFields, PlanForm, RunbookFields, TARGET_ACCOUNTS, field_of_server_error,
};
use crate::forms::start::plan_defaults;

/// The runbook's fields, as signals.
#[derive(Clone, Copy, Default)]
struct RunbookDraft {
    document_name: RwSignal<String>,
    document_version: RwSignal<String>,
    role_arn: RwSignal<String>,
    target_account: RwSignal<String>,
    parameters: RwSignal<String>,
    dynamic_parameters: RwSignal<String>,
}

/// The form's fields, as signals.
#[derive(Clone, Copy, Default)]
struct PlanDraft {
    name: RwSignal<String>,
    display_name: RwSignal<String>,
    title: RwSignal<String>,
    impact: RwSignal<String>,
    summary: RwSignal<String>,
    dedupe_string: RwSignal<String>,
    incident_tags: RwSignal<String>,
    notification_targets: RwSignal<Vec<String>>,
    chat_topics: RwSignal<Vec<String>>,
    engagements: RwSignal<Vec<String>>,
    runbook: RunbookDraft,
    pagerduty_name: RwSignal<String>,
    pagerduty_secret: RwSignal<String>,
    pagerduty_service: RwSignal<String>,
    tags: RwSignal<String>,
}

impl PlanDraft {
    /// Sets every field from `form` (the name only when `with_name`: it is fixed once the
    /// plan exists).
    fn fill(&self, form: PlanForm, with_name: bool) {
        if with_name {
            self.name.try_set(form.name);
        }
        self.display_name.try_set(form.display_name);
        self.title.try_set(form.title);
        self.impact.try_set(form.impact);
        self.summary.try_set(form.summary);
        self.dedupe_string.try_set(form.dedupe_string);
        self.incident_tags.try_set(form.incident_tags);
        self.notification_targets.try_set(form.notification_targets);
        self.chat_topics.try_set(form.chat_topics);
        self.engagements.try_set(form.engagements);
        let r = self.runbook;
        r.document_name.try_set(form.runbook.document_name);
        r.document_version.try_set(form.runbook.document_version);
        r.role_arn.try_set(form.runbook.role_arn);
        r.target_account.try_set(form.runbook.target_account);
        r.parameters.try_set(form.runbook.parameters);
        r.dynamic_parameters
            .try_set(form.runbook.dynamic_parameters);
        self.pagerduty_name.try_set(form.pagerduty.name);
        self.pagerduty_secret.try_set(form.pagerduty.secret_id);
        self.pagerduty_service.try_set(form.pagerduty.service_id);
        self.tags.try_set(form.tags);
    }

    /// The form as typed (tracked: a preview built from it follows every keystroke).
    fn form(&self) -> PlanForm {
        let r = self.runbook;
        PlanForm {
            name: self.name.get(),
            display_name: self.display_name.get(),
            title: self.title.get(),
            impact: self.impact.get(),
            summary: self.summary.get(),
            dedupe_string: self.dedupe_string.get(),
            incident_tags: self.incident_tags.get(),
            notification_targets: self.notification_targets.get(),
            chat_topics: self.chat_topics.get(),
            engagements: self.engagements.get(),
            runbook: RunbookFields {
                document_name: r.document_name.get(),
                document_version: r.document_version.get(),
                role_arn: r.role_arn.get(),
                target_account: r.target_account.get(),
                parameters: r.parameters.get(),
                dynamic_parameters: r.dynamic_parameters.get(),
            },
            pagerduty: PagerDutyFields {
                name: self.pagerduty_name.get(),
                secret_id: self.pagerduty_secret.get(),
                service_id: self.pagerduty_service.get(),
            },
            tags: self.tags.get(),
        }
    }
}

/// What the form submits.
#[derive(Debug, Clone)]
enum Submit {
    Create(CreateResponsePlanInput),
    /// The update, then the plan-tag changes (set, removed keys).
    Update(UpdateResponsePlanInput, TagMap, Vec<String>),
}

/// Which view of the plan is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Form,
    Code,
}

/// The choices the form offers: topics, contacts, runbook documents, as (value, label).
#[derive(Debug, Clone, Default, PartialEq)]
struct Choices {
    topics: Vec<(String, String)>,
    contacts: Vec<(String, String)>,
    documents: Vec<(String, String)>,
}

async fn load_choices(api: crate::api::Api) -> Result<Choices, ApiError> {
    let topics = api.list_topics().await?;
    let contacts = api.list_contacts().await?;
    let documents = api.all_documents().await?;
    Ok(Choices {
        topics: topics
            .into_iter()
            .map(|t| {
                let label = if t.display_name.is_empty() {
                    t.name
                } else {
                    format!("{} ({})", t.display_name, t.name)
                };
                (t.topic_arn, label)
            })
            .collect(),
        contacts: contacts
            .into_iter()
            .map(|c| {
                let kind = if c.contact_type == "ESCALATION" {
                    "escalation plan"
                } else {
                    "contact"
                };
                let name = c.display_name.unwrap_or_else(|| c.alias.clone());
                (c.contact_arn, format!("{name} ({kind} {})", c.alias))
            })
            .collect(),
        documents: documents
            .into_iter()
            .filter(|d| d.document_type == "Automation")
            .map(|d| {
                let label = d.display_name.clone().unwrap_or_else(|| d.name.clone());
                (d.name, label)
            })
            .collect(),
    })
}

/// `/plans/new` and `/plans/edit?arn=…`: the response-plan editor (every member of
/// `CreateResponsePlan`: template, notification targets, chat channel, engagements, the
/// runbook and its parameters, the PagerDuty integration, tags), a live preview of the
/// incident it opens, and an "As code" tab with the request body a boto3 or AWS CLI user
/// sends, which can be edited and applied back to the form. A bad field, found by the
/// form or by the server, is named at that field (`#{field}-error`). Editing also offers
/// delete. Admins only: other keys get a note instead.
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
    draft.fill(PlanForm::default(), true);
    let load_error = RwSignal::new(None::<String>);
    let loading = RwSignal::new(editing);
    let field_error = RwSignal::new(None::<FieldError>);
    let form_error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    let tags_before = RwSignal::new(TagMap::new());
    let tab = RwSignal::new(Tab::Form);
    let code = RwSignal::new(String::new());
    let code_error = RwSignal::new(None::<String>);

    let choices = RwSignal::new(Choices::default());
    {
        let api = api.clone();
        spawn_local(async move {
            match load_choices(api).await {
                Ok(c) => {
                    choices.try_set(c);
                }
                Err(e) => {
                    load_error.try_set(Some(format!(
                        "Could not load the topics, contacts and runbooks: {e}"
                    )));
                }
            }
        });
    }
    if let Some(arn) = arn.clone() {
        let api = api.clone();
        spawn_local(async move {
            let plan = api.get_response_plan(&arn).await;
            let tags = api.list_tags_for_resource(&arn).await;
            match (plan, tags) {
                (Ok(plan), Ok(tags)) => {
                    draft.fill(PlanForm::from_plan(&plan, Some(&tags)), true);
                    tags_before.try_set(tags);
                }
                (Err(e), _) | (_, Err(e)) => {
                    load_error.try_set(Some(e.to_string()));
                }
            }
            loading.try_set(false);
        });
    }

    // The preview: what the plan as typed opens (without the parts still wrong, named),
    // or why it cannot yet.
    let preview = Memo::new(move |_| {
        draft.form().preview_input().map(|(input, left_out)| {
            let plan = input.plan(String::new());
            let tags = plan
                .incident_template
                .incident_tags
                .clone()
                .unwrap_or_default();
            let left_out: Vec<String> = left_out.into_iter().map(|e| e.message).collect();
            (plan_defaults(&plan), tags, left_out)
        })
    });

    let submit_api = api.clone();
    let nav = navigate.clone();
    let submit = Action::new_local(move |input: &Submit| {
        let api = submit_api.clone();
        let input = input.clone();
        let navigate = nav.clone();
        async move {
            let result = match input {
                Submit::Create(input) => api.create_response_plan(&input).await.map(|_| {
                    navigate("/plans", NavigateOptions::default());
                }),
                Submit::Update(input, set, removed) => {
                    async {
                        api.update_response_plan(&input).await?;
                        if !set.is_empty() {
                            api.tag_resource(&input.arn, set.clone()).await?;
                        }
                        if !removed.is_empty() {
                            api.untag_resource(&input.arn, &removed).await?;
                        }
                        tags_before.update(|t| {
                            t.retain(|k, _| !removed.contains(k));
                            t.extend(set);
                        });
                        saved.try_set(true);
                        Ok(())
                    }
                    .await
                }
            };
            if let Err(e) = &result {
                let message = e.to_string();
                match field_of_server_error(&message) {
                    Some(field) => {
                        field_error.try_set(Some(FieldError { field, message }));
                    }
                    None => {
                        form_error.try_set(Some(message));
                    }
                }
            }
            result
        }
    });

    let submit_arn = arn.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        form_error.set(None);
        let form = untrack(|| draft.form());
        let token = new_client_token();
        let built = match &submit_arn {
            Some(arn) => form.update_input(arn, token).and_then(|input| {
                let (set, removed) = form.tag_changes(&tags_before.get_untracked())?;
                Ok(Submit::Update(input, set, removed))
            }),
            None => form.create_input(Some(token)).map(Submit::Create),
        };
        match built {
            Ok(input) => {
                field_error.set(None);
                submit.dispatch_local(input);
            }
            Err(e) => {
                focus(e.field);
                field_error.set(Some(e));
            }
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

    let show_code = move |_| {
        match untrack(|| draft.form()).as_code() {
            Ok(text) => {
                code.set(text);
                code_error.set(None);
            }
            Err(e) => {
                code.set(String::new());
                code_error.set(Some(format!("Fix the form first: {e}")));
            }
        }
        tab.set(Tab::Code);
    };
    let apply_code = move |_| match PlanForm::from_code(&code.get_untracked()) {
        Ok(form) => {
            if editing && form.name != draft.name.get_untracked() {
                code_error.set(Some(
                    "A plan's name cannot change once it exists; the form keeps its name."
                        .to_owned(),
                ));
            } else {
                code_error.set(None);
            }
            draft.fill(form, !editing);
            saved.set(false);
            tab.set(Tab::Form);
        }
        Err(e) => code_error.set(Some(e)),
    };

    let field_error_signal: Signal<Option<FieldError>> = field_error.into();
    let topics = Signal::derive(move || choices.with(|c| c.topics.clone()));
    let contacts = Signal::derive(move || choices.with(|c| c.contacts.clone()));
    let documents = move || choices.with(|c| c.documents.clone());
    let chosen_document = draft.runbook.document_name;
    let target_options: Vec<(&'static str, &'static str)> =
        std::iter::once(("", "Default (the plan's account)"))
            .chain(TARGET_ACCOUNTS.iter().map(|&a| (a, a)))
            .collect();

    view! {
        <section class="page plan-editor">
            <h1>{if editing { "Edit response plan" } else { "New response plan" }}</h1>
            {move || load_error.get().map(|m| view! { <ErrorNote id="plan-load-error" message=m /> })}
            <div class="tabs" role="tablist" aria-label="Plan view">
                <button
                    type="button"
                    role="tab"
                    id="tab-form"
                    aria-selected=move || (tab.get() == Tab::Form).to_string()
                    on:click=move |_| tab.set(Tab::Form)
                >
                    "Form"
                </button>
                <button
                    type="button"
                    role="tab"
                    id="tab-code"
                    aria-selected=move || (tab.get() == Tab::Code).to_string()
                    on:click=show_code
                >
                    "As code"
                </button>
            </div>
            <div class="plan-columns" hidden=move || tab.get() != Tab::Form>
                <form class="form" id="plan-form" novalidate=true on:submit=on_submit>
                    <fieldset>
                        <legend>"Plan"</legend>
                        <TextField
                            id="name"
                            label="Name"
                            value=draft.name
                            required=true
                            maxlength="200"
                            readonly=editing
                            hint="Letters, digits, - and _. Cannot be changed later."
                        />
                        <FieldMessage field="name" error=field_error_signal />
                        <TextField id="display-name" label="Display name" value=draft.display_name maxlength="200" />
                        <FieldMessage field="display-name" error=field_error_signal />
                        <TextArea id="tags" label="Plan tags (key=value, one a line)" value=draft.tags rows="2" code=true />
                        <FieldMessage field="tags" error=field_error_signal />
                    </fieldset>
                    <fieldset>
                        <legend>"Incident template"</legend>
                        <TextField id="title" label="Incident title" value=draft.title required=true maxlength="200" />
                        <FieldMessage field="title" error=field_error_signal />
                        <ImpactSelect id="impact" label="Impact" value=draft.impact />
                        <FieldMessage field="impact" error=field_error_signal />
                        <TextArea id="summary" label="Summary" value=draft.summary rows="4" maxlength="8000" />
                        <FieldMessage field="summary" error=field_error_signal />
                        <TextField
                            id="dedupe-string"
                            label="Dedupe string"
                            value=draft.dedupe_string
                            maxlength="1000"
                            hint="Open incidents with the same dedupe string merge into one."
                        />
                        <FieldMessage field="dedupe-string" error=field_error_signal />
                        <TextArea
                            id="incident-tags"
                            label="Incident tags (key=value, one a line)"
                            value=draft.incident_tags
                            rows="3"
                            code=true
                        />
                        <FieldMessage field="incident-tags" error=field_error_signal />
                    </fieldset>
                    <Checklist
                        id="notification-targets"
                        legend="Notify these topics"
                        options=topics
                        value=draft.notification_targets
                        empty="No topics yet: create one on the Topics page."
                        hint="Each topic's subscribers hear of every incident the plan opens (up to 10)."
                    />
                    <FieldMessage field="notification-targets" error=field_error_signal />
                    <Checklist
                        id="chat-channel"
                        legend="Chat channel"
                        options=topics
                        value=draft.chat_topics
                        empty="No topics yet."
                        hint="Topics whose chat subscriptions carry the incident's conversation (up to 5)."
                    />
                    <FieldMessage field="chat-channel" error=field_error_signal />
                    <Checklist
                        id="engagements"
                        legend="Engage"
                        options=contacts
                        value=draft.engagements
                        empty="No contacts yet: create one on the Contacts page."
                        hint="Contacts and escalation plans paged until someone acknowledges (up to 5)."
                    />
                    <FieldMessage field="engagements" error=field_error_signal />
                    <fieldset id="runbook">
                        <legend>"Runbook"</legend>
                        <label for="runbook-document">"Document"</label>
                        <select
                            id="runbook-document"
                            name="runbook-document"
                            prop:value=move || chosen_document.get()
                            on:change=move |ev| chosen_document.set(event_target_value(&ev))
                        >
                            <option value="" selected=move || chosen_document.with(String::is_empty)>
                                "No runbook"
                            </option>
                            {move || {
                                let mut docs = documents();
                                let chosen = chosen_document.get();
                                if !chosen.is_empty() && !docs.iter().any(|(n, _)| *n == chosen) {
                                    docs.push((chosen.clone(), chosen));
                                }
                                docs.into_iter()
                                    .map(|(name, label)| {
                                        let selected_name = name.clone();
                                        view! {
                                            <option
                                                value=name
                                                selected=move || chosen_document.with(|c| *c == selected_name)
                                            >
                                                {label}
                                            </option>
                                        }
                                    })
                                    .collect_view()
                            }}
                        </select>
                        <FieldMessage field="runbook-document" error=field_error_signal />
                        <TextField
                            id="runbook-version"
                            label="Document version"
                            value=draft.runbook.document_version
                            placeholder="$DEFAULT"
                            hint="$DEFAULT, $LATEST or a version number; empty for the default."
                        />
                        <TextField
                            id="runbook-role"
                            label="IAM role ARN"
                            value=draft.runbook.role_arn
                            placeholder="arn:aws:iam::123456789012:role/incident-runbooks"
                            hint="Kept for AWS compatibility: Tocsin runs the runbook itself."
                        />
                        <FieldMessage field="runbook-role" error=field_error_signal />
                        <SelectField
                            id="runbook-target-account"
                            label="Target account"
                            value=draft.runbook.target_account
                            options=target_options
                        />
                        <FieldMessage field="runbook-target-account" error=field_error_signal />
                        <TextArea
                            id="runbook-parameters"
                            label="Parameters (Name=value, one a line; repeat a name for a list)"
                            value=draft.runbook.parameters
                            rows="3"
                            code=true
                        />
                        <FieldMessage field="runbook-parameters" error=field_error_signal />
                        <TextArea
                            id="runbook-dynamic-parameters"
                            label="Parameters from the incident (Name=INCIDENT_RECORD_ARN or Name=INVOLVED_RESOURCES)"
                            value=draft.runbook.dynamic_parameters
                            rows="2"
                            code=true
                        />
                        <FieldMessage field="runbook-dynamic-parameters" error=field_error_signal />
                    </fieldset>
                    <fieldset id="pagerduty">
                        <legend>"PagerDuty integration"</legend>
                        <p class="hint">"All three, or none."</p>
                        <TextField id="pagerduty-name" label="Name" value=draft.pagerduty_name maxlength="200" />
                        <FieldMessage field="pagerduty-name" error=field_error_signal />
                        <TextField id="pagerduty-secret" label="Secret ID" value=draft.pagerduty_secret maxlength="512" />
                        <FieldMessage field="pagerduty-secret" error=field_error_signal />
                        <TextField id="pagerduty-service" label="Service ID" value=draft.pagerduty_service maxlength="200" />
                        <FieldMessage field="pagerduty-service" error=field_error_signal />
                    </fieldset>
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
                    {move || {
                        field_error
                            .get()
                            .map(|e| {
                                view! {
                                    <p class="error" id="plan-error" role="alert">
                                        {format!("Check the form: {e}")}
                                    </p>
                                }
                            })
                    }}
                    {move || form_error.get().map(|m| view! { <ErrorNote id="plan-error" message=m /> })}
                    {move || {
                        delete
                            .value()
                            .get()
                            .and_then(Result::err)
                            .map(|e| view! { <ErrorNote id="plan-delete-error" message=e.to_string() /> })
                    }}
                    <Show when=move || saved.get()>
                        <p class="ok" id="plan-saved" role="status">"Saved."</p>
                    </Show>
                </form>
                <aside class="plan-preview" id="plan-preview" aria-label="Preview">
                    <h2>"This plan opens"</h2>
                    {move || match preview.get() {
                        Ok((rows, tags, left_out)) => {
                            view! {
                                {(!left_out.is_empty())
                                    .then(|| {
                                        view! {
                                            <p class="muted preview-left-out">
                                                {format!("Not shown until fixed: {}", left_out.join(" "))}
                                            </p>
                                        }
                                    })}
                                <dl class="defaults">
                                    {rows
                                        .into_iter()
                                        .map(|(label, text)| view! { <dt>{label}</dt> <dd>{text}</dd> })
                                        .collect_view()}
                                    {(!tags.is_empty())
                                        .then(|| {
                                            view! {
                                                <dt>"Tags"</dt>
                                                <dd>
                                                    {tags
                                                        .into_iter()
                                                        .map(|(k, v)| format!("{k}={v}"))
                                                        .collect::<Vec<_>>()
                                                        .join(", ")}
                                                </dd>
                                            }
                                        })}
                                </dl>
                            }
                                .into_any()
                        }
                        Err(e) => view! { <p class="muted preview-pending">{format!("Not yet: {e}")}</p> }.into_any(),
                    }}
                </aside>
            </div>
            <div class="plan-code" hidden=move || tab.get() != Tab::Code>
                <p class="hint">
                    "The CreateResponsePlan request for this plan, as boto3 ("
                    <code>"client.create_response_plan(**plan)"</code>
                    ") and the AWS CLI ("
                    <code>"aws ssm-incidents create-response-plan --cli-input-json file://plan.json"</code>
                    ") take it. Edit it and apply it to fill the form."
                </p>
                <TextArea id="plan-code" label="Plan as JSON" value=code rows="24" code=true />
                {move || code_error.get().map(|m| view! { <ErrorNote id="plan-code-error" message=m /> })}
                <div class="actions">
                    <button type="button" id="plan-code-apply" on:click=apply_code>
                        "Apply to the form"
                    </button>
                </div>
            </div>
        </section>
    }
    .into_any()
}

/// Moves the keyboard focus to the input `id` (where a bad field's message shows).
fn focus(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(el) = document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}
