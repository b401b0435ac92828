//! Create or edit a response plan.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use tocsin_api::incidents::{
    CreateResponsePlanInput, GetResponsePlanOutput, IncidentTemplate, UpdateResponsePlanInput,
};

use crate::api::{ApiError, new_client_token};
use crate::components::error_note::ErrorNote;
use crate::components::impact_select::ImpactSelect;

/// The editable fields of a response plan, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanForm {
    /// Plan name (fixed once created).
    pub name: String,
    /// Display name.
    pub display_name: String,
    /// Incident title.
    pub title: String,
    /// Impact `"1"`…`"5"`.
    pub impact: String,
    /// Incident summary.
    pub summary: String,
    /// Dedupe string.
    pub dedupe_string: String,
}

impl PlanForm {
    /// The form filled from an existing plan.
    pub fn from_plan(plan: &GetResponsePlanOutput) -> Self {
        let t = &plan.incident_template;
        Self {
            name: plan.name.clone(),
            display_name: plan.display_name.clone().unwrap_or_default(),
            title: t.title.clone(),
            impact: t.impact.to_string(),
            summary: t.summary.clone().unwrap_or_default(),
            dedupe_string: t.dedupe_string.clone().unwrap_or_default(),
        }
    }

    fn impact(&self) -> Result<i32, String> {
        match self.impact.trim().parse::<i32>() {
            Ok(i) if (1..=5).contains(&i) => Ok(i),
            _ => Err("Choose an impact from 1 to 5.".to_owned()),
        }
    }

    /// `CreateResponsePlan` input; empty optional fields are left out.
    pub fn create_input(&self, client_token: String) -> Result<CreateResponsePlanInput, String> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err("A name is required.".to_owned());
        }
        let non_empty = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        Ok(CreateResponsePlanInput {
            name: name.to_owned(),
            incident_template: IncidentTemplate {
                title: self.title.trim().to_owned(),
                impact: self.impact()?,
                summary: non_empty(&self.summary),
                dedupe_string: non_empty(&self.dedupe_string),
                notification_targets: None,
                incident_tags: None,
            },
            display_name: non_empty(&self.display_name),
            client_token: Some(client_token),
            chat_channel: None,
            engagements: None,
            actions: None,
            integrations: None,
            tags: None,
        })
    }

    /// `UpdateResponsePlan` input setting every field of the form (an empty field clears it).
    pub fn update_input(
        &self,
        arn: &str,
        client_token: String,
    ) -> Result<UpdateResponsePlanInput, String> {
        Ok(UpdateResponsePlanInput {
            arn: arn.to_owned(),
            client_token: Some(client_token),
            display_name: Some(self.display_name.trim().to_owned()),
            incident_template_title: Some(self.title.trim().to_owned()),
            incident_template_impact: Some(self.impact()?),
            incident_template_summary: Some(self.summary.trim().to_owned()),
            incident_template_dedupe_string: Some(self.dedupe_string.trim().to_owned()),
            ..UpdateResponsePlanInput::default()
        })
    }
}

/// What the form submits.
#[derive(Debug, Clone)]
enum Submit {
    Create(CreateResponsePlanInput),
    Update(UpdateResponsePlanInput),
}

