//! Access keys (admin): list, create (the secret shown once), disable/enable, delete.

use leptos::prelude::*;
use tocsin_api::auth::{AccessKey, NewAccessKey, Role};
use tocsin_api::native::Change;

use crate::api::ApiError;
use crate::auth::session::use_auth;
use crate::auth::{Control, Credentials, cannot_message, check_key_name, kiosk_link, may};
use crate::clock::local_datetime;
use crate::components::action_button::{ActionButton, refreshing_action};
use crate::components::action_error::ActionError;
use crate::components::error_note::ErrorNote;
use crate::components::fields::TextField;
use crate::components::loaded::Loaded;
use crate::live::{ChangeFeed, use_live_resource};
use crate::use_api;

/// `/keys`: every access key with its role, state, creation and last use; a form that
/// creates one and shows its secret once; disable/enable and delete buttons (not for the
/// key in use, so an admin cannot lock themselves out by a slip). Follows
/// `accessKeyChanged` entries of the change feed. Admins only.
#[component]
pub fn KeysPage() -> impl IntoView {
    let auth = use_auth();
    let role = auth.role_untracked();
    if !may(role, Control::ManageKeys) {
        return view! {
            <section class="page">
                <h1>"Access keys"</h1>
                <p class="note" id="keys-denied">{cannot_message(role, "manage access keys")}</p>
            </section>
        }
        .into_any();
    }
    let me = auth
        .identity_untracked()
        .map(|i| i.access_key_id)
        .unwrap_or_default();
    let api = use_api();

    let feed = ChangeFeed::new(api.clone());
    let list_api = api.clone();
    let keys = use_live_resource(
        feed,
        move || {
            let api = list_api.clone();
            async move { api.list_keys().await }
        },
        |entry| matches!(entry.change, Change::AccessKeyChanged { .. }),
    );
    feed.start(None);
    let refresh = Callback::new(move |()| keys.refetch());

    let name = RwSignal::new(String::new());
    let new_role = RwSignal::new(Role::Viewer.as_str().to_owned());
    let form_error = RwSignal::new(None::<String>);
    let created = RwSignal::new(None::<NewAccessKey>);
    let create_api = api.clone();
    let create = Action::new_local(move |(name, role): &(String, Role)| {
        let api = create_api.clone();
        let (name, role) = (name.clone(), *role);
        async move {
            let key = api.create_key(&name, role).await?;
            created.try_set(Some(key));
            refresh.run(());
            Ok::<(), ApiError>(())
        }
    });
    let on_create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let role = Role::parse(&new_role.get_untracked());
        match (check_key_name(&name.get_untracked()), role) {
            (Ok(checked), Some(role)) => {
                form_error.set(None);
                created.set(None);
                name.set(checked.clone());
                create.dispatch_local((checked, role));
            }
            (Err(msg), _) => form_error.set(Some(msg)),
            (_, None) => form_error.set(Some("Choose a role.".to_owned())),
        }
    };

    let state_api = api.clone();
    let set_state = refreshing_action(refresh, move |(id, enabled): (String, bool)| {
        let api = state_api.clone();
        async move { api.set_key_enabled(&id, enabled).await }
    });
    let delete = refreshing_action(refresh, move |id: String| {
        let api = api.clone();
        async move { api.delete_key(&id).await }
    });
    let busy = Signal::derive(move || set_state.pending().get() || delete.pending().get());

    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();

    view! {
        <section class="page keys-page">
            <h1>"Access keys"</h1>
            <p class="hint">
                "Every API call carries a key. producer: sends events only; viewer: reads and streams (wall screens); responder: also starts and works incidents; admin: everything, keys included."
            </p>
            <Loaded
                resource=keys
                render=move |list| {
                    view! { <KeyTable keys=list me=me.clone() set_state=set_state delete=delete busy=busy /> }
                }
            />
            <ActionError action=set_state id="key-state-error" />
            <ActionError action=delete id="key-delete-error" />

            <h2>"New key"</h2>
            <form class="form" id="key-form" on:submit=on_create>
                <TextField
                    id="key-name"
                    label="Name"
                    value=name
                    required=true
                    maxlength="64"
                    hint="Who or what uses it, e.g. wall-ops-room or ci-bot: letters, digits and + = , . @ _ -"
                />
                <label for="key-role">"Role"</label>
                <select
                    id="key-role"
                    name="key-role"
                    prop:value=move || new_role.get()
                    on:change=move |ev| new_role.set(event_target_value(&ev))
                >
                    {Role::ALL
                        .iter()
                        .map(|r| {
                            let value = r.as_str();
                            view! {
                                <option value=value selected=move || new_role.with(|x| x == value)>
                                    {value}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <div class="actions">
                    <button type="submit" id="key-create" disabled=move || create.pending().get()>
                        "Create key"
                    </button>
                </div>
            </form>
            {move || form_error.get().map(|m| view! { <ErrorNote id="key-form-error" message=m /> })}
            <ActionError action=create id="key-form-error" />
            {move || {
                created
                    .get()
                    .map(|key| {
                        view! { <NewKeyPanel key=key origin=origin.clone() on_done=move |_| created.set(None) /> }
                    })
            }}
        </section>
    }
    .into_any()
}

/// `table#key-list`: one `tr.key-row[data-id]` per key.
#[component]
fn KeyTable(
    keys: Vec<AccessKey>,
    me: String,
    set_state: Action<(String, bool), Result<(), ApiError>>,
    delete: Action<String, Result<(), ApiError>>,
    busy: Signal<bool>,
) -> impl IntoView {
    if keys.is_empty() {
        return view! { <p class="muted">"No keys."</p> }.into_any();
    }
    view! {
        <table class="list" id="key-list">
            <thead>
                <tr>
                    <th>"Access key id"</th>
                    <th>"Name"</th>
                    <th>"Role"</th>
                    <th>"State"</th>
                    <th>"Created"</th>
                    <th>"Last used"</th>
                    <th>"Actions"</th>
                </tr>
            </thead>
            <tbody>
                {keys
                    .into_iter()
                    .map(|key| {
                        let mine = key.access_key_id == me;
                        let id = key.access_key_id.clone();
                        let enabled = key.enabled;
                        let confirm = format!(
                            "Delete access key {id}? Whatever uses it stops working.",
                        );
                        let why_not = mine.then_some("You are signed in with this key");
                        let locked = Signal::derive(move || mine || busy.get());
                        view! {
                            <tr class="key-row" data-id=id.clone() data-enabled=enabled.to_string()>
                                <td class="mono key-id">
                                    {id.clone()}
                                    {mine.then(|| view! { <span class="muted">" (this key)"</span> })}
                                </td>
                                <td class="key-name">{key.name.clone()}</td>
                                <td class="key-role">{key.role.as_str()}</td>
                                <td class="key-state">
                                    {if enabled { "Enabled" } else { "Disabled" }}
                                </td>
                                <td>{local_datetime(key.created_at)}</td>
                                <td>
                                    {key.last_used_at.map(local_datetime).unwrap_or_else(|| "never".to_owned())}
                                </td>
                                <td class="key-actions">
                                    <ActionButton
                                        action=set_state
                                        input=(id.clone(), !enabled)
                                        class="key-toggle small"
                                        title=why_not
                                        locked
                                    >
                                        {if enabled { "Disable" } else { "Enable" }}
                                    </ActionButton>
                                    " "
                                    <ActionButton
                                        action=delete
                                        input=id.clone()
                                        class="key-delete small danger"
                                        title=why_not
                                        confirm
                                        locked
                                    >
                                        "Delete"
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

/// `#new-key`: the key just created, its secret shown this once.
#[component]
fn NewKeyPanel(
    key: NewAccessKey,
    origin: String,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    let credentials = Credentials {
        access_key_id: key.access_key_id.clone(),
        secret_access_key: key.secret_access_key.clone(),
    };
    let kiosk = (key.role == Role::Viewer).then(|| kiosk_link(&origin, &credentials));
    view! {
        <section class="new-key" id="new-key" role="status" aria-labelledby="new-key-title">
            <h3 id="new-key-title">{format!("Key created: {} ({})", key.name, key.role)}</h3>
            <p class="warning" id="new-key-warning">
                "Copy the secret now: it is shown only this once and cannot be read again. Whoever has it can act as this key."
            </p>
            <dl class="fields">
                <dt>"Access key id"</dt>
                <dd>
                    <code id="new-key-id">{key.access_key_id.clone()}</code>
                </dd>
                <dt>"Secret access key"</dt>
                <dd>
                    <code id="new-key-secret">{key.secret_access_key.clone()}</code>
                </dd>
                {kiosk
                    .map(|link| {
                        view! {
                            <dt>"Wall screen link"</dt>
                            <dd>
                                <code id="new-key-kiosk">{link}</code>
                            </dd>
                        }
                    })}
            </dl>
            <div class="actions">
                <button type="button" id="new-key-done" on:click=move |_| on_done.run(())>
                    "I have copied it"
                </button>
            </div>
        </section>
    }
}
