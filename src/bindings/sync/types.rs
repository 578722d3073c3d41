//! TypeScript declarations for the Transaction Sync exports.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const SYNC_TYPES: &str = r#"
/** One line of an order: a cart line plus the tax collected on it. */
export interface OrderLineItem extends LineItem {
  /** Tax collected on the line; when absent, the order's tax is split. */
  sales_tax?: MoneyInput;
  /** false keeps the line out of the tax split (default true). */
  taxable?: boolean;
  /** A discount per unit, added to `discount` times the quantity. */
  unit_discount?: MoneyInput;
}

/** A platform order, in TaxJar's field names. Money: numbers or decimal strings. */
export interface Order {
  /** Becomes transaction_id, keeping only letters, digits, _ and -. */
  id: string | number;
  /** When the sale happened; default created_at. */
  transaction_date?: string;
  created_at?: string;
  updated_at?: string;
  /** completed, shipped, paid, closed sync by default; cancelled deletes. */
  status?: string;
  /** Only USD syncs; absent means USD. */
  currency?: string;
  /** amazon, ebay, etsy, facebook, walmart, pos...; default api. */
  provider?: string;
  /** A sale on a marketplace platform. */
  marketplace?: boolean;
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
  shipping?: MoneyInput;
  shipping_discount?: MoneyInput;
  order_discount?: MoneyInput;
  discount_split?: "proportional" | "even";
  handling_fee?: MoneyInput;
  /** Never a discount; read and ignored. */
  gift_card_amount?: MoneyInput;
  /** The platform's items − discounts + shipping; checked when given. */
  amount?: MoneyInput;
  sales_tax: MoneyInput;
  customer_id?: string | number;
  exemption_type?: ExemptionType;
  line_items: OrderLineItem[];
}

/** A refunded line; what is absent comes from the order's line of the same id. */
export interface RefundLineItem {
  id?: string | number;
  quantity?: MoneyInput;
  unit_price?: MoneyInput;
  discount?: MoneyInput;
  sales_tax?: MoneyInput;
  product_tax_code?: string;
  product_identifier?: string;
  description?: string;
}

/** A refund, amounts positive (they are sent negative). No line_items and no amount: the whole order. */
export interface Refund {
  id: string | number;
  transaction_date?: string;
  created_at?: string;
  updated_at?: string;
  amount?: MoneyInput;
  shipping?: MoneyInput;
  sales_tax?: MoneyInput;
  handling_fee?: MoneyInput;
  line_items?: RefundLineItem[];
}

/** Options of orderTransaction and refundTransaction. */
export interface TransactionOptions {
  plugin?: string;
  /** Appended to refund ids; default "-refund". */
  refundSuffix?: string;
}

/** A line of a transaction body (refunds: money negative). */
export interface TransactionBodyLineItem {
  id?: string;
  quantity: number;
  product_identifier?: string;
  description?: string;
  product_tax_code?: string;
  unit_price: number;
  discount?: number;
  sales_tax: number;
}

/** The body of POST /v2/transactions/orders or /refunds (and their PUT). */
export interface TransactionBody {
  transaction_id: string;
  transaction_date: string;
  transaction_reference_id?: string;
  provider?: string;
  exemption_type?: ExemptionType;
  customer_id?: string;
  plugin?: string;
  from_country?: string;
  from_zip?: string;
  from_state?: string;
  from_city?: string;
  from_street?: string;
  to_country: string;
  to_zip?: string;
  to_state?: string;
  to_city?: string;
  to_street?: string;
  amount: number;
  shipping: number;
  sales_tax: number;
  line_items?: TransactionBodyLineItem[];
}

/** The merchant's sync settings. */
export interface SyncSettings {
  /** Sales-tax reporting on; default true. */
  enabled?: boolean;
  /** Default ["completed", "shipped", "paid", "closed"]. */
  statuses?: string[];
}

export type SyncReason = "ready" | "disabled" | "cancelled" | "status" | "currency" | "not_us" | "incomplete_address";

export interface SyncDecision {
  sync: boolean;
  reason: SyncReason;
}

export type CustomerExemptionType = "wholesale" | "government" | "other" | "non_exempt";

export interface ExemptRegion {
  country: string;
  state: string;
}

/** A customer to sync; customer_id (or id) and exemption_type are required. */
export interface CustomerInput {
  customer_id?: string | number;
  id?: string | number;
  exemption_type: CustomerExemptionType;
  exempt_regions?: ExemptRegion[];
  name?: string;
  country?: string;
  state?: string;
  zip?: string;
  city?: string;
  street?: string;
}

/** The body of POST /v2/customers (and its PUT). */
export interface CustomerBody {
  customer_id: string;
  exemption_type: CustomerExemptionType;
  exempt_regions?: ExemptRegion[];
  name?: string;
  country?: string;
  state?: string;
  zip?: string;
  city?: string;
  street?: string;
}

/** The range of a backfill; dates as YYYY-MM-DD or ISO 8601 (a date-only `to` includes its day). */
export interface BackfillRange {
  from: string;
  to?: string;
  /** Default "updated_at". */
  by?: "updated_at" | "created_at";
  /** Update synced orders even when unchanged. */
  force?: boolean;
  statuses?: string[];
}

/** An order (any other fields are ignored) with its last sync date. */
export interface BackfillItem {
  id: string | number;
  created_at: string;
  updated_at?: string;
  status?: string;
  synced_at?: string | null;
  record?: SyncRecord | null;
}

export interface BackfillDecision {
  id: string;
  action: "create" | "update" | "skip";
  reason: "never_synced" | "updated_since_sync" | "forced" | "not_updated_since_sync" | "out_of_range" | "status" | "cancelled";
}

/** The last sync of a transaction (for customers, transaction_id is the customer_id). */
export interface SyncRecord {
  transaction_id: string;
  hash: string;
  synced_at: string;
}

export interface SyncResult {
  action: "create" | "update" | "delete" | "skip";
  transaction_id: string;
  /** The final HTTP status; null when skipped. */
  status: number | null;
  /** True when a 422 → PUT or 404 → POST fallback was used. */
  fallback: boolean;
  /** Why it was skipped: "unchanged", "already_deleted" or a SyncReason. */
  reason: string | null;
  /** Keep it and pass it to the next sync. */
  record: SyncRecord | null;
  /** TaxJar's answer, when it was JSON. */
  response: Record<string, unknown> | null;
}

/** One log line; the API token never appears in it. */
export interface SyncLogEntry {
  level: "info" | "error";
  event: "request" | "response" | "error" | "skip";
  resource: "order" | "refund" | "customer";
  transaction_id: string;
  method: "GET" | "POST" | "PUT" | "DELETE" | null;
  url: string | null;
  headers: Record<string, string> | null;
  body: unknown;
  status: number | null;
  ms: number | null;
  message: string | null;
}

/** Options of new TransactionSync(...). */
export interface TransactionSyncOptions {
  /** TaxJar-compatible base URL, without /v2. */
  apiUrl: string;
  apiKey: string;
  onLog?: (entry: SyncLogEntry) => void;
  /** Per request; default 10000. */
  timeoutMs?: number;
  plugin?: string;
  refundSuffix?: string;
  settings?: SyncSettings;
  /** The clock in milliseconds (tests); default Date.now. */
  now?: () => number;
}
"#;
