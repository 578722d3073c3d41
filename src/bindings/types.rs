//! TypeScript declarations for the JS API. Field names are TaxJar's.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Money or a rate going in: a decimal string ("19.99") or a number (19.99). */
export type MoneyInput = string | number;

/** A shipping destination, origin or nexus location. */
export interface NexusAddress {
  id?: string | number;
  country: string;
  state: string;
  zip?: string;
  city?: string;
  street?: string;
}

/** One cart line. `discount` is the line's total discount, not per unit. */
export interface LineItem {
  id?: string | number;
  quantity?: MoneyInput;
  unit_price: MoneyInput;
  discount?: MoneyInput;
  product_tax_code?: string;
  description?: string;
  product_identifier?: string;
  /** Whether the order discount may apply to this line (default true). */
  discountable?: boolean;
}

/** Order exemption types TaxJar knows. */
export type ExemptionType = "wholesale" | "government" | "marketplace" | "other" | "non_exempt";

/** A cart, in TaxJar's field names. */
export interface Cart {
  from_country?: string;
  from_zip?: string;
  from_state?: string;
  from_city?: string;
  from_street?: string;
  /** Default "US". */
  to_country?: string;
  to_zip?: string;
  to_state?: string;
  to_city?: string;
  to_street?: string;
  /** Only for carts without line items. */
  amount?: MoneyInput;
  /** Before `shipping_discount`; default 0. */
  shipping?: MoneyInput;
  shipping_discount?: MoneyInput;
  /** Split across discountable line items. */
  order_discount?: MoneyInput;
  discount_split?: "proportional" | "even";
  /** Sent as a line item with id "handling-fee". */
  handling_fee?: MoneyInput;
  customer_id?: string | number;
  exemption_type?: ExemptionType;
  nexus_addresses?: NexusAddress[];
  /** A signed context from the store's server (`customerContext`); the Worker verifies it. */
  customer_context?: string;
  line_items?: LineItem[];
}

/** Error codes carried by `EdgetaxError.code` and `ValidationIssue.code`. */
export type ErrorCode =
  | "missing_field" | "invalid_zip" | "invalid_state" | "invalid_country"
  | "invalid_amount" | "invalid_quantity" | "duplicate_line_id"
  | "discount_exceeds_amount" | "invalid_exemption_type" | "too_many_line_items"
  | "invalid_type" | "invalid_value" | "upstream_unparseable" | "upstream_error"
  | "unauthorized" | "timeout" | "network_error" | "exempt_with_tax" | "amount_mismatch";

/** One problem found by `validateCart`. */
export interface ValidationIssue {
  code: ErrorCode;
  /** A path such as "line_items[2].unit_price", or null. */
  field: string | null;
  message: string;
}

/** Every error edgetax throws is an `Error` with these properties. */
export interface EdgetaxError extends Error {
  code: ErrorCode;
  field: string | null;
  status: number | null;
  detail: string | null;
}

/** Options for `taxRequest`. */
export interface TaxRequestOptions {
  /** The partner plugin tag, sent as `plugin`. */
  plugin?: string;
}

/** A line of the `POST /v2/taxes` body. */
export interface TaxRequestLineItem {
  id?: string;
  quantity?: number;
  product_tax_code?: string;
  unit_price?: number;
  discount?: number;
}

/** The exact `POST /v2/taxes` body. Money is a number with at most 2 places. */
export interface TaxRequestBody {
  from_country?: string;
  from_zip?: string;
  from_state?: string;
  from_city?: string;
  from_street?: string;
  to_country?: string;
  to_zip?: string;
  to_state?: string;
  to_city?: string;
  to_street?: string;
  amount?: number;
  shipping?: number;
  customer_id?: string;
  exemption_type?: ExemptionType;
  nexus_addresses?: NexusAddress[];
  line_items?: TaxRequestLineItem[];
  plugin?: string;
}

/** Per-jurisdiction amounts and rates in a TaxJar breakdown. */
export interface TaxJarRates {
  taxable_amount?: number | string;
  tax_collectable?: number | string;
  combined_tax_rate?: number | string;
  [jurisdictionField: string]: number | string | null | undefined | object;
}

