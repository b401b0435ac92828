//! The Integrations page's "Service roles" section: which role each service principal acts
//! with, a form to assign one, and "Reset to responder".

use leptos::prelude::*;
use tocsin_api::auth::Role;
use tocsin_api::native::{PutServiceRole, ServiceRole};

use crate::api::ApiError;
use crate::clock::local_datetime;
use crate::components::action_button::{ActionButton, refreshing_action};
use crate::components::action_error::ActionError;
use crate::components::error_note::ErrorNote;
use crate::components::fields::TextField;
use crate::components::loaded::Loaded;
use crate::format::principal_label;
use crate::forms::integrations::ServiceRoleForm;
use crate::use_api;

/// `section#service-roles`: runbooks started by a response plan or a rule target act as the
/// service principal their `roleArn` names, as `responder` unless a role is assigned here.
/// Lists the assignments, assigns one (replacing any earlier one) and resets one to
/// `responder` (after a confirmation). The list is read again after each change made here.
#[component]
pub fn ServiceRoles() -> impl IntoView {
    let api = use_api();
    let list_api = api.clone();
    let roles = LocalResource::new(move || {
        let api = list_api.clone();
        async move { api.list_service_roles().await }
    });
    let refresh = Callback::new(move |()| roles.refetch());

    let defaults = ServiceRoleForm::default();
    let role_arn = RwSignal::new(defaults.role_arn);
    let role = RwSignal::new(defaults.role);
    let form_error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(None::<ServiceRole>);

    let save_api = api.clone();
    let save = Action::new_local(move |input: &PutServiceRole| {
        let api = save_api.clone();
        let input = input.clone();
        async move {
            let entry = api.put_service_role(&input).await?;
            role_arn.try_set(String::new());
            saved.try_set(Some(entry));
            refresh.run(());
            Ok::<(), ApiError>(())
        }
    });
    let on_save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(None);
        let form = ServiceRoleForm {
            role_arn: role_arn.get_untracked(),
            role: role.get_untracked(),
        };
        match form.put_input() {
            Ok(input) => {
                form_error.set(None);
                role_arn.set(input.role_arn.clone());
                save.dispatch_local(input);
            }
            Err(msg) => form_error.set(Some(msg)),
        }
    };

    let reset = refreshing_action(refresh, move |role_arn: String| {
        let api = api.clone();
        async move { api.delete_service_role(&role_arn).await }
    });

    view! {
        <section class="integration-section" id="service-roles" aria-labelledby="service-roles-title">
            <h2 id="service-roles-title">"Service roles"</h2>
            <p class="hint">
                "Runbooks started by a response plan or a rule target act as the service principal "
                "their roleArn names, with the role responder unless one is assigned here. The role "
                "decides which of Tocsin's APIs their aws:executeAwsApi steps may call."
            </p>
            <Loaded resource=roles render=move |list| view! { <ServiceRoleTable roles=list reset /> } />
            <ActionError action=reset id="service-role-reset-error" />

            <h3>"Assign a role"</h3>
            <form class="form" id="service-role-form" on:submit=on_save>
                <TextField
                    id="service-role-arn"
                    label="Role ARN"
                    value=role_arn
                    required=true
                    maxlength="1000"
                    placeholder="arn:aws:iam::000000000000:role/IncidentAutomation"
                    hint="The roleArn of a response plan's runbook action or of a rule target."
                />
                <label for="service-role-role">"Role"</label>
                <select
                    id="service-role-role"
                    name="service-role-role"
                    prop:value=move || role.get()
                    on:change=move |ev| role.set(event_target_value(&ev))
                >
                    {Role::ALL
                        .iter()
                        .map(|r| {
                            let value = r.as_str();
                            view! {
                                <option value=value selected=move || role.with(|x| x == value)>
                                    {value}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <div class="actions">
                    <button type="submit" id="service-role-save" disabled=move || save.pending().get()>
                        "Assign role"
                    </button>
                </div>
            </form>
            {move || form_error.get().map(|m| view! { <ErrorNote id="service-role-form-error" message=m /> })}
            <ActionError action=save id="service-role-save-error" />
            {move || {
                saved
                    .get()
                    .map(|entry| {
                        view! {
                            <p class="ok" id="service-role-saved" role="status">
                                {format!("{} now acts as {}.", entry.role_arn, entry.role)}
                            </p>
                        }
                    })
            }}
        </section>
    }
}

/// `table#service-role-list`: one `tr.service-role-row[data-arn]` per assignment.
#[component]
fn ServiceRoleTable(
    roles: Vec<ServiceRole>,
    reset: Action<String, Result<(), ApiError>>,
) -> impl IntoView {
    if roles.is_empty() {
        return view! {
            <p class="muted" id="no-service-roles">
                "No roles assigned: every service principal acts as responder."
            </p>
        }
        .into_any();
    }
    view! {
        <table class="list" id="service-role-list">
            <thead>
                <tr>
                    <th>"Role ARN"</th>
                    <th>"Role"</th>
                    <th>"Assigned"</th>
                    <th>"By"</th>
                    <th>"Actions"</th>
                </tr>
            </thead>
            <tbody>
                {roles
                    .into_iter()
                    .map(|entry| {
                        let confirm = format!("Reset {} to responder?", entry.role_arn);
                        let by = principal_label(&entry.assigned_by).to_owned();
                        view! {
                            <tr class="service-role-row" data-arn=entry.role_arn.clone()>
                                <td class="mono service-role-arn">{entry.role_arn.clone()}</td>
                                <td class="service-role-role">{entry.role.as_str()}</td>
                                <td class="service-role-assigned">{local_datetime(entry.assigned_at)}</td>
                                <td class="service-role-by" title=entry.assigned_by.clone()>
                                    {by}
                                </td>
                                <td class="service-role-actions">
                                    <ActionButton
                                        action=reset
                                        input=entry.role_arn.clone()
                                        class="service-role-reset small"
                                        confirm
                                    >
                                        "Reset to responder"
                                    </ActionButton>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
