// POST /v2/taxes: documented-scenario replay, validation and a deterministic
// calculation in TaxJar's exact response shape. Money is exact decimal math.

import { isDeepStrictEqual } from 'node:util';
import {
  ZERO, add, cmp, dec, div, isNeg, isNumeric, isZero, max, mul, round, sub, sum, toNumber,
} from './decimal.mjs';
import { badRequest, present, requireObject } from './errors.mjs';
import { COMPONENTS, jurisdiction, taxSource } from './rates.mjs';
import { US_ZIP_RE } from './regions.mjs';

export const EXEMPTION_TYPES = ['wholesale', 'government', 'marketplace', 'other', 'non_exempt'];
const EXEMPT = new Set(['wholesale', 'government', 'marketplace', 'other']);

// Breakdown key names: [taxable, rate, amount] per component and level.
const US_LINE = {
  state: ['state_taxable_amount', 'state_sales_tax_rate', 'state_amount'],
  county: ['county_taxable_amount', 'county_tax_rate', 'county_amount'],
  city: ['city_taxable_amount', 'city_tax_rate', 'city_amount'],
  special: ['special_district_taxable_amount', 'special_tax_rate', 'special_district_amount'],
};
const CA_KEYS = {
  gst: ['gst_taxable_amount', 'gst_tax_rate', 'gst'],
  pst: ['pst_taxable_amount', 'pst_tax_rate', 'pst'],
  qst: ['qst_taxable_amount', 'qst_tax_rate', 'qst'],
};
const INTL_KEYS = {
  country: ['country_taxable_amount', 'country_tax_rate', 'country_tax_collectable'],
};
const KEYS = {
  US: {
    order: {
      state: ['state_taxable_amount', 'state_tax_rate', 'state_tax_collectable'],
      county: ['county_taxable_amount', 'county_tax_rate', 'county_tax_collectable'],
      city: ['city_taxable_amount', 'city_tax_rate', 'city_tax_collectable'],
      special: ['special_district_taxable_amount', 'special_tax_rate', 'special_district_tax_collectable'],
    },
    line: US_LINE,
    shipping: { ...US_LINE, special: ['special_taxable_amount', 'special_tax_rate', 'special_district_amount'] },
  },
  CA: { order: CA_KEYS, line: CA_KEYS, shipping: CA_KEYS },
  INTL: { order: INTL_KEYS, line: INTL_KEYS, shipping: INTL_KEYS },
};

const upper = (v) => (present(v) ? String(v).toUpperCase() : null);

/** The documented scenario whose request deep-equals `body` (ignoring `plugin`), or null. */
export function matchTaxFixture(body, scenarios) {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  const { plugin, ...rest } = body; // eslint-disable-line no-unused-vars
  const hit = scenarios.find((s) => isDeepStrictEqual(rest, s.request));
  return hit ? structuredClone(hit.response) : null;
}

function amountOf(value, name, fallback) {
  if (!present(value)) return fallback;
  if (!isNumeric(value)) throw badRequest(`${name} must be a number`);
  const d = dec(value);
  if (isNeg(d)) throw badRequest(`${name} cannot be negative`);
  return d;
}

