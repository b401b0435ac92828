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

/// Local `HH:MM` of an API timestamp (seconds since the epoch), with the date in front
/// (`YYYY-MM-DD HH:MM`) when it is not within a day of `now_secs`.
pub fn local_hm_near(epoch_secs: f64, now_secs: f64) -> String {
    if (epoch_secs - now_secs).abs() < 86_400.0 {
        local_hm_ms(epoch_secs * 1_000.0)
    } else {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(epoch_secs * 1_000.0));
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            date.get_full_year(),
            date.get_month() + 1,
            date.get_date(),
            date.get_hours(),
            date.get_minutes()
        )
    }
}

/// An API timestamp as a `datetime-local` input's value (`YYYY-MM-DDTHH:MM`, local time).
pub fn datetime_local_value(epoch_secs: f64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(epoch_secs * 1_000.0));
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    )
}

/// Epoch seconds of a local date and time in the browser's time zone (`None` when the
/// browser cannot make a date of it).
pub fn local_to_epoch(t: crate::forms::maintenance::LocalDateTime) -> Option<f64> {
    let year = u32::try_from(t.year).ok()?;
    let date = js_sys::Date::new_with_year_month_day_hr_min_sec(
        year,
        t.month as i32 - 1,
        t.day as i32,
        t.hour as i32,
        t.minute as i32,
        t.second as i32,
    );
    let ms = date.get_time();
    ms.is_finite().then_some(ms / 1_000.0)
}

/// The browser's IANA time zone (`Europe/Berlin`), or `UTC` when it does not say.
pub fn local_time_zone() -> String {
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
        .resolved_options();
    js_sys::Reflect::get(&options, &wasm_bindgen::JsValue::from_str("timeZone"))
        .ok()
        .and_then(|v| v.as_string())
        .filter(|tz| !tz.is_empty())
        .unwrap_or_else(|| "UTC".to_owned())
}