/** TaxJar's `{ tax: {...} }` answer to `POST /v2/taxes`. */
export interface TaxResponse {
  tax: {
    order_total_amount?: number | string;
    shipping?: number | string;
    taxable_amount?: number | string;
    amount_to_collect: number | string;
    rate?: number | string;
    /** Absent reads as false. */
    has_nexus?: boolean;
    /** Absent reads as false. */
    freight_taxable?: boolean;
    tax_source?: string | null;
    exemption_type?: string;
    jurisdictions?: { country?: string; state?: string; county?: string; city?: string };
    breakdown?: TaxJarRates & {
      shipping?: TaxJarRates;
      line_items?: (TaxJarRates & { id: string | number })[];
    };
  };
}

/** Where an estimate came from. */
export type EstimateSource = "taxjar" | "cache" | "no_nexus" | "exempt" | "offline" | "provisional";

/** One line of an estimate. Money and rates are decimal strings. */
export interface EstimateLineItem {
  id: string;
  /** unit_price × quantity. */
  amount: string;
  /** All discount on the line, its share of the order discount included. */
  discount: string;
  taxable_amount: string;
  tax_collectable: string;
  combined_tax_rate: string;
}

/**
 * Tax for a cart. Line `tax_collectable` values plus
 * `shipping.tax_collectable` always equal `amount_to_collect` exactly.
 */
export interface Estimate {
  key: string;
  source: EstimateSource;
  estimated: boolean;
  /**
   * True for `peek`'s provisional figure: TaxJar's rates for this tax
   * context applied to this cart, shown until TaxJar's answer comes.
   */
  provisional: boolean;
  amount_to_collect: string;
  rate: string;
  taxable_amount: string;
  /** Items after discounts plus shipping, before tax. */
  order_total_amount: string;
  has_nexus: boolean;
  freight_taxable: boolean;
  tax_source: string | null;
  exemption_type?: string;
  shipping: { amount: string; taxable_amount: string; tax_collectable: string };
  line_items: EstimateLineItem[];
  rates_as_of?: string;
  warnings?: string[];
}

/** A region where the seller has nexus, as `GET /v2/nexus/regions` lists it. */
export interface NexusRegion {
  country_code: string;
  region_code?: string | null;
  country?: string;
  region?: string | null;
}

/** What `onLog` receives: one entry per call, hit, skip and error. */
export interface LogEntry {
  level: "info" | "warn" | "error";
  event: "call" | "cache_hit" | "coalesced" | "no_nexus_skip" | "exempt_skip" | "invalid" | "error" | "offline" | "nexus_fetch_failed";
  /** The cart's `cartKey`, or null when there is none (an invalid cart). */
  key: string | null;
  /** Milliseconds the call took. */
  ms?: number;
  /** The HTTP status of a call. */
  status?: number;
}

/** Options of `new Estimator(...)`. */
export interface EstimatorOptions {
  /** TaxJar-compatible base URL (normally the edgetax Worker). */
  apiUrl: string;
  /** Sent as `Authorization: Bearer` only when given (server-side use). */
  apiKey?: string;
  /** Memo lifetime; default 900. */
  ttlSeconds?: number;
  /** LRU bound; default 200. */
  maxEntries?: number;
  /** Default 5000. */
  timeoutMs?: number;
  /** Known nexus regions, "fetch" to ask `/v2/nexus/regions` once, or undefined for no gate. */
  nexusRegions?: NexusRegion[] | "fetch";
  /** A partial cart merged under every cart (e.g. the store's `from_*` address). */
  defaults?: Cart;
  /** Added to request bodies. */
  plugin?: string;
  /** "session" keeps the memo in sessionStorage so a reload does not pay again. */
  storage?: "none" | "session";
  /** When the Worker cannot be reached, answer a flagged `offlineEstimate` instead of failing. */
  offline?: boolean;
  /** Client-side support logs; entries never contain the apiKey. */
  onLog?: (entry: LogEntry) => void;
  /** The clock in milliseconds (tests only); default `Date.now`. */
  now?: () => number;
}

/** Options of `estimator.estimate(cart, options)`. */
export interface EstimateOptions {
  /** Aborting rejects this caller only, with an `AbortError`. */
  signal?: AbortSignal;
}

/** What an `Estimator` has counted. */
export interface EstimatorStats {
  calls: number;
  cache_hits: number;
  coalesced: number;
  no_nexus_skips: number;
  exempt_skips: number;
  invalid: number;
  errors: number;
  /** Provisional figures (`peek`) that TaxJar's answer then matched to the cent. */
  provisional_hits: number;
  /** Provisional figures that TaxJar's answer then changed. */
  provisional_misses: number;
}
"#;
