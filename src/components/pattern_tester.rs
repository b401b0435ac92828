//! The pattern tester: a pattern editor and a sample-event editor with a live verdict.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::components::fields::TextArea;
use crate::pattern_check::{SAMPLE_EVENTS, Verdict, check};
use crate::use_api;

/// What the server said about one (pattern, event) pair.
#[derive(Debug, Clone, PartialEq)]
struct ServerCheck {
    pattern: String,
    event: String,
    result: Result<bool, ApiError>,
}

/// Whether the server's answer agrees with the browser's verdict; `None` when the server
/// could not be asked (network).
pub fn server_agrees(verdict: &Verdict, server: &Result<bool, ApiError>) -> Option<bool> {
    match (server, verdict) {
        (Ok(result), _) => Some(verdict.expected_server_result() == Some(*result)),
        (Err(ApiError::Http { message, .. }), Verdict::InvalidPattern(msg)) => Some(message == msg),
        (Err(ApiError::Http { status: 400, .. }), Verdict::InvalidEvent(_)) => Some(true),
        (Err(ApiError::Http { .. }), _) => Some(false),
        (Err(_), _) => None,
    }
}

/// `#pattern-tester`: edits a pattern and an event and shows, as you type, whether the event
/// matches, computed in the browser by `tocsin_pattern` (the server's own matcher), and on
/// request what the server's `TestEventPattern` says.
#[component]
pub fn PatternTester(
    /// The pattern text (shared so a rule can be loaded into the tester).
    pattern: RwSignal<String>,
    /// The event text.
    event: RwSignal<String>,
    /// Leave out the "Pattern tester" heading (when the page's own title says it).
    #[prop(optional)]
    no_heading: bool,
) -> impl IntoView {
    let api = use_api();
    let verdict = Memo::new(move |_| pattern.with(|p| event.with(|e| check(p, e))));

    let server = Action::new_local(move |(pattern, event): &(String, String)| {
        let api = api.clone();
        let (pattern, event) = (pattern.clone(), event.clone());
        async move {
            let result = api.test_event_pattern(&pattern, &event).await;
            ServerCheck {
                pattern,
                event,
                result,
            }
        }
    });
    // The server's answer, only while the inputs are still the ones it was asked about.
    let server_now = move || {
        server
            .value()
            .get()
            .filter(|c| pattern.with(|p| *p == c.pattern) && event.with(|e| *e == c.event))
    };
    let on_check = move |_| {
        server.dispatch_local((pattern.get_untracked(), event.get_untracked()));
    };
    let on_sample = move |ev: leptos::ev::Event| {
        let label = event_target_value(&ev);
        if let Some((_, json)) = SAMPLE_EVENTS.iter().find(|(l, _)| *l == label) {
            event.set((*json).to_owned());
        }
    };

    view! {
        <section class="tester" id="pattern-tester" aria-label="Pattern tester">
            {(!no_heading).then(|| view! { <h2>"Pattern tester"</h2> })}
            <p class="hint">
                "Checked in your browser as you type, by the same matcher the server routes events with."
            </p>
            <div class="tester-result" aria-live="polite">
                <p class=move || verdict.with(Verdict::class)>
                    <span class="verdict-symbol" aria-hidden="true">
                        {move || verdict.with(Verdict::symbol)}
                    </span>
                    " "
                    <span id="pattern-verdict">{move || verdict.with(Verdict::text)}</span>
                </p>
                <dl class="fields tester-why">
                    <dt>"Deciding field"</dt>
                    <dd>
                        <code id="pattern-deciding-field">
                            {move || {
                                verdict
                                    .with(|v| v.deciding_field().map(str::to_owned))
                                    .unwrap_or_else(|| "—".to_owned())
                            }}
                        </code>
                    </dd>
                    <dt>"Reason"</dt>
                    <dd id="pattern-reason">
                        {move || {
                            verdict
                                .with(|v| v.reason().map(str::to_owned))
                                .unwrap_or_else(|| "—".to_owned())
                        }}
                    </dd>
                </dl>
                <div class="server-check">
                    <button
                        type="button"
                        id="pattern-server-check"
                        disabled=move || server.pending().get()
                        on:click=on_check
                    >
                        "Check with server"
                    </button>
                    {move || {
                        if server.pending().get() {
                            return view! { <span class="muted">"Asking the server…"</span> }
                                .into_any();
                        }
                        match server_now() {
                            None => {
                                let hint = if server.value().with(Option::is_some) {
                                    "Edited since the last server check."
                                } else {
                                    "TestEventPattern on the server gives the same answer."
                                };
                                view! { <span class="muted">{hint}</span> }.into_any()
                            }
                            Some(check) => {
                                let agrees = verdict.with(|v| server_agrees(v, &check.result));
                                let text = match &check.result {
                                    Ok(result) => result.to_string(),
                                    Err(err) => err.to_string(),
                                };
                                let (class, note) = match agrees {
                                    Some(true) => ("agree", "✓ same verdict as the browser"),
                                    Some(false) => ("disagree", "✗ differs from the browser"),
                                    None => ("", ""),
                                };
                                view! {
                                    <span class="server-answer">
                                        "Server: "
                                        <output
                                            id="pattern-server-result"
                                            class=if check.result.is_err() {
                                                "server-error"
                                            } else {
                                                "mono"
                                            }
                                        >
                                            {text}
                                        </output>
                                        " "
                                        <span id="pattern-server-agreement" class=class>
                                            {note}
                                        </span>
                                    </span>
                                }
                                    .into_any()
                            }
                        }
                    }}
                </div>
            </div>
            <div class="tester-inputs">
                <TextArea
                    id="pattern-input"
                    label="Event pattern"
                    value=pattern
                    rows="16"
                    code=true
                    wrapper="tester-input"
                />
                <TextArea id="event-input" label="Event" value=event rows="16" code=true wrapper="tester-input">
                    <select id="event-sample" aria-label="Load a sample event" on:change=on_sample>
                        <option value="" selected>
                            "Load a sample event…"
                        </option>
                        {SAMPLE_EVENTS
                            .iter()
                            .map(|(label, _)| view! { <option value=*label>{*label}</option> })
                            .collect_view()}
                    </select>
                </TextArea>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern_check::{SAMPLE_EVENT, SAMPLE_PATTERN};

    #[test]
    fn agreement() {
        let matches = check(SAMPLE_PATTERN, SAMPLE_EVENT);
        assert_eq!(server_agrees(&matches, &Ok(true)), Some(true));
        assert_eq!(server_agrees(&matches, &Ok(false)), Some(false));
        let invalid = check("[]", SAMPLE_EVENT);
        let same = ApiError::Http {
            status: 400,
            error_type: Some("InvalidEventPatternException".to_owned()),
            message: invalid.text(),
        };
        assert_eq!(server_agrees(&invalid, &Err(same)), Some(true));
        assert_eq!(server_agrees(&invalid, &Ok(false)), Some(false));
        let down = ApiError::Network("x".to_owned());
        assert_eq!(server_agrees(&matches, &Err(down)), None);
    }
}
