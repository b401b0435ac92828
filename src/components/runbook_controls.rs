//! What a responder can do with a running runbook: answer the step that waits for them
//! ("Next step" for a pause, Approve / Reject for an approval) and stop it.

use leptos::prelude::*;
use tocsin_api::ssm::{ExecutionRef, SendAutomationSignalRequest};

use crate::api::{Api, ApiError};
use crate::auth::session::use_auth;
use crate::components::error_note::ErrorNote;
use crate::runbook::{PendingInput, approval_signal, is_approver, resume_signal, stop_request};

/// `div.runbook-controls` for one execution: `button.next-step` when a pause waits;
/// `textarea.approval-comment`, `button.approve` and `button.reject` when an approval waits
/// (with its message and approvers); `button.stop` while the execution has not ended. A
/// refused signal (e.g. the key is not an approver) is shown under the buttons. Only for
/// keys that may run runbooks (responder, admin): the caller decides.
#[component]
pub fn RunbookControls(
    /// The API client.
    api: Api,
    /// The execution.
    #[prop(into)]
    execution_id: String,
    /// What the execution waits for, if anything.
    #[prop(into)]
    pending: Signal<Option<PendingInput>>,
    /// Whether the execution has ended (no Stop then).
    #[prop(into)]
    ended: Signal<bool>,
    /// Runs after each signal or stop the server accepted.
    on_change: Callback<()>,
) -> impl IntoView {
    let comment = RwSignal::new(String::new());
    let me = use_auth().identity_untracked();

    let signal_api = api.clone();
    let signal = Action::new_local(move |input: &SendAutomationSignalRequest| {
        let api = signal_api.clone();
        let input = input.clone();
        async move { api.send_automation_signal(&input).await }
    });
    let stop = Action::new_local(move |input: &ExecutionRef| {
        let api = api.clone();
        let input = input.clone();
        async move { api.stop_automation_execution(&input).await }
    });
    for version in [signal.version(), stop.version()] {
        Effect::watch(
            move || version.get(),
            move |_, _, _| on_change.run(()),
            false,
        );
    }
    // An answer that was accepted clears its comment.
    Effect::watch(
        move || signal.value().get(),
        move |value, _, _| {
            if matches!(value, Some(Ok(()))) {
                comment.set(String::new());
            }
        },
        false,
    );
    let busy = move || signal.pending().get() || stop.pending().get();

    let id = StoredValue::new(execution_id);
    let answer = move |approve: bool| {
        signal.dispatch_local(approval_signal(
            &id.get_value(),
            approve,
            &comment.get_untracked(),
        ));
    };
    let on_stop = move |_| {
        let confirmed = window()
            .confirm_with_message("Stop this runbook? Its current step is cancelled.")
            .unwrap_or(false);
        if confirmed {
            stop.dispatch_local(stop_request(&id.get_value()));
        }
    };

    let waiting = move || {
        pending.get().map(|input| match input {
            PendingInput::Pause { step } => {
                let resume = resume_signal(&id.get_value(), &step);
                view! {
                    <div class="waiting waiting-pause">
                        <p>
                            "Paused at step " <code class="waiting-step">{step}</code>
                            ": continue when ready."
                        </p>
                        <button
                            type="button"
                            class="next-step"
                            disabled=busy
                            on:click=move |_| {
                                signal.dispatch_local(resume.clone());
                            }
                        >
                            "Next step"
                        </button>
                    </div>
                }
                .into_any()
            }
            PendingInput::Approval {
                step,
                approvers,
                message,
            } => {
                let listed = me.as_ref().is_none_or(|who| is_approver(&approvers, who));
                let comment_id = format!("approval-comment-{}", id.get_value());
                view! {
                    <div class="waiting waiting-approval">
                        <p>
                            "Step " <code class="waiting-step">{step}</code>
                            " waits for approval."
                        </p>
                        {message.map(|m| view! { <p class="approval-message">{m}</p> })}
                        <p class="approvers">
                            <span class="label">"Approvers "</span>
                            {if approvers.is_empty() {
                                "—".to_owned()
                            } else {
                                approvers.join(", ")
                            }}
                        </p>
                        {(!listed)
                            .then(|| {
                                view! {
                                    <p class="note not-approver">
                                        "Your key is not among the approvers: the server will refuse its answer."
                                    </p>
                                }
                            })}
                        <label for=comment_id.clone()>"Comment (optional)"</label>
                        <textarea
                            id=comment_id
                            class="approval-comment"
                            rows="2"
                            maxlength="1000"
                            prop:value=move || comment.get()
                            on:input=move |ev| comment.set(event_target_value(&ev))
                        ></textarea>
                        <div class="actions">
                            <button
                                type="button"
                                class="approve"
                                disabled=busy
                                on:click=move |_| answer(true)
                            >
                                "Approve"
                            </button>
                            <button
                                type="button"
                                class="reject danger"
                                disabled=busy
                                on:click=move |_| answer(false)
                            >
                                "Reject"
                            </button>
                        </div>
                    </div>
                }
                .into_any()
            }
        })
    };

    view! {
        <div class="runbook-controls">
            {waiting}
            <Show when=move || !ended.get()>
                <div class="actions">
                    <button type="button" class="stop danger small" disabled=busy on:click=on_stop>
                        "Stop"
                    </button>
                </div>
            </Show>
            {move || {
                signal
                    .value()
                    .get()
                    .and_then(Result::err)
                    .map(|e: ApiError| {
                        view! {
                            <ErrorNote
                                message=e.to_string()
                                id=format!("signal-error-{}", id.get_value())
                            />
                        }
                    })
            }}
            {move || {
                stop.value()
                    .get()
                    .and_then(Result::err)
                    .map(|e: ApiError| {
                        view! {
                            <ErrorNote message=e.to_string() id=format!("stop-error-{}", id.get_value()) />
                        }
                    })
            }}
        </div>
    }
}
