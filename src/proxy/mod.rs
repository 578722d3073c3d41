//! The Worker proxy's decisions, as plain Rust with no I/O.
//!
//! The Worker (`bindings::worker`) only moves bytes: it reads the request,
//! asks these modules what to do, runs the fetch and the cache calls they
//! describe, and writes the answer they build. Everything here is tested
//! natively in `tests/worker_proxy.rs`.
//!
//! | step | module | decides |
//! | --- | --- | --- |
//! | settings | [`config`] | env vars, with defaults, checked once per isolate |
//! | path | [`route`] | which TaxJar route, path tricks → 404, wrong method → 405 |
//! | caller | [`caller`] | allowed Origin, proxy key, or 403; CORS and preflight |
//! | gate | [`flow`] | toggles, token, body checks, in the order they apply |
//! | legacy | [`legacy`] | the original API's routes and query checks (`LEGACY_ROUTES`) |
//! | body | [`body`] | 415, 413, line-item limit, cart validation → 400 |
//! | customer | [`context`] | customer fields from browsers only in a signed `customer_context` → 400 |
//! | JSON | [`json`] | syntax, nesting depth and repeated keys → 400 naming the field |
//! | limit | [`ratelimit`] | per-isolate token buckets → 429 |
//! | cache | [`cache`] | cache URL per cart or lookup, and how long to keep an answer |
//! | upstream | [`upstream`] | the TaxJar request, retries, and how its answer is mapped |
//! | answer | [`reply`] | TaxJar-style error bodies |
//! | backup | [`offline`] | when a tax request gets a backup estimate, and its body |
//! | nexus | [`nexus`] | `GET /v2/nexus/regions` from the synced list, the nexus addresses or the embedded table |
//! | rates | [`rates`] | summary rates kept for backup estimates (scheduled refresh) |
//! | log | [`log`] | one JSON line per request, without secrets or addresses |
//! | sync | [`sync`] | `/sync/*` bodies → queue jobs, each planned against its record |

pub mod body;
pub mod cache;
pub mod caller;
pub mod config;
pub mod context;
pub mod flow;
pub mod json;
pub mod legacy;
pub mod log;
pub mod nexus;
pub mod offline;
pub mod ratelimit;
pub mod rates;
pub mod reply;
pub mod route;
pub mod sync;
#[cfg(test)]
mod testing;
pub mod upstream;

use sha2::{Digest, Sha256};

pub use caller::Caller;
pub use config::Config;
pub use flow::{Admitted, Finished, Front, Head, Prepared};
pub use reply::Reply;
pub use route::{Matched, Route};
pub use upstream::{Outcome, UpstreamRequest};

/// The first `hex_digits` hex digits of the SHA-256 of `text`: a short,
/// one-way label for secrets and addresses in logs and keys.
pub fn short_hash(text: &str, hex_digits: usize) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut out = String::with_capacity(hex_digits);
    for byte in digest.iter() {
        if out.len() >= hex_digits {
            break;
        }
        out.push_str(&format!("{byte:02x}"));
    }
    out.truncate(hex_digits);
    out
}
