//! The wall's strip of maintenance windows active now or beginning soon.

use leptos::prelude::*;
use tocsin_api::receivers::MaintenanceWindow;

use crate::clock::local_hm_near;
use crate::format::{window_status_class, window_status_label};
use crate::wall_state::{window_key, window_time};

/// `section.maintenance-windows` (only while there is one): one
/// `li.maintenance-window[data-id][data-status]` per window, reading its status
/// (`.window-status`), name (`.window-name`) and "until HH:MM" or "from HH:MM"
/// (`.window-when`, local time, with the date when it is not within a day). Keyed by
/// [`window_key`], so a change re-renders that window's line only.
#[component]
pub fn MaintenanceStrip(
    /// The windows, in display order.
    #[prop(into)]
    windows: Signal<Vec<MaintenanceWindow>>,
    /// Now, epoch seconds (read when a line is drawn).
    #[prop(into)]
    now: Signal<f64>,
) -> impl IntoView {
    view! {
        <Show when=move || windows.with(|w| !w.is_empty())>
            <section class="maintenance-windows" aria-label="Maintenance windows">
                <h2 class="maintenance-title">"Maintenance"</h2>
                <ul class="maintenance-window-list">
                    <For
                        each=move || windows.get()
                        key=window_key
                        children=move |w: MaintenanceWindow| {
                            let when = window_time(&w)
                                .map(|(word, at)| {
                                    format!("{word} {}", local_hm_near(at, now.get_untracked()))
                                });
                            view! {
                                <li
                                    class=format!("maintenance-window {}", window_status_class(w.status))
                                    data-id=w.id.clone()
                                    data-status=window_status_label(w.status)
                                >
                                    <span class="window-status">{window_status_label(w.status)}</span>
                                    " "
                                    <span class="window-name">{w.name.clone()}</span>
                                    {when.map(|when| view! { " " <span class="window-when">{when}</span> })}
                                </li>
                            }
                        }
                    />
                </ul>
            </section>
        </Show>
    }
}
