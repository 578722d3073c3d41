//! edgetax: sales-tax estimates at checkout against the TaxJar API.
//!
//! The modules read as the pipeline a cart goes through:
//!
//! | step | module | what it does |
//! | --- | --- | --- |
//! | cart | [`cart`] | the input, in TaxJar's field names |
//! | validate | [`validate`] | checks every field, normalizes codes and money |
//! | split | [`split`] | largest-remainder allocation, order-discount split |
//! | request | [`request`] | the exact `POST /v2/taxes` body |
//! | key | [`key`] | the canonical memo key of a cart |
//! | response | [`model`] | TaxJar's v2 types, tolerant parsing |
//! | reconcile | [`reconcile`] | line taxes that add up to the cent |
//! | estimate | [`estimate`] | the `Estimate` handed back to callers |
//!
//! Around the pipeline: [`estimator`] (memo, nexus gate, for the browser
//! `Estimator`), [`context`] (signed customer contexts), [`proxy`] (the Worker's decisions), [`console`] (the
//! Worker's merchant console) and [`offline`]
//! (backup estimates from summarized rates). The server build's calls to
//! TaxJar share one attempt driver, `http`. [`money`] and [`error`] serve
//! them all; [`redact`] keeps secrets out of everything the Worker
//! sends or logs. Everything here is plain Rust;
//! the JS conversion lives in `bindings` alone.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod cart;
#[cfg(feature = "proxy")]
pub mod console;
pub mod context;
pub mod error;
pub mod estimate;
pub mod estimator;
#[cfg(feature = "sync")]
pub mod http;
pub mod json;
pub mod key;
#[cfg(feature = "legacy")]
pub mod legacy;
pub mod model;
pub mod money;
pub mod offline;
pub mod order;
#[cfg(feature = "proxy")]
pub mod proxy;
pub mod reconcile;
pub mod redact;
pub mod regions;
pub mod request;
pub mod split;
#[cfg(feature = "sync")]
pub mod sync;
pub mod validate;

#[cfg(feature = "js")]
#[doc(hidden)]
pub mod bindings;

pub use cart::Cart;
pub use error::{Code, Error, Result};
pub use money::Money;

/// The .wasm builds' allocator: talc, not std's dlmalloc, which was about
/// 3 KB more of the browser's `.wasm` (gzip).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// The crate version, as published.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
