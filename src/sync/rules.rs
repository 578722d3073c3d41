//! The guide's rules that are not money: transaction ids, providers and
//! marketplace exemptions, and which orders sync at all.

use serde::{Deserialize, Serialize};

use super::order::Order;
use crate::error::{Code, Error, Result};
use crate::regions;
use crate::validate::ExemptionType;

/// Providers TaxJar recognizes as marketplaces: sent as `provider`, and
/// TaxJar applies marketplace facilitator law itself.
pub(crate) const MARKETPLACE_PROVIDERS: [&str; 5] =
    ["amazon", "ebay", "etsy", "facebook", "walmart"];

/// TaxJar's provider when none is sent.
pub(crate) const DEFAULT_PROVIDER: &str = "api";

/// Statuses that sync by default: paid, shipped or done.
pub(crate) const DEFAULT_SYNC_STATUSES: [&str; 4] = ["completed", "shipped", "paid", "closed"];

/// Statuses of a cancelled order (sent as a DELETE).
pub(crate) const CANCELLED_STATUSES: [&str; 2] = ["cancelled", "canceled"];

/// The id with only ASCII letters, digits, `_` and `-` kept. `field` names
/// it when nothing is left (`invalid_value`).
pub fn transaction_id(raw: &str, field: &str) -> Result<String> {
    let id: String = raw
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        .collect();
    if id.is_empty() {
        return Err(Error::field(
            Code::InvalidValue,
            field,
            format!("\"{raw}\" has no letters, digits, _ or -, so it cannot be a transaction_id"),
        ));
    }
    Ok(id)
}

/// The `provider` to send and the exemption, by the guide: a supported
/// marketplace is sent as `provider`; a marketplace sale through any other
/// provider gets `exemption_type: "marketplace"` (unless the order is
/// already wholesale, government or other-exempt); `api`, the default, is
/// not sent. Providers are lower-cased.
pub(crate) fn provider_and_exemption(
    provider: Option<&str>,
    marketplace: bool,
    exemption: Option<ExemptionType>,
) -> (Option<String>, Option<ExemptionType>) {
    let provider = provider
        .map(|p| p.trim().to_ascii_lowercase())
        .filter(|p| !p.is_empty());
    if provider
        .as_deref()
        .is_some_and(|p| MARKETPLACE_PROVIDERS.contains(&p))
    {
        return (provider, exemption);
    }
    let exemption = match exemption {
        Some(e) if e.is_exempt() => Some(e),
        _ if marketplace => Some(ExemptionType::Marketplace),
        other => other,
    };
    (provider.filter(|p| p != DEFAULT_PROVIDER), exemption)
}

/// The merchant's sync settings.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct SyncSettings {
    /// Sales-tax reporting on (the guide's toggle); default true.
    pub enabled: bool,
    /// Statuses that sync; default `DEFAULT_SYNC_STATUSES`. Compared
    /// without regard to case.
    pub statuses: Vec<String>,
}

impl Default for SyncSettings {
    fn default() -> Self {
        SyncSettings {
            enabled: true,
            statuses: DEFAULT_SYNC_STATUSES.map(str::to_owned).to_vec(),
        }
    }
}

/// Why an order does or does not sync.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// It syncs.
    Ready,
    /// Reporting is switched off.
    Disabled,
    /// The order is cancelled (delete it from TaxJar if it was synced).
    Cancelled,
    /// Its status is not one that syncs (not paid or shipped yet).
    Status,
    /// Not in US dollars.
    Currency,
    /// Not shipped to the US.
    NotUs,
    /// The destination lacks a valid ZIP or state.
    IncompleteAddress,
}

impl Reason {
    /// The published string, e.g. `"not_us"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Ready => "ready",
            Reason::Disabled => "disabled",
            Reason::Cancelled => "cancelled",
            Reason::Status => "status",
            Reason::Currency => "currency",
            Reason::NotUs => "not_us",
            Reason::IncompleteAddress => "incomplete_address",
        }
    }
}

/// The answer of [`should_sync`]: `{ sync, reason }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SyncDecision {
    /// True when the order should be sent to TaxJar.
    pub sync: bool,
    /// Why (`ready` when it syncs).
    pub reason: Reason,
}

impl SyncDecision {
    fn no(reason: Reason) -> SyncDecision {
        SyncDecision {
            sync: false,
            reason,
        }
    }
}

/// True when the order's status is a cancellation.
pub(crate) fn is_cancelled(order: &Order) -> bool {
    order
        .status
        .as_deref()
        .is_some_and(|s| CANCELLED_STATUSES.iter().any(|c| c.eq_ignore_ascii_case(s)))
}

/// Whether an order syncs, checked in this order: reporting enabled, not
/// cancelled, a syncing status, USD (absent = USD), a US destination
/// (absent `to_country` = US, as for carts), and a valid US ZIP and state.
pub fn should_sync(order: &Order, settings: &SyncSettings) -> SyncDecision {
    if !settings.enabled {
        return SyncDecision::no(Reason::Disabled);
    }
    if is_cancelled(order) {
        return SyncDecision::no(Reason::Cancelled);
    }
    let status_ok = order.status.as_deref().is_some_and(|s| {
        settings
            .statuses
            .iter()
            .any(|allowed| allowed.trim().eq_ignore_ascii_case(s))
    });
    if !status_ok {
        return SyncDecision::no(Reason::Status);
    }
    should_sync_place(order)
}

/// [`should_sync`] without the status checks: currency and destination.
/// Refunds use it (a refunded order's status no longer says "paid").
pub fn should_sync_place(order: &Order) -> SyncDecision {
    if order
        .currency
        .as_deref()
        .is_some_and(|c| !c.eq_ignore_ascii_case("USD"))
    {
        return SyncDecision::no(Reason::Currency);
    }
    let cart = &order.cart;
    let blank = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or("").is_empty();
    if !blank(&cart.to_country)
        && !cart
            .to_country
            .as_deref()
            .is_some_and(|c| c.trim().eq_ignore_ascii_case("US"))
    {
        return SyncDecision::no(Reason::NotUs);
    }
    let zip_ok = cart
        .to_zip
        .as_deref()
        .is_some_and(|z| regions::is_us_zip(z.trim()));
    let state_ok = cart
        .to_state
        .as_deref()
        .is_some_and(|s| regions::is_region("US", &s.trim().to_ascii_uppercase()));
    if !zip_ok || !state_ok {
        return SyncDecision::no(Reason::IncompleteAddress);
    }
    SyncDecision {
        sync: true,
        reason: Reason::Ready,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_keep_allowed_characters() {
        assert_eq!(transaction_id("#10-01/a_b.c", "id").unwrap(), "10-01a_bc");
        assert_eq!(
            transaction_id("###", "id").unwrap_err().field.as_deref(),
            Some("id")
        );
    }

    #[test]
    fn providers() {
        let p = |provider, marketplace, exemption| {
            let (p, e) = provider_and_exemption(provider, marketplace, exemption);
            (p, e.map(ExemptionType::as_str))
        };
        assert_eq!(p(Some("Amazon"), true, None), (Some("amazon".into()), None));
        assert_eq!(
            p(Some("shopee"), true, None),
            (Some("shopee".into()), Some("marketplace"))
        );
        assert_eq!(
            p(None, true, Some(ExemptionType::NonExempt)),
            (None, Some("marketplace"))
        );
        assert_eq!(
            p(None, true, Some(ExemptionType::Wholesale)),
            (None, Some("wholesale"))
        );
        assert_eq!(p(Some("api"), false, None), (None, None));
        assert_eq!(p(Some("pos"), false, None), (Some("pos".into()), None));
    }
}
