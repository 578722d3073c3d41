// The fake's fixed rate table and the GET /v2/rates/:zip answer.
//
// Component rates always add up exactly to the combined rate.

import { dec, sum, toPlain } from './decimal.mjs';
import { EU_COUNTRIES, US_ZIP_RE, stateForZip } from './regions.mjs';

/** Component names per kind of jurisdiction, in TaxJar's breakdown order. */
export const COMPONENTS = {
  US: ['state', 'county', 'city', 'special'],
  CA: ['gst', 'pst', 'qst'],
  INTL: ['country'],
};

const US_RATES = {
  CA: { rates: { state: '0.0625', county: '0.01', special: '0.02' }, freight: false }, // 0.0925
  NY: { rates: { state: '0.04', county: '0.04875' }, freight: true }, // 0.08875
  WA: { rates: { state: '0.065', city: '0.036' }, freight: true }, // 0.101
  NJ: { rates: { state: '0.06625' }, freight: true }, // 0.06625
  TX: { rates: { state: '0.0625', city: '0.01', special: '0.01' }, freight: true }, // 0.0825
  FL: { rates: { state: '0.06', county: '0.01' }, freight: false }, // 0.07
};
const US_DEFAULT = { rates: { state: '0.05' }, freight: false };

const CA_RATES = {
  ON: { gst: '0.05', pst: '0.08' }, // 0.13 HST
  BC: { gst: '0.05', pst: '0.07' }, // 0.12
  QC: { gst: '0.05', qst: '0.09975' }, // 0.14975
};
const CA_DEFAULT = { gst: '0.05' };

// Everything outside the US and Canada: a single country-level VAT/GST rate.
const INTL_RATES = { AU: '0.1' }; // Australian GST, as in the documented AU scenario
const INTL_DEFAULT = '0.2';

// Intrastate sales in these states are sourced at the origin (tax_source "origin").
const ORIGIN_STATES = new Set(['AZ', 'IL', 'MS', 'MO', 'NM', 'OH', 'PA', 'TN', 'TX', 'UT', 'VA']);

/**
 * Jurisdiction for a destination:
 * `{ kind, country, state, rates: {component: decimal}, combined, freightTaxable }`.
 */
export function jurisdiction(country, state) {
  country = String(country ?? '').toUpperCase();
  state = state == null ? null : String(state).toUpperCase();
  let kind;
  let table;
  let freightTaxable = true;
  if (country === 'US') {
    kind = 'US';
    const row = US_RATES[state] ?? US_DEFAULT;
    table = row.rates;
    freightTaxable = row.freight;
  } else if (country === 'CA') {
    kind = 'CA';
    table = CA_RATES[state] ?? CA_DEFAULT;
  } else {
    kind = 'INTL';
    table = { country: INTL_RATES[country] ?? INTL_DEFAULT };
  }
  const rates = Object.fromEntries(COMPONENTS[kind].map((c) => [c, dec(table[c] ?? '0')]));
  return { kind, country, state, rates, combined: sum(Object.values(rates)), freightTaxable };
}

export function taxSource(fromCountry, fromState, toCountry, toState) {
  const intrastate = fromCountry === 'US' && toCountry === 'US' && fromState && fromState === toState;
  return intrastate && ORIGIN_STATES.has(String(toState).toUpperCase()) ? 'origin' : 'destination';
}

const rateStr = (d) => {
  const p = toPlain(d);
  return p.includes('.') ? p : `${p}.0`;
};

/**
 * Body for GET /v2/rates/:zip. `fixtures` maps ruby fixture names (rates, rates_ca, ...)
 * to parsed files. Returns null when the ZIP is not valid for the country (→ 404).
 */
export function ratesResponse(zip, query, fixtures) {
  const country = String(query.country ?? 'US').toUpperCase();
  const clone = (name) => structuredClone(fixtures[name]);
  if (country === 'US') {
    const five = zip.slice(0, 5);
    if (five === '90002' && !query.state && !query.city && !query.street) return clone('rates');
    if (five === '05495' && !query.state && !query.city && !query.street) return clone('rates_sst');
    if (!US_ZIP_RE.test(zip)) return null;
    const state = String(query.state ?? stateForZip(zip) ?? '').toUpperCase();
    if (!state) return null;
    const j = jurisdiction('US', state);
    return {
      rate: {
        zip,
        country: 'US',
        country_rate: '0.0',
        state,
        state_rate: rateStr(j.rates.state),
        county: null,
        county_rate: rateStr(j.rates.county),
        city: query.city ? String(query.city).toUpperCase() : null,
        city_rate: rateStr(j.rates.city),
        combined_district_rate: rateStr(j.rates.special),
        combined_rate: rateStr(j.combined),
        freight_taxable: j.freightTaxable,
      },
    };
  }
  if (country === 'CA') return clone('rates_ca');
  if (country === 'AU') return clone('rates_au');
  if (country === 'FI') return clone('rates_eu');
  const j = jurisdiction(country, null);
  if (EU_COUNTRIES[country]) {
    return {
      rate: {
        country,
        name: EU_COUNTRIES[country],
        standard_rate: rateStr(j.combined),
        reduced_rate: '0.0',
        super_reduced_rate: '0.0',
        parking_rate: '0.0',
        distance_sale_threshold: '0.0',
        freight_taxable: j.freightTaxable,
      },
    };
  }
  return {
    rate: {
      zip,
      country,
      country_rate: rateStr(j.combined),
      combined_rate: rateStr(j.combined),
      freight_taxable: j.freightTaxable,
    },
  };
}
