// Region names, a coarse ZIP → state map and nexus-region normalisation.

export const US_STATES = {
  AL: 'Alabama', AK: 'Alaska', AZ: 'Arizona', AR: 'Arkansas', CA: 'California',
  CO: 'Colorado', CT: 'Connecticut', DE: 'Delaware', DC: 'District of Columbia',
  FL: 'Florida', GA: 'Georgia', HI: 'Hawaii', ID: 'Idaho', IL: 'Illinois',
  IN: 'Indiana', IA: 'Iowa', KS: 'Kansas', KY: 'Kentucky', LA: 'Louisiana',
  ME: 'Maine', MD: 'Maryland', MA: 'Massachusetts', MI: 'Michigan', MN: 'Minnesota',
  MS: 'Mississippi', MO: 'Missouri', MT: 'Montana', NE: 'Nebraska', NV: 'Nevada',
  NH: 'New Hampshire', NJ: 'New Jersey', NM: 'New Mexico', NY: 'New York',
  NC: 'North Carolina', ND: 'North Dakota', OH: 'Ohio', OK: 'Oklahoma', OR: 'Oregon',
  PA: 'Pennsylvania', RI: 'Rhode Island', SC: 'South Carolina', SD: 'South Dakota',
  TN: 'Tennessee', TX: 'Texas', UT: 'Utah', VT: 'Vermont', VA: 'Virginia',
  WA: 'Washington', WV: 'West Virginia', WI: 'Wisconsin', WY: 'Wyoming',
  PR: 'Puerto Rico',
};

export const CA_PROVINCES = {
  AB: 'Alberta', BC: 'British Columbia', MB: 'Manitoba', NB: 'New Brunswick',
  NL: 'Newfoundland and Labrador', NS: 'Nova Scotia', NT: 'Northwest Territories',
  NU: 'Nunavut', ON: 'Ontario', PE: 'Prince Edward Island', QC: 'Quebec',
  SK: 'Saskatchewan', YT: 'Yukon',
};

export const EU_COUNTRIES = {
  AT: 'Austria', BE: 'Belgium', BG: 'Bulgaria', HR: 'Croatia', CY: 'Cyprus',
  CZ: 'Czech Republic', DK: 'Denmark', EE: 'Estonia', FI: 'Finland', FR: 'France',
  DE: 'Germany', GR: 'Greece', HU: 'Hungary', IE: 'Ireland', IT: 'Italy',
  LV: 'Latvia', LT: 'Lithuania', LU: 'Luxembourg', MT: 'Malta', NL: 'Netherlands',
  PL: 'Poland', PT: 'Portugal', RO: 'Romania', SK: 'Slovakia', SI: 'Slovenia',
  ES: 'Spain', SE: 'Sweden',
};

const COUNTRY_NAMES = {
  US: 'United States', CA: 'Canada', AU: 'Australia', GB: 'United Kingdom',
  UK: 'United Kingdom', ...EU_COUNTRIES,
};

// First three ZIP digits → state (ranges inclusive). Coarse but good enough to
// answer GET /v2/rates/:zip when no `state` query parameter is given.
const ZIP3 = [
  [5, 5, 'NY'], [6, 9, 'PR'], [10, 27, 'MA'], [28, 29, 'RI'], [30, 38, 'NH'],
  [39, 49, 'ME'], [50, 59, 'VT'], [60, 69, 'CT'], [70, 89, 'NJ'], [100, 149, 'NY'],
  [150, 196, 'PA'], [197, 199, 'DE'], [200, 205, 'DC'], [206, 219, 'MD'],
  [220, 246, 'VA'], [247, 268, 'WV'], [270, 289, 'NC'], [290, 299, 'SC'],
  [300, 319, 'GA'], [320, 349, 'FL'], [350, 369, 'AL'], [370, 385, 'TN'],
  [386, 397, 'MS'], [398, 399, 'GA'], [400, 427, 'KY'], [430, 459, 'OH'],
  [460, 479, 'IN'], [480, 499, 'MI'], [500, 528, 'IA'], [530, 549, 'WI'],
  [550, 567, 'MN'], [569, 569, 'DC'], [570, 577, 'SD'], [580, 588, 'ND'],
  [590, 599, 'MT'], [600, 629, 'IL'], [630, 658, 'MO'], [660, 679, 'KS'],
  [680, 693, 'NE'], [700, 715, 'LA'], [716, 729, 'AR'], [730, 732, 'OK'],
  [733, 733, 'TX'], [734, 749, 'OK'], [750, 799, 'TX'], [800, 816, 'CO'],
  [820, 831, 'WY'], [832, 838, 'ID'], [840, 847, 'UT'], [850, 865, 'AZ'],
  [870, 884, 'NM'], [885, 885, 'TX'], [889, 898, 'NV'], [900, 961, 'CA'],
  [967, 968, 'HI'], [970, 979, 'OR'], [980, 994, 'WA'], [995, 999, 'AK'],
];

export const US_ZIP_RE = /^\d{5}(-?\d{4})?$/;

/** State code for a US ZIP, or null when unknown. */
export function stateForZip(zip) {
  if (!US_ZIP_RE.test(String(zip ?? ''))) return null;
  const z3 = Number(String(zip).slice(0, 3));
  const hit = ZIP3.find(([lo, hi]) => z3 >= lo && z3 <= hi);
  return hit ? hit[2] : null;
}

export function countryName(code) {
  return COUNTRY_NAMES[code] ?? code;
}

export function regionName(country, region) {
  if (country === 'US') return US_STATES[region] ?? region;
  if (country === 'CA') return CA_PROVINCES[region] ?? region;
  return region ?? null;
}

/**
 * Normalise configured nexus regions to TaxJar's shape
 * `{ country_code, country, region_code, region }`. Accepts such objects
 * (names optional), `"US-CA"` strings, or bare `"CA"` meaning a US state.
 */
export function normalizeRegions(list) {
  return list.map((r) => {
    let countryCode;
    let regionCode;
    if (typeof r === 'string') {
      const parts = r.toUpperCase().split('-');
      [countryCode, regionCode] = parts.length > 1 ? parts : ['US', parts[0]];
    } else {
      countryCode = String(r.country_code ?? r.country ?? 'US').toUpperCase();
      regionCode = r.region_code ?? r.state ?? r.region ?? null;
      regionCode = regionCode == null ? null : String(regionCode).toUpperCase();
    }
    const base = typeof r === 'object' ? r : {};
    return {
      country_code: countryCode,
      country: base.country && base.country_code ? base.country : countryName(countryCode),
      region_code: regionCode,
      region: base.region && base.region_code ? base.region : regionName(countryCode, regionCode),
    };
  });
}
