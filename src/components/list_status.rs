//! A page's list, kept through a failed reload, and the notes above it (its error, "Loading…"
//! and the empty state).

use leptos::prelude::*;

use crate::api::ApiError;
use crate::components::error_note::ErrorNote;

/// A list resource as a page shows it: the last list that loaded, kept through a failed
/// reload (so the items keyed on it, and what is typed in them, stay), whether one ever
/// loaded, and the last load's error while it failed.
pub struct KeptList<T: Send + Sync + 'static> {
    /// The last list that loaded, arranged for display.
    pub list: Memo<Vec<T>>,
    /// Whether a list has loaded at least once.
    pub loaded: Memo<bool>,
    /// The last load's error, while it failed.
    pub error: Memo<Option<String>>,
}

impl<T: Send + Sync + 'static> Clone for KeptList<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for KeptList<T> {}

impl<T> KeptList<T>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    /// Follows `resource`, putting each list that loads in display order with `arrange`.
    pub fn new(
        resource: LocalResource<Result<Vec<T>, ApiError>>,
        arrange: impl Fn(&mut Vec<T>) + Send + Sync + 'static,
    ) -> Self {
        let list = Memo::new(move |previous: Option<&Vec<T>>| {
            resource.with(|r| match r {
                Some(Ok(list)) => {
                    let mut list = list.clone();
                    arrange(&mut list);
                    list
                }
                _ => previous.cloned().unwrap_or_default(),
            })
        });
        let loaded = Memo::new(move |previous: Option<&bool>| {
            previous.copied().unwrap_or(false) || resource.with(|r| matches!(r, Some(Ok(_))))
        });
        let error = Memo::new(move |_| {
            resource.with(|r| match r {
                Some(Err(e)) => Some(e.to_string()),
                _ => None,
            })
        });
        Self {
            list,
            loaded,
            error,
        }
    }

    /// `item` as the list has it now (the one `same` says is it), or as given while the list
    /// no longer has it: what a keyed item view follows.
    pub fn follow(self, item: T, same: fn(&T, &T) -> bool) -> Signal<T> {
        let list = self.list;
        Signal::derive(move || {
            list.with(|l| {
                l.iter()
                    .find(|x| same(x, &item))
                    .cloned()
                    .unwrap_or_else(|| item.clone())
            })
        })
    }
}

/// The notes above a [`KeptList`]'s items: the last load's error (an [`ErrorNote`] with id
/// `error_id`), "Loading…" (`p.muted`) until a list has loaded (unless that failed), and
/// `empty` (`p.muted#empty_id`) when the list loaded is empty.
#[component]
pub fn ListStatus<T>(
    /// The list.
    list: KeptList<T>,
    /// Element id of the error note.
    error_id: &'static str,
    /// Element id of the empty-state note.
    empty_id: &'static str,
    /// What the empty-state note says.
    empty: &'static str,
) -> impl IntoView
where
    T: Send + Sync + 'static,
{
    let KeptList {
        list,
        loaded,
        error,
    } = list;
    view! {
        {move || error.get().map(|m| view! { <ErrorNote id=error_id message=m /> })}
        <Show
            when=move || loaded.get()
            fallback=move || error.get().is_none().then(|| view! { <p class="muted">"Loading…"</p> })
        >
            <Show when=move || list.with(Vec::is_empty)>
                <p class="muted" id=empty_id>
                    {empty}
                </p>
            </Show>
        </Show>
    }
}