function validate(body) {
  requireObject(body);
  if (!present(body.to_country)) throw badRequest('to_country is missing');
  const country = upper(body.to_country);
  if (country === 'US') {
    if (!present(body.to_zip)) throw badRequest('to_zip is missing');
    if (!US_ZIP_RE.test(String(body.to_zip))) {
      throw badRequest(`to_zip ${body.to_zip} is not a valid US zip code`);
    }
  }
  if ((country === 'US' || country === 'CA') && !present(body.to_state)) {
    throw badRequest('to_state is missing');
  }
  if (!present(body.shipping)) throw badRequest('shipping is missing');
  const shipping = amountOf(body.shipping, 'shipping');
  const hasLines = Array.isArray(body.line_items) && body.line_items.length > 0;
  if (present(body.line_items) && !Array.isArray(body.line_items)) {
    throw badRequest('line_items must be an array');
  }
  if (!present(body.amount) && !hasLines) {
    throw badRequest('amount is missing (provide amount or line_items)');
  }
  const amount = amountOf(body.amount, 'amount', null);
  if (present(body.exemption_type) && !EXEMPTION_TYPES.includes(body.exemption_type)) {
    throw badRequest(`exemption_type must be one of ${EXEMPTION_TYPES.join(', ')}`);
  }
  const lines = (hasLines ? body.line_items : []).map((item, i) => {
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      throw badRequest(`line_items[${i}] must be an object`);
    }
    const at = (k) => `line_items[${i}].${k}`;
    const quantity = amountOf(item.quantity, at('quantity'), dec(1));
    const unitPrice = amountOf(item.unit_price, at('unit_price'), ZERO);
    const discount = amountOf(item.discount, at('discount'), ZERO);
    return {
      id: present(item.id) ? item.id : String(i + 1),
      quantity,
      unitPrice,
      discount,
      gross: sub(mul(quantity, unitPrice), discount),
      ptc: present(item.product_tax_code) ? String(item.product_tax_code) : null,
    };
  });
  return { country, state: upper(body.to_state), shipping, amount, lines, hasLines };
}

// US nexus is per state. Canadian GST/HST registration is federal, so (as the
// documented Canada scenario shows: BC nexus, ON destination → has_nexus) any
// Canadian nexus counts for every province; elsewhere nexus is per country.
function nexusFor(body, country, state, regions) {
  const stateLevel = country === 'US';
  const matches = (c, s) => upper(c) === country && (!stateLevel || upper(s) === state);
  if (Array.isArray(body.nexus_addresses) && body.nexus_addresses.length > 0) {
    return body.nexus_addresses.some((a) => a && matches(a.country, a.state));
  }
  return regions.some((r) => matches(r.country_code, r.region_code));
}

/** Effective exemption: a stored customer's type wins unless the order says non_exempt. */
function exemptionFor(body, customers, country, state) {
  const orderType = present(body.exemption_type) ? body.exemption_type : null;
  const customer = present(body.customer_id) ? customers?.get(String(body.customer_id)) : null;
  if (customer && orderType !== 'non_exempt' && EXEMPT.has(customer.exemption_type)) {
    const regions = customer.exempt_regions ?? [];
    const inRegion = regions.length === 0 || regions.some(
      (r) => upper(r.country) === country && (!present(r.state) || upper(r.state) === state),
    );
    if (inRegion) return customer.exemption_type;
  }
  return orderType;
}

/** Components of `j` that are exempt for a line (documented simplified rules). */
function exemptComponents(line, j, orderExempt) {
  const all = new Set(COMPONENTS[j.kind]);
  if (orderExempt || line.ptc === '99999') return all;
  if (j.kind === 'US' && line.ptc === '40030') return all; // groceries: exempt in every US state
  if (j.kind === 'US' && j.state === 'NY' && line.ptc === '20010' && cmp(line.unitPrice, 110) < 0) {
    return new Set(['state']); // NY clothing under $110: state part exempt, local parts apply
  }
  return new Set();
}

/** Tax one taxable base at per-component rates: exact and rounded figures. */
function taxPart(taxable, rates) {
  const comps = Object.entries(rates).map(([c, r]) => {
    const base = isZero(r) ? ZERO : taxable;
    return { c, rate: r, taxable: base, exact: mul(base, r) };
  });
  const combined = sum(comps.map((x) => x.rate));
  const effTaxable = isZero(combined) ? ZERO : taxable;
  return { taxable: effTaxable, combined, exact: mul(effTaxable, combined), comps };
}

function renderPart(part, keys, extra = {}) {
  const out = {
    ...extra,
    taxable_amount: toNumber(part.taxable),
    tax_collectable: toNumber(round(part.exact, 2)),
    combined_tax_rate: toNumber(part.combined),
  };
  for (const x of part.comps) {
    const [tk, rk, ak] = keys[x.c];
    out[tk] = toNumber(x.taxable);
    out[rk] = toNumber(x.rate);
    out[ak] = toNumber(round(x.exact, 2));
  }
  return out;
}

