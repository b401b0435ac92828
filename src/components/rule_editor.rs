//! The create/update form for a rule (`PutRule`): an event pattern or a schedule.

use leptos::prelude::*;
use tocsin_api::events::Rule;

use crate::api::ApiError;
use crate::components::action_error::ActionError;
use crate::components::error_note::ErrorNote;
use crate::components::fields::{TextArea, TextField};
use crate::forms::rule::{RuleForm, TRIGGER_BOTH, TRIGGER_PATTERN, TRIGGER_SCHEDULE};
use crate::use_api;

/// The rule form's fields, as signals (`Copy`, so the page can fill it from a rule).
#[derive(Debug, Clone, Copy)]
pub struct RuleDraft {
    /// Rule name.
    pub name: RwSignal<String>,
    /// Description.
    pub description: RwSignal<String>,
    /// `ENABLED` or `DISABLED`.
    pub state: RwSignal<String>,
    /// Event pattern text.
    pub pattern: RwSignal<String>,
    /// What triggers the rule: `pattern`, `schedule` or `both`.
    pub trigger: RwSignal<String>,
    /// Schedule expression (`rate(…)` or `cron(…)`).
    pub schedule: RwSignal<String>,
    /// The bus a new rule goes on (the one the page shows), or the edited rule's.
    pub bus: RwSignal<String>,
    /// The name of the rule being edited; `None` for a new rule.
    pub editing: RwSignal<Option<String>>,
}

impl RuleDraft {
    /// An empty form for a new rule, with `pattern` filled in.
    pub fn new(pattern: &str) -> Self {
        Self {
            name: RwSignal::new(String::new()),
            description: RwSignal::new(String::new()),
            state: RwSignal::new("ENABLED".to_owned()),
            pattern: RwSignal::new(pattern.to_owned()),
            trigger: RwSignal::new(TRIGGER_PATTERN.to_owned()),
            schedule: RwSignal::new(String::new()),
            bus: RwSignal::new(tocsin_api::events::DEFAULT_EVENT_BUS.to_owned()),
            editing: RwSignal::new(None),
        }
    }

    /// Fills the form from an existing rule.
    pub fn load(&self, rule: &Rule) {
        let form = RuleForm::from_rule(rule);
        self.name.set(form.name);
        self.description.set(form.description);
        self.state.set(form.state);
        self.pattern.set(form.pattern);
        self.trigger.set(form.trigger);
        self.schedule.set(form.schedule);
        self.bus.set(form.bus);
        self.editing.set(Some(rule.name.clone()));
    }

    /// Back to a new, empty rule on `bus` (the pattern and schedule are kept as a starting
    /// point).
    pub fn clear(&self, bus: &str) {
        self.name.set(String::new());
        self.description.set(String::new());
        self.state.set("ENABLED".to_owned());
        self.bus.set(bus.to_owned());
        self.editing.set(None);
    }

    fn form(&self) -> RuleForm {
        RuleForm {
            name: self.name.get_untracked(),
            description: self.description.get_untracked(),
            state: self.state.get_untracked(),
            pattern: self.pattern.get_untracked(),
            trigger: self.trigger.get_untracked(),
            schedule: self.schedule.get_untracked(),
            bus: self.bus.get_untracked(),
        }
    }
}

