//! Kiosk mode takes viewer keys only.

use leptos::prelude::*;

use crate::auth::kiosk_verdict;
use crate::auth::session::{KeySource, use_auth};
use crate::components::nav_bar::use_kiosk;

/// Outside kiosk mode, `children`. In kiosk mode (`?kiosk=1`), `children` only for a
/// `viewer` key: any other key gets an explanation and no data (a key with more power must
/// not sit on a screen anyone can walk up to). A refused key that came from the kiosk link
/// is not kept on the device. Goes inside [`crate::components::require_key::RequireKey`].
#[component]
pub fn KioskGate(
    /// The wall.
    children: ChildrenFn,
) -> impl IntoView {
    let auth = use_auth();
    let kiosk = use_kiosk();
    move || {
        if !kiosk.get() {
            return children().into_any();
        }
        let Some(identity) = auth.identity_untracked() else {
            return ().into_any();
        };
        match kiosk_verdict(identity.role).refusal() {
            None => children().into_any(),
            Some(reason) => {
                let forgotten = auth.source_untracked() == Some(KeySource::Fragment);
                if forgotten {
                    auth.forget_stored_key();
                }
                view! {
                    <div class="wall kiosk kiosk-refused" id="kiosk-refused" role="alert">
                        <h1>"This wall screen cannot use this key"</h1>
                        <p class="kiosk-key">
                            "Key "
                            <code>{identity.access_key_id.clone()}</code>
                            " ("
                            {identity.name.clone()}
                            ")"
                        </p>
                        <p>{reason}</p>
                        <p class="muted">
                            {if forgotten {
                                "Nothing is shown, and the key was not kept on this device."
                            } else {
                                "Nothing is shown."
                            }}
                        </p>
                    </div>
                }
                .into_any()
            }
        }
    }
}