/// `/plans/new` and `/plans/edit?arn=…`: the response-plan form; editing also offers delete.
#[component]
pub fn PlanFormPage() -> impl IntoView {
    let api = crate::use_api();
    let navigate = use_navigate();
    let query = use_query_map();
    let arn = query.with_untracked(|q| q.get("arn"));
    let editing = arn.is_some();

    let name = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let title = RwSignal::new(String::new());
    let impact = RwSignal::new("3".to_owned());
    let summary = RwSignal::new(String::new());
    let dedupe = RwSignal::new(String::new());
    let load_error = RwSignal::new(None::<String>);
    let loading = RwSignal::new(editing);
    let form_error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);

    if let Some(arn) = arn.clone() {
        let api = api.clone();
        spawn_local(async move {
            match api.get_response_plan(&arn).await {
                Ok(plan) => {
                    let f = PlanForm::from_plan(&plan);
                    name.try_set(f.name);
                    display_name.try_set(f.display_name);
                    title.try_set(f.title);
                    impact.try_set(f.impact);
                    summary.try_set(f.summary);
                    dedupe.try_set(f.dedupe_string);
                }
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

    let form = move || PlanForm {
        name: name.get_untracked(),
        display_name: display_name.get_untracked(),
        title: title.get_untracked(),
        impact: impact.get_untracked(),
        summary: summary.get_untracked(),
        dedupe_string: dedupe.get_untracked(),
    };
    let submit_arn = arn.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let token = new_client_token();
        let built = match &submit_arn {
            Some(arn) => form().update_input(arn, token).map(Submit::Update),
            None => form().create_input(token).map(Submit::Create),
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

    let text_input = move |id: &'static str,
                           value: RwSignal<String>,
                           required: bool,
                           pattern: Option<&'static str>,
                           readonly: bool| {
        view! {
            <input
                id=id
                name=id
                type="text"
                required=required
                pattern=pattern
                maxlength="200"
                readonly=readonly
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        }
    };

    view! {
        <section class="page">
            <h1>{if editing { "Edit response plan" } else { "New response plan" }}</h1>
            {move || load_error.get().map(|m| view! { <ErrorNote id="plan-load-error" message=m /> })}
            <form class="form" id="plan-form" on:submit=on_submit>
                <label for="name">"Name"</label>
                {text_input("name", name, true, Some("[A-Za-z0-9_\\-]+"), editing)}
                <p class="hint">"Letters, digits, - and _. Cannot be changed later."</p>
                <label for="display-name">"Display name"</label>
                {text_input("display-name", display_name, false, None, false)}
                <label for="title">"Incident title"</label>
                {text_input("title", title, true, None, false)}
                <label for="impact">"Impact"</label>
                <ImpactSelect id="impact" value=impact />
                <label for="summary">"Summary"</label>
                <textarea
                    id="summary"
                    name="summary"
                    rows="4"
                    maxlength="8000"
                    prop:value=move || summary.get()
                    on:input=move |ev| summary.set(event_target_value(&ev))
                ></textarea>
                <label for="dedupe-string">"Dedupe string"</label>
                <input
                    id="dedupe-string"
                    name="dedupe-string"
                    type="text"
                    maxlength="1000"
                    prop:value=move || dedupe.get()
                    on:input=move |ev| dedupe.set(event_target_value(&ev))
                />
                <p class="hint">"Open incidents with the same dedupe string merge into one."</p>
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
            {move || {
                submit
                    .value()
                    .get()
                    .and_then(Result::err)
                    .map(|e| view! { <ErrorNote id="plan-error" message=e.to_string() /> })
            }}
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
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> PlanForm {
        PlanForm {
            name: " db-down ".to_owned(),
            display_name: String::new(),
            title: "Database down".to_owned(),
            impact: "2".to_owned(),
            summary: "  ".to_owned(),
            dedupe_string: "db".to_owned(),
        }
    }

    #[test]
    fn create_leaves_empty_optionals_out() {
        let input = form().create_input("tok".to_owned());
        let json = input.ok().and_then(|i| serde_json::to_value(i).ok());
        assert_eq!(
            json,
            Some(serde_json::json!({
                "name": "db-down",
                "incidentTemplate": {"title": "Database down", "impact": 2, "dedupeString": "db"},
                "clientToken": "tok"
            }))
        );
    }

    #[test]
    fn bad_input_is_refused() {
        let mut f = form();
        f.impact = "7".to_owned();
        assert!(f.create_input("t".to_owned()).is_err());
        let mut f = form();
        f.name = " ".to_owned();
        assert!(f.create_input("t".to_owned()).is_err());
    }

    #[test]
    fn update_sets_every_field() {
        let input = form().update_input("arn:x", "tok".to_owned()).ok();
        let input = input.and_then(|i| serde_json::to_value(i).ok());
        assert_eq!(
            input,
            Some(serde_json::json!({
                "arn": "arn:x",
                "clientToken": "tok",
                "displayName": "",
                "incidentTemplateTitle": "Database down",
                "incidentTemplateImpact": 2,
                "incidentTemplateSummary": "",
                "incidentTemplateDedupeString": "db"
            }))
        );
    }
}
