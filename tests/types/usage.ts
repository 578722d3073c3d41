// Type-checked (never run) by tests/node/types.test.mjs with `tsc --strict`
// against the built pkg/: the published types accept what the README shows
// and refuse what the runtime refuses. Each `@ts-expect-error` is itself a
// check: if the types got looser (an `any`, a wrong optional), tsc reports
// the directive as unused and the test fails.

import init, {
  allocate,
  applyTax,
  cartKey,
  Estimator,
  offlineEstimate,
  taxRequest,
  validateCart,
} from "../../pkg/edgetax.js";
import type {
  Cart,
  EdgetaxError,
  Estimate,
  EstimatorOptions,
  TaxRequestBody,
  ValidationIssue,
} from "../../pkg/edgetax.js";
// The server build: everything above, plus the Worker, sync and legacy.
import {
  authorizationHeader,
  customerContext,
  customerRequest,
  exportCsv,
  orderTransaction,
  payloadHash,
  planBackfill,
  refundTransaction,
  shouldSync,
  taxRequest as serverTaxRequest,
  TransactionSync,
  WorkerProxy,
} from "../../pkg/server/edgetax_server.js";
import type {
  BackfillDecision,
  LegacyRequest,
  Order,
  Refund,
  SyncResult,
  WorkerRuntime,
} from "../../pkg/server/edgetax_server.js";
import { EdgetaxEstimateElement } from "../../pkg/widget/edgetax-estimate.js";

export async function checkout(): Promise<string> {
  await init();
  // Money as strings or numbers; codes as TaxJar spells them.
  const cart: Cart = {
    to_country: "US",
    to_zip: "90002",
    to_state: "CA",
    shipping: 7.99,
    order_discount: "5.00",
    line_items: [
      { id: "1", quantity: 1, unit_price: 19.99, product_tax_code: "20010" },
      { id: "2", quantity: 2, unit_price: "9.95" },
    ],
  };
  const options: EstimatorOptions = { apiUrl: "https://tax.example.com", nexusRegions: "fetch", offline: true };
  const estimator = new Estimator(options);
  // The options argument is optional, as the README calls it.
  const estimate: Estimate = await estimator.estimate(cart);
  const again = await estimator.estimate(cart, { signal: new AbortController().signal });
  // peek is synchronous and may have no figure.
  const now: Estimate | null = estimator.peek(cart);
  // @ts-expect-error peek may return null
  const surely: Estimate = estimator.peek(cart);
  const provisional: boolean | undefined = now?.provisional;
  console.log(surely, provisional, now?.source === "provisional", estimator.stats().provisional_hits + 1);
  const lineTax: string = estimate.line_items[0].tax_collectable;
  const total: string = again.amount_to_collect;
  try {
    await estimator.estimate({ ...cart, to_zip: "1" });
  } catch (err) {
    const e = err as EdgetaxError;
    const where: string | null = e.field;
    console.log(e.code === "invalid_zip", where);
  }
  const issues: ValidationIssue[] = validateCart(cart);
  const body = taxRequest(cart) as TaxRequestBody;
  const shares: string[] = allocate("10.00", [1, 1, 1]);
  const key: string = cartKey(cart);
  const backup: Estimate = offlineEstimate(cart);
  const answer = { amount_to_collect: 1.35, has_nexus: true, freight_taxable: false, tax_source: "destination" };
  const applied: Estimate = applyTax(cart, { tax: answer });
  // TaxJar's fields the runtime defaults may be left out.
  const bare: Estimate = applyTax(cart, { tax: { amount_to_collect: "0.00" } });
  console.log(bare.has_nexus);
  console.log(lineTax, total, issues.length, body.amount, shares, key, backup.estimated, applied.source);

  // @ts-expect-error: money is a decimal string or a number, not an object
  validateCart({ ...cart, shipping: { amount: 7.99 } });
  // @ts-expect-error: an Estimate's money is a string, never a float
  const float: number = estimate.amount_to_collect;
  // @ts-expect-error: the option is apiUrl (camelCase, as taxjar-node)
  new Estimator({ api_url: "https://tax.example.com" });
  // @ts-expect-error: error codes are a closed set
  const code: EdgetaxError["code"] = "bad_zip";
  console.log(float, code);
  return estimate.key;
}

export async function server(order: Order, runtime: WorkerRuntime, message: { body: unknown; attempts: number }): Promise<void> {
  const sync = new TransactionSync({ apiUrl: "https://api.taxjar.com", apiKey: "token" });
  const result: SyncResult = await sync.syncOrder(order);
  const later: SyncResult = await sync.syncOrder(order, result.record);
  const tx = orderTransaction(order);
  console.log(later.action, tx.amount);
  const proxy = new WorkerProxy({ TAXJAR_API_TOKEN: "token" });
  const delay: number | undefined = await proxy.syncMessage(message.body, message.attempts, runtime);
  console.log(delay);
}

export function reporting(order: Order, refund: Refund): void {
  const decision = shouldSync(order, { statuses: ["completed"] });
  const refundBody = refundTransaction(refund, order);
  // Server side: a signed context for the cart's customer_context.
  const token: string = customerContext(
    { customer_id: "c-1042", exemption_type: "wholesale", exempt_regions: [{ country: "US", state: "CA" }] },
    { secret: "a-secret-of-at-least-32-characters!", ttlSeconds: 3600 },
  );
  const signedCart: Cart = { to_zip: "90002", to_state: "CA", amount: 10, customer_context: token };
  console.log(cartKey(signedCart));
  // @ts-expect-error: the secret is required
  customerContext({ customer_id: "c-1", exemption_type: "wholesale" }, { ttlSeconds: 60 });
  const customer = customerRequest({ customer_id: 7, exemption_type: "wholesale", exempt_regions: [{ country: "US", state: "CA" }] });
  const hash: string = payloadHash(customer);
  const csv: string = exportCsv([orderTransaction(order), refundBody]);
  const plan: BackfillDecision[] = planBackfill({ from: "2024-01-01", to: "2024-01-31" }, [
    { id: 1, created_at: "2024-01-05", synced_at: null },
  ]);
  const legacy = serverTaxRequest({ to_zip: "90002" }, { dialect: "legacy-standard" }) as LegacyRequest;
  // @ts-expect-error: the browser build speaks v2 only
  taxRequest({ to_zip: "90002" }, { dialect: "legacy-standard" });
  const header: string = authorizationHeader("token", "legacy-enhanced");
  console.log(decision, hash, csv, plan[0].action, legacy.encoded, header);
  // @ts-expect-error: customers are exempt by TaxJar's types only ("marketplace" is an order exemption)
  customerRequest({ customer_id: "c1", exemption_type: "marketplace" });
}

export function widget(element: EdgetaxEstimateElement, cart: Cart): void {
  element.cart = cart;
}
