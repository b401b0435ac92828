//! An incident's engagements (Incident Manager Contacts) and their pages, live.

use gloo_timers::callback::Interval;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use tocsin_api::contacts::{Engagement, Page};

use crate::api::{Api, ApiError};
use crate::clock::local_datetime;
use crate::components::error_note::ErrorNote;
use crate::format::{contact_alias, page_progress};
use crate::live::{ChangeFeed, is_engagement_news, use_live_resource};

/// How often the progress is read again even when the feed says nothing.
pub const POLL_MS: u32 = 10_000;

/// One engagement with its pages.
pub type EngagementPages = (Engagement, Vec<Page>);

/// An incident's engagements (`ListEngagements`), each with its pages
/// (`ListPagesByEngagement`).
async fn load(api: Api, incident_arn: String) -> Result<Vec<EngagementPages>, ApiError> {
    if incident_arn.is_empty() {
        return Ok(Vec::new());
    }
    let engagements = api.incident_engagements(&incident_arn).await?;
    let mut out = Vec::with_capacity(engagements.len());
    for engagement in engagements {
        let pages = api.engagement_pages(&engagement.engagement_arn).await?;
        out.push((engagement, pages));
    }
    Ok(out)
}

fn time_or_dash(t: Option<f64>) -> String {
    t.map(local_datetime).unwrap_or_else(|| "—".to_owned())
}

/// `section#engagements`: per engagement (`article.engagement[data-arn]`) the contact
/// engaged (`.engagement-contact`, its alias), when it started and stopped
/// (`.engagement-state`: "running" or "stopped"), and its pages (`tr.page-row[data-state]`:
/// who was paged, when it was sent, delivered and read). Read again when the feed adds one
/// of the incident's engagement, page or acknowledgement timeline entries, after every
/// reconnect, and every [`POLL_MS`].
#[component]
pub fn EngagementProgress(
    /// The API client.
    api: Api,
    /// The page's change feed (started by the page).
    feed: ChangeFeed,
    /// The incident.
    #[prop(into)]
    incident_arn: Signal<String>,
) -> impl IntoView {
    let progress = use_live_resource(
        feed,
        move || load(api.clone(), incident_arn.get()),
        move |entry| {
            incident_arn
                .try_with_untracked(|a| is_engagement_news(entry, a))
                .unwrap_or(false)
        },
    );
    let poll = SendWrapper::new(Interval::new(POLL_MS, move || progress.refetch()));
    on_cleanup(move || drop(poll));

    // The last list that loaded (kept through a failed reload).
    let list = Memo::new(move |previous: Option<&Vec<EngagementPages>>| {
        progress.with(|r| match r {
            Some(Ok(list)) => list.clone(),
            _ => previous.cloned().unwrap_or_default(),
        })
    });
    let loaded = Memo::new(move |previous: Option<&bool>| {
        previous.copied().unwrap_or(false) || progress.with(|r| matches!(r, Some(Ok(_))))
    });
    let error = Memo::new(move |_| {
        progress.with(|r| match r {
            Some(Err(e)) => Some(e.to_string()),
            _ => None,
        })
    });

    view! {
        <section class="engagements" id="engagements" aria-labelledby="engagements-title">
            <h2 id="engagements-title">"Engagements"</h2>
            {move || error.get().map(|m| view! { <ErrorNote id="engagements-error" message=m /> })}
            <Show
                when=move || loaded.get()
                fallback=move || {
                    error.get().is_none().then(|| view! { <p class="muted">"Loading…"</p> })
                }
            >
                {move || {
                    let list = list.get();
                    if list.is_empty() {
                        return view! { <p class="muted" id="no-engagements">"No engagements."</p> }
                            .into_any();
                    }
                    list.into_iter()
                        .map(|(e, pages)| view! { <EngagementItem engagement=e pages /> })
                        .collect_view()
                        .into_any()
                }}
            </Show>
        </section>
    }
}

/// One engagement and its pages.
#[component]
fn EngagementItem(engagement: Engagement, pages: Vec<Page>) -> impl IntoView {
    let state = if engagement.stop_time.is_some() {
        "stopped"
    } else {
        "running"
    };
    let rows = pages
        .into_iter()
        .map(|p| {
            let progress = page_progress(p.sent_time, p.delivery_time, p.read_time);
            view! {
                <tr class="page-row" data-arn=p.page_arn.clone() data-state=progress>
                    <td class="page-contact">{contact_alias(&p.contact_arn).to_owned()}</td>
                    <td class="page-sent">{time_or_dash(p.sent_time)}</td>
                    <td class="page-delivered">{time_or_dash(p.delivery_time)}</td>
                    <td class="page-read">{time_or_dash(p.read_time)}</td>
                    <td class="page-state">{progress}</td>
                </tr>
            }
        })
        .collect::<Vec<_>>();
    let no_pages = rows.is_empty();
    view! {
        <article class="engagement" data-arn=engagement.engagement_arn.clone() data-state=state>
            <h3>
                <span class="engagement-contact">
                    {contact_alias(&engagement.contact_arn).to_owned()}
                </span>
                " "
                <span class=format!("engagement-state engagement-{state}")>{state}</span>
            </h3>
            <p class="muted engagement-times">
                "Started "
                <span class="engagement-start">{time_or_dash(engagement.start_time)}</span>
                " · stopped "
                <span class="engagement-stop">{time_or_dash(engagement.stop_time)}</span>
                " · sender "
                {engagement.sender.clone()}
            </p>
            {if no_pages {
                view! { <p class="muted no-pages">"No pages yet."</p> }.into_any()
            } else {
                view! {
                    <table class="list page-list">
                        <thead>
                            <tr>
                                <th>"Paged"</th>
                                <th>"Sent"</th>
                                <th>"Delivered"</th>
                                <th>"Read"</th>
                                <th>"State"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                }
                    .into_any()
            }}
        </article>
    }
}
