// Types of `edgetax/widget`: the <edgetax-estimate> custom element.
import type { Cart, EdgetaxError, Estimate, Estimator } from "../edgetax.js";

/**
 * What the element shows: no cart, waiting, a provisional figure (its
 * TaxJar figure on the way), figures, a cart it can't estimate yet, or a
 * failure.
 */
export type EdgetaxEstimateStatus = "idle" | "loading" | "provisional" | "ready" | "invalid" | "error";

/** The element's own configuration error (no `estimator` and no `api-url`). */
export interface EdgetaxMissingEstimatorError extends Error {
    code: "missing_estimator";
    field: null;
}

/** What `edgetax:error` carries and `error` holds. */
export type EdgetaxEstimateError = EdgetaxError | EdgetaxMissingEstimatorError;

/**
 * `<edgetax-estimate>`: the sales tax of a cart, shown in the same frame
 * as each `cart` assignment when `Estimator.peek` has a figure (a memo
 * hit is final; a provisional figure is replaced by TaxJar's once the
 * debounced call answers). The first cart is estimated at once; the
 * debounce only spaces out calls while the shopper keeps editing.
 *
 * Attributes: `api-url` (builds its own `Estimator` when the `estimator`
 * property is unset), `nexus-regions` (`"fetch"`, or a list such as
 * `"US-CA,US-NY"`), `currency` (default `USD`), `locale` (default: the
 * nearest `lang`), `debounce-ms` (default 250).
 *
 * Events: `edgetax:estimate` (detail: the `Estimate`, for every figure
 * shown: `detail.source` is `"provisional"` for one computed at once,
 * `"cache"` for a memo hit), `edgetax:error`
 * (detail: the error). Both bubble and cross shadow roots.
 *
 * Parts: `container`, `header`, `title`, `badges`, `badge`,
 * `badge-estimated`, `badge-no-nexus`, `badge-exempt`, `badge-provisional`, `figures`, `lines`,
 * `line`, `line-label`, `line-detail`, `line-tax`, `row`, `shipping-row`,
 * `totals`, `total-tax-row`, `order-total-row`, `note`, `skeleton`, `announcement`,
 * `message`, `error`, `error-message`, `error-detail`, `retry-button`.
 * Slot: `title`.
 */
export class EdgetaxEstimateElement extends HTMLElement {
    static readonly observedAttributes: string[];
    /** The `Estimator` to use; when null, one is built from `api-url`. */
    estimator: Estimator | null;
    /** The cart. Assign a new object to re-estimate (in-place changes are not seen). */
    cart: Cart | null;
    /** The Estimate shown for the current cart (provisional or final), or null. */
    readonly estimate: Estimate | null;
    /** The error shown, or null. */
    readonly error: EdgetaxEstimateError | null;
    readonly status: EdgetaxEstimateStatus;
    /** Items − discounts + shipping + tax as a decimal string ("176.52"), or null. */
    readonly orderTotal: string | null;
    /** Reflects `debounce-ms`. */
    debounceMs: number;
    /** Reflects `currency` (upper case; default "USD"). */
    currency: string;
    /** Estimates the current cart now, without the debounce. */
    refresh(): void;
    /** What the Retry button does (same as `refresh()`). */
    retry(): void;
    connectedCallback(): void;
    disconnectedCallback(): void;
    attributeChangedCallback(name: string, oldValue: string | null, newValue: string | null): void;
    addEventListener<K extends keyof EdgetaxEstimateEventMap>(
        type: K,
        listener: (this: EdgetaxEstimateElement, event: EdgetaxEstimateEventMap[K]) => void,
        options?: boolean | AddEventListenerOptions,
    ): void;
    addEventListener(
        type: string,
        listener: EventListenerOrEventListenerObject,
        options?: boolean | AddEventListenerOptions,
    ): void;
    removeEventListener<K extends keyof EdgetaxEstimateEventMap>(
        type: K,
        listener: (this: EdgetaxEstimateElement, event: EdgetaxEstimateEventMap[K]) => void,
        options?: boolean | EventListenerOptions,
    ): void;
    removeEventListener(
        type: string,
        listener: EventListenerOrEventListenerObject,
        options?: boolean | EventListenerOptions,
    ): void;
}

export interface EdgetaxEstimateEventMap extends HTMLElementEventMap {
    "edgetax:estimate": CustomEvent<Estimate>;
    "edgetax:error": CustomEvent<EdgetaxEstimateError>;
}

/** Initializes the edgetax wasm once; later calls return the same promise. */
export function initEdgetax(): Promise<void>;

/** A decimal string as integer cents, rounded half away from zero. */
export function toCents(value: string | number): bigint;

/** Integer cents as a decimal string with two places. */
export function fromCents(cents: bigint): string;

export default EdgetaxEstimateElement;

declare global {
    interface HTMLElementTagNameMap {
        "edgetax-estimate": EdgetaxEstimateElement;
    }
    interface HTMLElementEventMap {
        "edgetax:estimate": CustomEvent<Estimate>;
        "edgetax:error": CustomEvent<EdgetaxEstimateError>;
    }
}
