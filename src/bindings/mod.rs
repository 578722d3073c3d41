//! The JS face of edgetax. Everything here only converts between JS values
//! and the core; no tax logic lives in this folder.

pub mod allocate;
mod clock;
// Signing needs the merchant's secret: the server build only.
#[cfg(feature = "proxy")]
pub mod context;
pub mod convert;
pub mod estimator;
pub mod exports;
// The server build's TaxJar calls and log lines.
#[cfg(feature = "sync")]
mod http;
#[cfg(feature = "legacy")]
pub mod legacy;
#[cfg(feature = "sync")]
mod log;
pub mod offline;
pub mod options;
#[cfg(feature = "sync")]
pub mod sync;
mod types;
#[cfg(feature = "proxy")]
pub mod worker;
