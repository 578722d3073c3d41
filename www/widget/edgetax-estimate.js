// <edgetax-estimate>: the sales tax of a cart, live, as a framework-free
// custom element. Shipped in the npm package as `edgetax/widget`
// (pkg/widget/edgetax-estimate.js); it imports the package itself by the
// relative path "../edgetax.js", so it works from pkg/widget/ and from any
// static folder that serves the package with a widget/ folder inside.
//
//   <script type="module">
//     import "edgetax/widget";           // or "/pkg/widget/edgetax-estimate.js"
//   </script>
//   <edgetax-estimate api-url="https://tax.example.com" nexus-regions="fetch"></edgetax-estimate>
//   document.querySelector("edgetax-estimate").cart = { to_zip: "90002", ... };
//
// Money is never float arithmetic here: every figure shown is a decimal string
// of the Estimate, and the order total is added in integer cents.

import init, { Estimator } from "../edgetax.js";
import { fromCents, toCents } from "./edgetax-estimate-money.js";
import { CART_CODES, describe, lineItem, skeleton, STYLE, TEMPLATE } from "./edgetax-estimate-template.js";

export { fromCents, toCents };

let initializing = null;

/**
 * Initializes the edgetax wasm once (safe to call any number of times, and
 * after the page initialized the package itself).
 */
export function initEdgetax() {
  initializing ??= Promise.resolve()
    .then(() => init())
    .then(() => undefined)
    .catch((err) => {
      initializing = null;
      throw wasmBlocked(err) ?? err;
    });
  return initializing;
}

/**
 * The error for a page whose Content Security Policy refuses to compile
 * WebAssembly (no 'wasm-unsafe-eval' in script-src): code `wasm_blocked`,
 * so the widget can say so instead of the browser's text. `null` for
 * other errors.
 */
function wasmBlocked(err) {
  const text = `${err?.name ?? ""} ${err?.message ?? ""}`;
  if (!(err instanceof WebAssembly.CompileError) && !/unsafe-eval|Content Security Policy|CSP/i.test(text)) return null;
  const blocked = new Error(
    "this page's Content Security Policy does not allow WebAssembly: add 'wasm-unsafe-eval' to script-src",
    { cause: err },
  );
  blocked.code = "wasm_blocked";
  blocked.field = null;
  return blocked;
}

const TAG = "edgetax-estimate";
const DEFAULT_DEBOUNCE_MS = 250;
const DEFAULT_CURRENCY = "USD";

// ---- the element -------------------------------------------------------------

function regionsAttribute(value) {
  const text = (value ?? "").trim();
  if (!text) return undefined;
  if (text === "fetch") return "fetch";
  // Also accepted: a list such as "US-CA, US-NY, CA-ON".
  return text.split(/[\s,]+/).filter(Boolean).map((entry) => {
    const [country, region] = entry.toUpperCase().split("-");
    return region ? { country_code: country, region_code: region } : { country_code: country };
  });
}

function isAbort(err) {
  return err?.name === "AbortError";
}

// On a server (SSR), importing the widget must not throw: there is no
// HTMLElement to extend and no registry to define the element in.
const ElementBase = typeof HTMLElement === "undefined" ? class {} : HTMLElement;

export class EdgetaxEstimateElement extends ElementBase {
  static get observedAttributes() {
    return ["api-url", "nexus-regions", "currency", "debounce-ms", "locale"];
  }

  #els;
  #estimator = null;
  #own = null;
  #cart = null;
  #timer = 0;
  #controller = null;
  #seq = 0;
  #estimate = null;
  #error = null;
  #status = "idle";
  // When the cart was last assigned (performance.now()), to tell a
  // shopper still editing from one who was idle.
  #lastEdit = -Infinity;
  // The wasm is initialized, so `peek` can answer synchronously.
  #ready = false;
  // The last final figure read out to screen readers.
  #announced = "";

