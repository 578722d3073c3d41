// The shadow DOM of <edgetax-estimate>: its style sheet, its markup and
// the words a shopper reads for an error. Kept apart from the element's
// behaviour (edgetax-estimate.js) so each file reads on its own; the
// element imports them by relative path.

// ---- template --------------------------------------------------------------

export const STYLE = `
:host {
  all: initial;
  display: block;
  contain: content;
  box-sizing: border-box;
  font-family: var(--edgetax-font-family, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif);
  font-size: var(--edgetax-font-size, 14px);
  line-height: 1.45;
  color: var(--edgetax-color, #1c2433);
  -webkit-font-smoothing: antialiased;
}
:host([hidden]) { display: none; }
*, *::before, *::after { box-sizing: inherit; }
[hidden] { display: none !important; }

.card {
  background: var(--edgetax-background, #ffffff);
  border: 1px solid var(--edgetax-border-color, #e4e7ec);
  border-radius: var(--edgetax-radius, 12px);
  padding: var(--edgetax-padding, 16px 18px);
}
header {
  display: flex;
  align-items: center;
  justify-content: space-between;
  gap: 8px;
  margin: 0 0 10px;
}
h2 {
  margin: 0;
  font: inherit;
  font-weight: 650;
  font-size: 1em;
  letter-spacing: 0.01em;
}
.badges { display: flex; flex-wrap: wrap; gap: 6px; justify-content: flex-end; }
.badge {
  display: inline-flex;
  align-items: center;
  gap: 4px;
  padding: 2px 8px;
  border-radius: 999px;
  font-size: 0.78em;
  font-weight: 600;
  line-height: 1.5;
  white-space: nowrap;
  background: var(--edgetax-badge-background, #eef2ff);
  color: var(--edgetax-badge-color, #3730a3);
}
.badge.no-nexus {
  background: var(--edgetax-badge-muted-background, #f2f4f7);
  color: var(--edgetax-badge-muted-color, #475467);
}
.badge.provisional {
  background: var(--edgetax-badge-muted-background, #f2f4f7);
  color: var(--edgetax-badge-muted-color, #475467);
}
/* A figure on its way out (loading) or not yet final (provisional) is
   dimmed by colour, not opacity, so it keeps its contrast. */
.card[data-stale] .amount, .card[data-status="provisional"] .amount {
  color: var(--edgetax-muted-color, #475467);
}
.amount { transition: color 120ms ease-out; }
@media (prefers-reduced-motion: reduce) { .amount { transition: none; } }
.badge.exempt {
  background: var(--edgetax-badge-success-background, #ecfdf3);
  color: var(--edgetax-badge-success-color, #067647);
}
ul { list-style: none; margin: 0; padding: 0; }
.row, li {
  display: flex;
  align-items: baseline;
  justify-content: space-between;
  gap: 12px;
  padding: 5px 0;
}
.label { min-width: 0; overflow-wrap: anywhere; }
.qty { color: var(--edgetax-muted-color, #667085); }
.sub {
  display: block;
  font-size: 0.85em;
  color: var(--edgetax-muted-color, #667085);
}
.amount {
  font-variant-numeric: tabular-nums;
  white-space: nowrap;
  text-align: right;
}
.lines { border-bottom: 1px dashed var(--edgetax-border-color, #e4e7ec); padding-bottom: 4px; margin-bottom: 4px; }
.totals { border-top: 1px solid var(--edgetax-border-color, #e4e7ec); margin-top: 6px; padding-top: 6px; }
.total-tax { font-weight: 600; }
.grand {
  font-weight: 700;
  font-size: var(--edgetax-total-font-size, 1.2em);
  padding-top: 8px;
}
.note {
  margin: 8px 0 0;
  font-size: 0.85em;
  color: var(--edgetax-muted-color, #667085);
}
.note:empty { display: none; }
.skeleton {
  display: inline-block;
  width: 4.5em;
  height: 0.9em;
  vertical-align: -0.05em;
  border-radius: 4px;
  background: linear-gradient(90deg,
    var(--edgetax-skeleton-color, #eaecf0) 0%,
    var(--edgetax-skeleton-highlight, #f5f6f8) 50%,
    var(--edgetax-skeleton-color, #eaecf0) 100%);
  background-size: 200% 100%;
  animation: shimmer 1.1s ease-in-out infinite;
}
.grand .skeleton { width: 6em; height: 1em; }
@keyframes shimmer { from { background-position: 100% 0; } to { background-position: -100% 0; } }
@media (prefers-reduced-motion: reduce) { .skeleton { animation: none; } }

.message {
  margin: 0;
  color: var(--edgetax-muted-color, #667085);
}
.error {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: 10px 12px;
  padding: 12px;
  border-radius: calc(var(--edgetax-radius, 12px) - 4px);
  background: var(--edgetax-error-background, #fef3f2);
  color: var(--edgetax-error-color, #b42318);
}
.error svg { flex: none; width: 20px; height: 20px; }
.error-text { flex: 1 1 12em; min-width: 0; }
.error-title { margin: 0; font-weight: 600; }
.error-detail { margin: 2px 0 0; font-size: 0.9em; opacity: 0.85; }
.error-detail:empty { display: none; }
button {
  all: unset;
  box-sizing: border-box;
  cursor: pointer;
  padding: 6px 14px;
  border-radius: 8px;
  font: inherit;
  font-weight: 600;
  font-size: 0.92em;
  background: var(--edgetax-button-background, #b42318);
  color: var(--edgetax-button-color, #ffffff);
}
button:hover { filter: brightness(1.08); }
button:focus-visible { outline: 2px solid var(--edgetax-focus-color, #2e90fa); outline-offset: 2px; }
.sr-only {
  position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
`;

