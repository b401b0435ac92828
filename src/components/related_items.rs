//! An incident's related items.

use leptos::prelude::*;
use tocsin_api::incidents::RelatedItem;

use crate::format::is_safe_link;

/// Related items; URLs are links only when they are http(s).
#[component]
pub fn RelatedItems(
    /// The items.
    items: Vec<RelatedItem>,
) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="muted">"No related items."</p> }.into_any();
    }
    view! {
        <ul class="related" id="related-items">
            {items
                .into_iter()
                .map(|item| {
                    let value = item.identifier.value;
                    let shown = if let Some(url) = value.url {
                        if is_safe_link(&url) {
                            view! {
                                <a href=url.clone() rel="noopener noreferrer" target="_blank">
                                    {url.clone()}
                                </a>
                            }
                                .into_any()
                        } else {
                            view! { <span class="mono">{url}</span> }.into_any()
                        }
                    } else if let Some(arn) = value.arn {
                        view! { <span class="mono">{arn}</span> }.into_any()
                    } else if let Some(metric) = value.metric_definition {
                        view! { <span class="mono">{metric}</span> }.into_any()
                    } else if let Some(pd) = value.pager_duty_incident_detail {
                        view! { <span class="mono">{pd.to_string()}</span> }.into_any()
                    } else {
                        view! { <span class="muted">"—"</span> }.into_any()
                    };
                    view! {
                        <li>
                            <span class="label">{item.identifier.item_type}</span>
                            " "
                            <strong>{item.title.unwrap_or_default()}</strong>
                            " "
                            {shown}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