/**
 * Compute a POST /v2/taxes response body. `ctx`: `{ nexusRegions, customers }`.
 * Throws HttpError(400) for requests TaxJar would reject.
 */
export function calculateTax(body, ctx = {}) {
  const v = validate(body);
  const lineTotal = sum(v.lines.map((l) => l.gross));
  const orderTotal = add(v.amount ?? lineTotal, v.shipping);
  if (!nexusFor(body, v.country, v.state, ctx.nexusRegions ?? [])) {
    return {
      tax: {
        amount_to_collect: 0,
        freight_taxable: false,
        has_nexus: false,
        rate: 0,
        tax_source: null,
        taxable_amount: 0,
        order_total_amount: toNumber(orderTotal),
        shipping: toNumber(v.shipping),
      },
    };
  }

  const j = jurisdiction(v.country, v.state);
  const exemption = exemptionFor(body, ctx.customers, v.country, v.state);
  const orderExempt = EXEMPT.has(exemption);
  const zeroRates = (rates) => Object.fromEntries(Object.keys(rates).map((c) => [c, ZERO]));

  const lineParts = v.lines.map((line) => {
    const exempt = exemptComponents(line, j, orderExempt);
    const rates = Object.fromEntries(
      Object.entries(j.rates).map(([c, r]) => [c, exempt.has(c) ? ZERO : r]),
    );
    return { line, part: taxPart(max(line.gross, ZERO), rates) };
  });
  const anyLineTaxable = lineParts.some((x) => !isZero(x.part.taxable));
  const freightTaxable = j.freightTaxable && !orderExempt && (!v.hasLines || anyLineTaxable);
  const shipPart = taxPart(v.shipping, freightTaxable ? j.rates : zeroRates(j.rates));

  let parts;
  if (v.hasLines) {
    parts = [...lineParts.map((x) => x.part), shipPart];
  } else {
    parts = [taxPart(v.amount, orderExempt ? zeroRates(j.rates) : j.rates), shipPart];
  }
  const taxable = sum(parts.map((p) => p.taxable));
  const exact = sum(parts.map((p) => p.exact));
  const rate = isZero(taxable) ? ZERO : div(exact, taxable, 5);

  const source = taxSource(upper(body.from_country), upper(body.from_state), v.country, v.state);
  const jurisdictions = { country: v.country };
  if (j.kind !== 'INTL' && v.state) jurisdictions.state = v.state;
  const city = source === 'origin' ? body.from_city : body.to_city;
  if (present(city)) jurisdictions.city = upper(city);

  const tax = {
    order_total_amount: toNumber(orderTotal),
    shipping: toNumber(v.shipping),
    taxable_amount: toNumber(taxable),
    amount_to_collect: toNumber(round(exact, 2)),
    rate: toNumber(rate),
    has_nexus: true,
    freight_taxable: freightTaxable,
    tax_source: source,
  };
  if (exemption) tax.exemption_type = exemption;
  tax.jurisdictions = jurisdictions;

  if (v.hasLines) {
    // Order level: per component, sum exact amounts across lines and shipping, round once.
    const orderComps = COMPONENTS[j.kind].map((c) => {
      const pieces = parts.map((p) => p.comps.find((x) => x.c === c));
      const compTaxable = sum(pieces.map((x) => x.taxable));
      return {
        c,
        taxable: compTaxable,
        rate: isZero(compTaxable) ? ZERO : j.rates[c],
        exact: sum(pieces.map((x) => x.exact)),
      };
    });
    const keys = KEYS[j.kind];
    const breakdown = renderPart({ taxable, exact, combined: rate, comps: orderComps }, keys.order);
    if (freightTaxable) breakdown.shipping = renderPart(shipPart, keys.shipping);
    breakdown.line_items = lineParts.map(({ line, part }) => renderPart(part, keys.line, { id: line.id }));
    tax.breakdown = breakdown;
  }
  return { tax };
}