export const TEMPLATE = `
<section class="card" part="container" aria-busy="false" aria-labelledby="title">
  <header part="header">
    <h2 id="title" part="title"><slot name="title">Sales tax</slot></h2>
    <span class="badges" part="badges"></span>
  </header>
  <div class="figures" part="figures">
    <ul class="lines" part="lines" aria-label="Tax per item"></ul>
    <div class="row shipping" part="row shipping-row">
      <span class="label">Shipping tax</span><span class="amount" data-amount="shipping"></span>
    </div>
    <div class="totals" part="totals">
      <div class="row total-tax" part="row total-tax-row">
        <span class="label">Total tax</span><span class="amount" data-amount="tax"></span>
      </div>
      <div class="row grand" part="row order-total-row">
        <span class="label">Order total</span><span class="amount" data-amount="total"></span>
      </div>
    </div>
    <p class="note" part="note"></p>
  </div>
  <span class="sr-only" part="announcement" data-announce aria-live="polite" aria-atomic="true"></span>
  <p class="message" part="message" hidden></p>
  <div class="error" part="error" role="alert" hidden>
    <svg viewBox="0 0 20 20" fill="currentColor" aria-hidden="true"><path fill-rule="evenodd" d="M10 18a8 8 0 1 0 0-16 8 8 0 0 0 0 16Zm0-12a1 1 0 0 1 1 1v3.5a1 1 0 1 1-2 0V7a1 1 0 0 1 1-1Zm0 8.75a1.1 1.1 0 1 0 0-2.2 1.1 1.1 0 0 0 0 2.2Z"/></svg>
    <div class="error-text">
      <p class="error-title" part="error-message"></p>
      <p class="error-detail" part="error-detail"></p>
    </div>
    <button type="button" part="retry-button">Retry</button>
  </div>
</section>
`;

// ---- pieces of markup ---------------------------------------------------------

/** A placeholder for a figure on its way (hidden from screen readers). */
export function skeleton() {
  const s = document.createElement("span");
  s.className = "skeleton";
  s.setAttribute("aria-hidden", "true");
  s.setAttribute("part", "skeleton");
  return s;
}

/** One line of the figures: its label (name, quantity, detail) and its tax. */
export function lineItem(label, amount, sub) {
  const li = document.createElement("li");
  li.setAttribute("part", "line");
  const left = document.createElement("span");
  left.className = "label";
  left.setAttribute("part", "line-label");
  left.append(label.name);
  if (label.qty) {
    const qty = document.createElement("span");
    qty.className = "qty";
    qty.textContent = ` ${label.qty}`;
    left.append(qty);
  }
  if (sub) {
    const small = document.createElement("span");
    small.className = "sub";
    small.setAttribute("part", "line-detail");
    small.textContent = sub;
    left.append(small);
  }
  const right = document.createElement("span");
  right.className = "amount";
  right.setAttribute("part", "line-tax");
  if (typeof amount === "string") right.textContent = amount;
  else right.append(amount);
  li.append(left, right);
  return li;
}

// ---- errors ------------------------------------------------------------------

/** Error codes that describe the cart itself: retrying cannot help. */
export const CART_CODES = new Set([
  "missing_field", "invalid_zip", "invalid_state", "invalid_country", "invalid_amount",
  "invalid_quantity", "duplicate_line_id", "discount_exceeds_amount", "invalid_exemption_type",
  "too_many_line_items", "invalid_type", "invalid_value",
]);

/** What a shopper reads for an error: [title, detail]. */
export function describe(error) {
  const code = error?.code;
  const field = error?.field ?? "";
  const status = error?.status;
  if (CART_CODES.has(code)) {
    if (field === "to_zip") {
      return [code === "missing_field" ? "Enter a ZIP or postal code to see tax." : "Check the ZIP or postal code to see tax.", ""];
    }
    if (field === "to_state") return ["Choose a state or province to see tax.", ""];
    if (field === "to_country") return ["Choose a country to see tax.", ""];
    if (code === "discount_exceeds_amount") return ["The discount is larger than the order.", ""];
    if (code === "too_many_line_items") return ["Too many items to estimate tax.", ""];
    return ["Tax can't be estimated for this cart.", error?.message ?? ""];
  }
  switch (code) {
    case "wasm_blocked":
      return ["Tax can't be shown on this page.", "This page's security settings block the tax calculator."];
    case "missing_estimator":
      return ["Tax isn't set up on this page.", error.message];
    case "network_error":
      return ["We couldn't reach the tax service.", "Check your connection and try again."];
    case "timeout":
      return ["The tax service took too long to answer.", "Try again in a moment."];
    case "unauthorized":
      return ["The tax service refused this store's credentials.", "The store's tax setup needs attention."];
    case "upstream_unparseable":
      return ["The tax service sent an answer we couldn't read.", "Try again in a moment."];
    case "upstream_error":
      if (status === 429) return ["Too many tax requests right now.", "Wait a moment, then try again."];
      if (status === 403) {
        return ["Tax can't be shown on this page.", "This page's address isn't allowed to use the store's tax service."];
      }
      if (status >= 500) return ["The tax service is unavailable right now.", "Try again in a moment."];
      return ["Tax couldn't be calculated for this order.", error?.detail ?? error?.message ?? ""];
    default:
      return ["Tax couldn't be calculated.", error?.message ?? String(error)];
  }
}
