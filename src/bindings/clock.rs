//! The bindings' one clock: `Date.now()`. Every binding that needs the
//! time asks here, so there is one place to read it from.

/// The time, in ms since the Unix epoch.
pub(crate) fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Today's date (UTC).
pub(crate) fn today() -> crate::offline::Date {
    crate::offline::Date::from_unix_ms(now_ms())
}

/// The time, in whole seconds since the Unix epoch.
#[cfg(feature = "proxy")]
pub(crate) fn now_seconds() -> u64 {
    (now_ms() / 1000.0) as u64
}