/// `#rule-form`: creates a rule on the page's bus or replaces the one being edited (its
/// targets are kept). `select#rule-trigger` chooses an event pattern
/// (`textarea#rule-pattern`), a schedule (`input#rule-schedule`, `rate(…)`/`cron(…)`,
/// checked by the server, whose refusal shows in `#rule-form-error`), or both.
#[component]
pub fn RuleEditor(
    /// The form's fields.
    draft: RuleDraft,
    /// The bus the page shows (a new rule goes there).
    #[prop(into)]
    page_bus: Signal<String>,
    /// Called with the rule name after a successful save.
    #[prop(into)]
    on_saved: Callback<String>,
    /// Called with the form's pattern when "Test this pattern" is pressed.
    #[prop(into)]
    on_test: Callback<String>,
    /// Called with the form's pattern when "Backtest this pattern" is pressed (no such
    /// button without it).
    #[prop(optional, into)]
    on_backtest: Option<Callback<String>>,
) -> impl IntoView {
    let api = use_api();
    let form_error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(None::<String>);
    let save = Action::new_local(move |input: &tocsin_api::events::PutRuleRequest| {
        let api = api.clone();
        let input = input.clone();
        async move {
            api.put_rule(&input).await?;
            saved.try_set(Some(input.name.clone()));
            draft.editing.try_set(Some(input.name.clone()));
            on_saved.run(input.name.clone());
            Ok::<(), ApiError>(())
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(None);
        match draft.form().put_input() {
            Ok(input) => {
                form_error.set(None);
                save.dispatch_local(input);
            }
            Err(msg) => form_error.set(Some(msg)),
        }
    };
    let editing = move || draft.editing.get().is_some();
    let scheduled = move || draft.trigger.with(|t| t != TRIGGER_PATTERN);
    let matching = move || draft.trigger.with(|t| t != TRIGGER_SCHEDULE);

    view! {
        <section class="rule-editor" id="rule-editor" aria-labelledby="rule-editor-title">
            <h2 id="rule-editor-title">
                {move || match draft.editing.get() {
                    Some(name) => format!("Edit rule {name}"),
                    None => "New rule".to_owned(),
                }}
            </h2>
            <p class="hint" id="rule-editor-bus">
                {move || format!("On event bus {}.", draft.bus.get())}
            </p>
            <form class="form" id="rule-form" on:submit=on_submit>
                <TextField
                    id="rule-name"
                    label="Name"
                    value=draft.name
                    required=true
                    maxlength="64"
                    pattern="[.\\-_A-Za-z0-9]+"
                    readonly=Signal::derive(editing)
                    hint="Letters, digits, '.', '-' and '_'. Saving a name that exists replaces that rule."
                />
                <TextField
                    id="rule-description"
                    label="Description"
                    value=draft.description
                    maxlength="512"
                />
                <label for="rule-state">"State"</label>
                <select
                    id="rule-state"
                    name="rule-state"
                    prop:value=move || draft.state.get()
                    on:change=move |ev| draft.state.set(event_target_value(&ev))
                >
                    <option value="ENABLED">"Enabled: routes matching events"</option>
                    <option value="DISABLED">"Disabled: kept, routes nothing"</option>
                </select>
                <label for="rule-trigger">"Trigger"</label>
                <select
                    id="rule-trigger"
                    name="rule-trigger"
                    prop:value=move || draft.trigger.get()
                    on:change=move |ev| draft.trigger.set(event_target_value(&ev))
                >
                    <option value=TRIGGER_PATTERN>"Event pattern: matching events"</option>
                    <option value=TRIGGER_SCHEDULE>"Schedule: rate(…) or cron(…)"</option>
                    <option value=TRIGGER_BOTH>"Both: matching events and a schedule"</option>
                </select>
                <Show when=matching>
                    <TextArea
                        id="rule-pattern"
                        label="Event pattern"
                        value=draft.pattern
                        rows="10"
                        code=true
                        required=true
                    />
                </Show>
                <Show when=scheduled>
                    <TextField
                        id="rule-schedule"
                        label="Schedule"
                        value=draft.schedule
                        required=true
                        maxlength="256"
                        placeholder="rate(5 minutes)"
                        hint="rate(5 minutes), rate(1 hour), or cron(0 12 * * ? *) in UTC (EventBridge's six-field cron)."
                    />
                </Show>
                <div class="actions">
                    <button type="submit" id="rule-submit" disabled=move || save.pending().get()>
                        {move || if editing() { "Save rule" } else { "Create rule" }}
                    </button>
                    <button
                        type="button"
                        id="rule-test-pattern"
                        on:click=move |_| on_test.run(draft.pattern.get_untracked())
                    >
                        "Test this pattern"
                    </button>
                    {on_backtest
                        .map(|on_backtest| {
                            view! {
                                <button
                                    type="button"
                                    id="rule-backtest"
                                    on:click=move |_| on_backtest.run(draft.pattern.get_untracked())
                                >
                                    "Backtest this pattern"
                                </button>
                            }
                        })}
                    <Show when=editing>
                        <button
                            type="button"
                            id="rule-new"
                            on:click=move |_| {
                                draft.clear(&page_bus.get_untracked());
                                saved.set(None);
                                form_error.set(None);
                            }
                        >
                            "New rule instead"
                        </button>
                    </Show>
                </div>
            </form>
            {move || {
                form_error.get().map(|m| view! { <ErrorNote id="rule-form-error" message=m /> })
            }}
            <ActionError action=save id="rule-form-error" />
            {move || {
                saved
                    .get()
                    .map(|name| {
                        view! {
                            <p class="ok" id="rule-saved" role="status">
                                {format!("✓ Saved rule {name}.")}
                            </p>
                        }
                    })
            }}
        </section>
    }
}