  constructor() {
    super();
    const root = this.attachShadow({ mode: "open" });
    root.innerHTML = `<style>${STYLE}</style>${TEMPLATE}`;
    const $ = (sel) => root.querySelector(sel);
    this.#els = {
      card: $(".card"),
      badges: $(".badges"),
      figures: $(".figures"),
      lines: $(".lines"),
      shippingRow: $(".shipping"),
      shipping: $('[data-amount="shipping"]'),
      tax: $('[data-amount="tax"]'),
      total: $('[data-amount="total"]'),
      status: $("[data-announce]"),
      note: $(".note"),
      message: $(".message"),
      error: $(".error"),
      errorTitle: $(".error-title"),
      errorDetail: $(".error-detail"),
      retry: $("button"),
    };
    this.#els.retry.addEventListener("click", () => this.retry());
  }

  connectedCallback() {
    // Properties set before the element was upgraded shadow the accessors.
    for (const name of ["estimator", "cart"]) {
      if (Object.prototype.hasOwnProperty.call(this, name)) {
        const value = this[name];
        delete this[name];
        this[name] = value;
      }
    }
    this.#render();
    // No figure yet, or only a provisional one: its call was cancelled
    // when the element left the page.
    const due = !this.#estimate || this.#status === "provisional";
    if (this.#cart && due && !this.#timer && !this.#controller) this.#schedule(0);
  }

  disconnectedCallback() {
    clearTimeout(this.#timer);
    this.#timer = 0;
    this.#controller?.abort();
    this.#controller = null;
    this.#seq++;
    if (this.#status === "loading") this.#status = "idle";
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue === newValue) return;
    if (name === "api-url" || name === "nexus-regions") {
      this.#own?.free();
      this.#own = null;
      if (!this.#estimator && this.#cart) this.#schedule(0);
    } else if (name === "currency" || name === "locale") {
      this.#render();
    }
  }

  /** The `Estimator` to use; when unset, one is built from `api-url`. */
  get estimator() {
    return this.#estimator;
  }

  set estimator(value) {
    this.#estimator = value ?? null;
    if (this.#cart) this.#schedule(0);
  }

  /** The cart (in TaxJar's field names). Assign a new object to re-estimate. */
  get cart() {
    return this.#cart;
  }

  set cart(value) {
    this.#cart = value ?? null;
    this.#edited();
  }

  /**
   * The Estimate shown for the current cart (a provisional one while its
   * TaxJar figure is on its way), or null.
   */
  get estimate() {
    return this.#status === "ready" || this.#status === "provisional" ? this.#estimate : null;
  }

  /** The error shown, or null. */
  get error() {
    return this.#status === "error" || this.#status === "invalid" ? this.#error : null;
  }

  /**
   * "idle" (no cart), "loading", "provisional" (a figure computed at once,
   * its TaxJar figure on the way), "ready", "invalid" (the cart can't be
   * estimated yet) or "error".
   */
  get status() {
    return this.#status;
  }

  /** Items − discounts + shipping + tax, as a decimal string, or null. */
  get orderTotal() {
    const e = this.estimate;
    return e ? fromCents(toCents(e.order_total_amount) + toCents(e.amount_to_collect)) : null;
  }

  get debounceMs() {
    const raw = this.getAttribute("debounce-ms");
    const n = raw === null || raw.trim() === "" ? NaN : Number(raw);
    return Number.isFinite(n) && n >= 0 ? n : DEFAULT_DEBOUNCE_MS;
  }

  set debounceMs(value) {
    this.setAttribute("debounce-ms", String(value));
  }

  get currency() {
    return (this.getAttribute("currency") || DEFAULT_CURRENCY).toUpperCase();
  }

  set currency(value) {
    this.setAttribute("currency", value);
  }

  /** Estimates the current cart now (no debounce). */
  refresh() {
    if (!this.#cart) return;
    this.#schedule(0);
  }

  /** Same as `refresh()`: what the Retry button does. */
  retry() {
    this.refresh();
  }

  // ---- internals -------------------------------------------------------------

  #isEmpty(cart) {
    if (!cart) return true;
    const lines = cart.line_items;
    return (lines === undefined || lines === null || (Array.isArray(lines) && lines.length === 0))
      && (cart.amount === undefined || cart.amount === null || cart.amount === "");
  }

  /** Stops the timer and whatever is in flight (it is for an older cart). */
  #cancel() {
    clearTimeout(this.#timer);
    this.#timer = 0;
    this.#controller?.abort();
    this.#controller = null;
    this.#seq++;
  }

  /** No cart to estimate: says so. True when that is the case. */
  #idle() {
    if (!this.#isEmpty(this.#cart)) return false;
    this.#status = "idle";
    this.#estimate = null;
    this.#error = null;
    this.#render();
    return true;
  }

  #schedule(delay) {
    this.#cancel();
    if (this.#idle()) return;
    this.#status = "loading";
    this.#render();
    this.#call(delay);
  }

  #call(delay) {
    if (!this.isConnected) return;
    this.#timer = setTimeout(() => {
      this.#timer = 0;
      this.#run();
    }, delay);
  }

  /**
   * A new cart: its figure in this frame when `peek` has one (a memo hit
   * is final; a provisional figure waits for the debounced call), else a
   * call, at once unless the shopper is still editing.
   */
  #edited() {
    this.#cancel();
    const now = performance.now();
    const editing = now - this.#lastEdit < this.debounceMs;
    this.#lastEdit = now;
    if (this.#idle()) return;
    const peeked = this.#peek();
    if (peeked && peeked.source !== "provisional") {
      this.#show(peeked, "ready");
      return;
    }
    if (peeked) {
      this.#show(peeked, "provisional");
    } else {
      this.#status = "loading";
      this.#render();
    }
    this.#call(peeked || editing ? this.debounceMs : 0);
  }

  /** `peek` of the current cart, or null (no wasm yet, no estimator, no figure). */
  #peek() {
    if (!this.#ready) return null;
    try {
      const estimator = this.#resolveEstimator();
      return typeof estimator.peek === "function" ? estimator.peek(this.#cart) ?? null : null;
    } catch {
      return null;
    }
  }

  /** Shows `estimate` as `status` ("ready" or "provisional") and says so. */
  #show(estimate, status) {
    this.#estimate = estimate;
    this.#error = null;
    this.#status = status;
    this.#render();
    this.dispatchEvent(new CustomEvent("edgetax:estimate", { detail: estimate, bubbles: true, composed: true }));
  }

  #resolveEstimator() {
    if (this.#estimator) return this.#estimator;
    if (this.#own) return this.#own;
    const apiUrl = this.getAttribute("api-url");
    if (!apiUrl) {
      const err = new Error(`<${TAG}> needs an \`estimator\` property or an \`api-url\` attribute`);
      err.code = "missing_estimator";
      err.field = null;
      throw err;
    }
    this.#own = new Estimator({ apiUrl, nexusRegions: regionsAttribute(this.getAttribute("nexus-regions")) });
    return this.#own;
  }

  async #run() {
    const cart = this.#cart;
    const controller = new AbortController();
    this.#controller = controller;
    const seq = ++this.#seq;
    try {
      await initEdgetax();
      this.#ready = true;
      const estimator = this.#resolveEstimator();
      const estimate = await estimator.estimate(cart, { signal: controller.signal });
      if (seq !== this.#seq || controller.signal.aborted) return; // a late answer for an older cart
      this.#controller = null;
      this.#show(estimate, "ready");
    } catch (error) {
      if (seq !== this.#seq || controller.signal.aborted || isAbort(error)) return;
      this.#controller = null;
      this.#error = error;
      this.#status = CART_CODES.has(error?.code) ? "invalid" : "error";
      this.#render();
      this.dispatchEvent(new CustomEvent("edgetax:error", { detail: error, bubbles: true, composed: true }));
    }
  }

  #formatter() {
    const locale = this.getAttribute("locale") || this.closest("[lang]")?.getAttribute("lang") || undefined;
    try {
      return new Intl.NumberFormat(locale, { style: "currency", currency: this.currency });
    } catch {
      return new Intl.NumberFormat(undefined, { style: "currency", currency: DEFAULT_CURRENCY });
    }
  }

  #percent(rate) {
    const n = Number(rate);
    if (!Number.isFinite(n) || n === 0) return "";
    const locale = this.getAttribute("locale") || this.closest("[lang]")?.getAttribute("lang") || undefined;
    return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 3 }).format(n);
  }

  #lineLabel(line, input) {
    if (line.id === "handling-fee") return { name: "Handling", qty: "" };
    if (line.id === "amount") return { name: "Order", qty: "" };
    const name = input?.description || input?.product_identifier || `Item ${line.id}`;
    const q = Number(input?.quantity ?? 1);
    return { name, qty: Number.isFinite(q) && q !== 1 ? `× ${input.quantity}` : "" };
  }

  #cartLines() {
    const cart = this.#cart ?? {};
    const lines = Array.isArray(cart.line_items)
      ? cart.line_items.map((l, i) => ({ id: String(l?.id ?? i + 1), input: l }))
      : [{ id: "amount", input: null }];
    if (cart.handling_fee !== undefined && cart.handling_fee !== null && Number(cart.handling_fee) !== 0) {
      lines.push({ id: "handling-fee", input: null });
    }
    return lines;
  }

  #render() {
    const els = this.#els;
    const status = this.#status;
    const loading = status === "loading";
    const shown = status === "ready" || status === "provisional";
    // Between estimates the last figure stays, dimmed: the skeleton is
    // only for a widget that has no figure at all.
    const stale = loading && this.#estimate !== null;
    els.card.setAttribute("aria-busy", String(loading || status === "provisional"));
    els.card.dataset.status = status;
    els.card.toggleAttribute("data-stale", stale);
    els.figures.hidden = !(loading || shown);
    els.message.hidden = !(status === "idle" || status === "invalid");
    els.error.hidden = status !== "error";

    if (status === "idle") {
      els.message.textContent = "Add something to your cart to see tax.";
    } else if (status === "invalid") {
      els.message.textContent = describe(this.#error)[0];
    } else if (status === "error") {
      const [title, detail] = describe(this.#error);
      els.errorTitle.textContent = title;
      els.errorDetail.textContent = detail;
      els.retry.hidden = this.#error?.code === "missing_estimator";
    }
    this.#renderBadges(shown ? this.#estimate : null);
    if (stale || shown) this.#renderEstimate(this.#estimate);
    else if (loading) this.#renderLoading();
    // Screen readers hear each final figure once, never a provisional one.
    if (status === "ready") this.#announce(this.#estimate);
  }

  #announce(e) {
    const money = this.#formatter();
    const text = `Total tax ${money.format(fromCents(toCents(e.amount_to_collect)))}, order total ${money.format(this.orderTotal)}.`;
    if (text === this.#announced) return;
    this.#announced = text;
    this.#els.status.textContent = text;
  }

  #renderBadges(estimate) {
    const badges = [];
    if (estimate) {
      if (estimate.source === "exempt") {
        badges.push(["exempt", "Tax exempt", "This order is exempt from sales tax"]);
      } else if (!estimate.has_nexus) {
        badges.push(["no-nexus", "No nexus", "The store doesn't collect sales tax for this destination"]);
      }
      if (estimate.estimated) {
        badges.push(["estimated", "Estimate", "An estimate from published rates, not a TaxJar calculation"]);
      }
      if (estimate.provisional) {
        badges.push(["provisional", "Updating", "Computed from this store's tax rates; the exact figure is on its way"]);
      }
    }
    this.#els.badges.replaceChildren(...badges.map(([kind, text, title]) => {
      const span = document.createElement("span");
      span.className = `badge ${kind}`;
      span.setAttribute("part", `badge badge-${kind}`);
      span.title = title;
      span.textContent = text;
      return span;
    }));
  }

  #renderLoading() {
    const els = this.#els;
    els.lines.replaceChildren(...this.#cartLines().map(({ id, input }) =>
      lineItem(this.#lineLabel({ id }, input), skeleton(), "")));
    els.shippingRow.hidden = false;
    els.shipping.replaceChildren(skeleton());
    els.tax.replaceChildren(skeleton());
    els.total.replaceChildren(skeleton());
    this.#announced = "";
    els.status.textContent = "Calculating tax…";
    els.note.textContent = "";
  }

  #renderEstimate(e) {
    const els = this.#els;
    const money = this.#formatter();
    const fmt = (decimal) => money.format(fromCents(toCents(decimal)));
    const inputs = new Map(this.#cartLines().map((l) => [l.id, l.input]));
    els.lines.replaceChildren(...e.line_items.map((line) => {
      const details = [];
      if (toCents(line.discount) !== 0n) details.push(`${fmt(line.discount)} off`);
      const pct = this.#percent(line.combined_tax_rate);
      if (pct && toCents(line.tax_collectable) !== 0n) details.push(`${pct} tax`);
      else if (e.has_nexus && e.source !== "exempt" && toCents(line.taxable_amount) === 0n && toCents(line.amount) !== 0n) details.push("not taxable");
      const li = lineItem(this.#lineLabel(line, inputs.get(line.id)), fmt(line.tax_collectable), details.join(" · "));
      li.dataset.lineId = line.id;
      li.querySelector(".amount").dataset.amount = "line";
      return li;
    }));
    els.shippingRow.hidden = false;
    els.shipping.textContent = fmt(e.shipping.tax_collectable);
    els.tax.textContent = fmt(e.amount_to_collect);
    els.total.textContent = money.format(fromCents(toCents(e.order_total_amount) + toCents(e.amount_to_collect)));
    const where = [this.#cart?.to_state, this.#cart?.to_country].filter(Boolean).join(", ");
    if (e.source === "exempt") {
      els.note.textContent = `Tax-exempt order${e.exemption_type ? ` (${e.exemption_type})` : ""}: no sales tax is charged.`;
    } else if (!e.has_nexus) {
      els.note.textContent = `This store doesn't collect sales tax for ${where || "this destination"}.`;
    } else {
      const pct = this.#percent(e.rate);
      els.note.textContent = [pct && `Rate ${pct}`, where && `shipping to ${where}`, e.freight_taxable && "shipping is taxable"]
        .filter(Boolean).join(" · ");
    }
  }
}

if (typeof customElements !== "undefined" && !customElements.get(TAG)) customElements.define(TAG, EdgetaxEstimateElement);

export default EdgetaxEstimateElement;
