//! Per-browser alerts when a new critical incident opens on the wall: a short two-tone
//! chime (Web Audio, no sound file) and a desktop notification (the Notifications API).
//! Both are off until switched on in this browser; the choice is kept in `localStorage`
//! ([`SOUND_KEY`], [`DESKTOP_KEY`]), so a kiosk screen keeps what was set on it once.
//!
//! Browsers let a page play sound only after a user gesture: switching the sound on is one,
//! and the audio context made then is kept for the page's life. A kiosk browser started
//! afresh needs its autoplay policy relaxed (Chromium: `--autoplay-policy=no-user-gesture-required`)
//! or one click on the page.

use std::cell::RefCell;

use wasm_bindgen::JsValue;
use web_sys::{AudioContext, Notification, NotificationOptions, NotificationPermission};

/// `localStorage` key: `"1"` when the chime is on.
pub const SOUND_KEY: &str = "tocsin.alerts.sound";
/// `localStorage` key: `"1"` when desktop notifications are on.
pub const DESKTOP_KEY: &str = "tocsin.alerts.desktop";

thread_local! {
    static AUDIO: RefCell<Option<AudioContext>> = const { RefCell::new(None) };
}

/// Whether the alert stored under `key` is on in this browser.
pub fn enabled(key: &str) -> bool {
    crate::storage()
        .and_then(|s| s.get_item(key).ok().flatten())
        .is_some_and(|v| v == "1")
}

/// Switches the alert stored under `key` on or off in this browser. Switching the sound on
/// (a user gesture) also makes the audio context; switching desktop notifications on asks
/// for the browser's permission when it was not given yet.
pub fn set_enabled(key: &str, on: bool) {
    if let Some(storage) = crate::storage() {
        let _ = if on {
            storage.set_item(key, "1")
        } else {
            storage.remove_item(key)
        };
    }
    if on && key == SOUND_KEY {
        let _ = audio();
    }
    if on && key == DESKTOP_KEY && Notification::permission() == NotificationPermission::Default {
        let _ = Notification::request_permission();
    }
}

/// Whether the browser lets this page show desktop notifications (`"granted"`).
pub fn desktop_allowed() -> bool {
    Notification::permission() == NotificationPermission::Granted
}

/// The page's audio context, made on first use.
fn audio() -> Result<AudioContext, JsValue> {
    AUDIO.with(|slot| {
        let mut slot = slot.borrow_mut();
        if let Some(ctx) = slot.as_ref() {
            return Ok(ctx.clone());
        }
        let ctx = AudioContext::new()?;
        *slot = Some(ctx.clone());
        Ok(ctx)
    })
}

/// Plays the chime: 880 Hz then 660 Hz, 0.18 s each, at a moderate volume.
pub fn chime() -> Result<(), JsValue> {
    let ctx = audio()?;
    let _ = ctx.resume();
    let t0 = ctx.current_time();
    for (i, hz) in [880.0f32, 660.0].into_iter().enumerate() {
        let start = t0 + i as f64 * 0.22;
        let osc = ctx.create_oscillator()?;
        let gain = ctx.create_gain()?;
        osc.frequency().set_value(hz);
        gain.gain().set_value(0.2);
        osc.connect_with_audio_node(&gain)?;
        gain.connect_with_audio_node(&ctx.destination())?;
        osc.start_with_when(start)?;
        osc.stop_with_when(start + 0.18)?;
    }
    Ok(())
}

/// Shows a desktop notification `title` with `body`, tagged `tag` (one per incident: a
/// repeat replaces it), when the browser allows it.
pub fn notify(title: &str, body: &str, tag: &str) -> Result<(), JsValue> {
    if !desktop_allowed() {
        return Ok(());
    }
    let options = NotificationOptions::new();
    options.set_body(body);
    options.set_tag(tag);
    options.set_require_interaction(true);
    Notification::new_with_options(title, &options).map(|_| ())
}
