// The reference's example answers of the original Smart Sales Tax API
// (shared/seeds/002_...txt), served by legacy-upstream.mjs and expected by
// legacy.test.js. Plain data: importable in Node and in workerd.

export const STANDARD = {
  taxable_amount: 28.92,
  amount_to_collect: 0.83,
  rate: 0.083,
  has_nexus: true,
  freight_taxable: false,
  tax_source: "origin",
};

export const ENHANCED = {
  order_total_amount: 215.3,
  amount_to_collect: 15.63,
  has_nexus: true,
  freight_taxable: true,
  tax_source: "destination",
  breakdown: {
    shipping: {
      state_amount: 0.22, state_sales_tax_rate: 0.04, county_amount: 0.22, county_tax_rate: 0.04,
      city_amount: 0, city_tax_rate: 0, special_district_amount: 0.02, special_tax_rate: 0.00375,
    },
    items: {
      awesomepants: {
        state_taxable_amount: 150, state_sales_tax_rate: 0.04, county_taxable_amount: 150, county_tax_rate: 0.04,
        city_taxable_amount: 0, city_tax_rate: 0, special_district_taxable_amount: 150, special_tax_rate: 0.00375,
      },
      tshirt: {
        state_taxable_amount: 0, state_sales_tax_rate: 0, county_taxable_amount: 59.85, county_tax_rate: 0.04,
        city_taxable_amount: 0, city_tax_rate: 0, special_district_taxable_amount: 59.85, special_tax_rate: 0.00375,
      },
    },
    state_taxable_amount: 155.45, state_tax_collectable: 6.22, county_taxable_amount: 215.3,
    county_tax_collectable: 8.61, city_taxable_amount: 0, city_tax_collectable: 0,
    special_district_taxable_amount: 215.3, special_district_tax_collectable: 0.8,
  },
};

// The reference lists the categories as a table and shows no body.
export const CATEGORIES = {
  categories: [
    ["99999", "Other Exempt, item is to be treated as always exempt."],
    ["20010", "Clothing; normal clothing for human use."],
    ["40030", "Food & Groceries; uncooked or unheated food for human consumption"],
    ["51020", "Prescription drugs; for human use"],
    ["51010", "Non-prescription drugs; for human use"],
    ["31000", "Digital Goods"],
    ["30070", "Software as a Service"],
  ].map(([product_tax_code, description]) => ({ product_tax_code, description })),
};

export const LOCATION = {
  location: {
    state: "NJ", zip: "07446", state_rate: "0.07", city: "RAMSEY", city_rate: "0.0", county: "BERGEN",
    county_rate: "0.0", combined_district_rate: "0.0", combined_rate: "0.07",
  },
};
