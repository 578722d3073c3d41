//! The JS face of edgetax. Everything here only converts between JS values
//! and the core; no tax logic lives in this folder.

pub mod allocate;
pub mod context;
pub mod convert;
pub mod estimator;
pub mod exports;
pub mod legacy;
pub mod offline;
pub mod options;
pub mod sync;
mod transport;
mod types;
pub mod worker;
