//! The browser's clock and local time zone (thin wrappers over `js_sys::Date`).

use crate::format::format_hms;

/// Now, in seconds since the Unix epoch (the unit of the API's timestamps).
pub fn now_secs() -> f64 {
    js_sys::Date::now() / 1_000.0
}

/// Local `HH:MM:SS` of a time given in milliseconds since the epoch.
pub fn local_hms_ms(ms: f64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    format_hms(date.get_hours(), date.get_minutes(), date.get_seconds())
}

/// Local `HH:MM` of a time given in milliseconds since the epoch (the wall's clock).
pub fn local_hm_ms(ms: f64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}

/// Local `YYYY-MM-DD HH:MM:SS` of an API timestamp (seconds since the epoch).
pub fn local_datetime(epoch_secs: f64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(epoch_secs * 1_000.0));
    format!(
        "{:04}-{:02}-{:02} {}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        format_hms(date.get_hours(), date.get_minutes(), date.get_seconds())
    )
}
