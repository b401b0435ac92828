//! Acknowledge a page from the link its email carried (no key needed).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::{Api, ApiError};
use crate::format::contact_alias;
use crate::use_api_base;

/// What a refused acceptance says: the server's own message.
fn refusal(err: &ApiError) -> String {
    match err {
        ApiError::Http { message, .. } if !message.trim().is_empty() => message.clone(),
        other => other.to_string(),
    }
}

/// `/accept?page=<pageArn>&token=<token>` (public): names the contact the page went to
/// (`#accept-contact`, the alias in the page's ARN) and offers "Acknowledge page"
/// (`button#accept-page`), which sends `POST /v1/pages/accept` without any key. Then it says
/// "Page acknowledged." (`#accept-done`) or the server's message (`#accept-error`).
///
/// Loading the page sends nothing: mail scanners open links, and only a person's click
/// acknowledges.
#[component]
pub fn AcceptPage() -> impl IntoView {
    let query = use_query_map();
    let (page_arn, token) = query.with_untracked(|q| {
        (
            q.get("page").unwrap_or_default(),
            q.get("token").unwrap_or_default(),
        )
    });
    let complete = !page_arn.trim().is_empty() && !token.trim().is_empty();
    let alias = contact_alias(&page_arn).to_owned();
    let base = use_api_base();
    let accept_arn = page_arn.clone();
    let accept = Action::new_local(move |_: &()| {
        let api = Api::new(base.get_untracked()).without_rejection_reports();
        let (page_arn, token) = (accept_arn.clone(), token.clone());
        async move { api.accept_page_link(&page_arn, &token).await }
    });
    let done = move || matches!(accept.value().get(), Some(Ok(())));

    view! {
        <section class="page accept-page">
            <h1>"Acknowledge a page"</h1>
            {if complete {
                view! {
                    <p>
                        "This page went to "
                        <strong id="accept-contact">{alias}</strong>
                        "."
                    </p>
                    <p class="muted mono" id="accept-page-arn">{page_arn}</p>
                    <Show when=move || !done()>
                        <button
                            type="button"
                            id="accept-page"
                            disabled=move || accept.pending().get()
                            on:click=move |_| {
                                accept.dispatch_local(());
                            }
                        >
                            "Acknowledge page"
                        </button>
                    </Show>
                    <Show when=done>
                        <p class="ok" id="accept-done" role="status">"Page acknowledged."</p>
                    </Show>
                    {move || {
                        accept
                            .value()
                            .get()
                            .and_then(Result::err)
                            .map(|e| {
                                view! {
                                    <p class="error" id="accept-error" role="alert">{refusal(&e)}</p>
                                }
                            })
                    }}
                }
                    .into_any()
            } else {
                view! {
                    <p class="error" id="accept-incomplete" role="alert">
                        "This link is incomplete: it needs the page and its token. Open the link from the page's email again."
                    </p>
                }
                    .into_any()
            }}
        </section>
    }
}
