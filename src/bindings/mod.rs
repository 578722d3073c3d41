//! The JS face of edgetax. Everything here only converts between JS values
//! and the core; no tax logic lives in this folder.

pub mod allocate;
// Signing needs the merchant's secret: the server build only.
#[cfg(feature = "proxy")]
pub mod context;
pub mod convert;
pub mod estimator;
pub mod exports;
#[cfg(feature = "legacy")]
pub mod legacy;
pub mod offline;
pub mod options;
#[cfg(feature = "sync")]
pub mod sync;
#[cfg(feature = "sync")]
mod transport;
mod types;
#[cfg(feature = "proxy")]
pub mod worker;
