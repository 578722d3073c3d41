// The demo storefront: a product list, a cart, a delivery form and the
// <edgetax-estimate> widget. Every change builds a new cart for the widget,
// which debounces, estimates through the edgetax Worker and shows the tax.
// Money here is integer cents; the widget's figures come from the Estimate.

const $ = (sel, root = document) => root.querySelector(sel);

// ---- catalog -----------------------------------------------------------------

const ART = {
  shoe: `<path d="M17 76c0-5 4-9 9-9h13l11-15c3-4 9-5 13-2l7 5c6 5 14 8 22 9l6 1c6 1 10 6 10 12v3H17Z" fill="#e4572e"/>
    <path d="M52 56l6 5M57 51l6 5M62 47l6 4" stroke="#fff3ec" stroke-width="3" stroke-linecap="round"/>
    <path d="M16 80h92v5a7 7 0 0 1-7 7H23a7 7 0 0 1-7-7Z" fill="#2d3142"/>
    <path d="M24 86h8M40 86h8M56 86h8M72 86h8M88 86h8" stroke="#575d73" stroke-width="3" stroke-linecap="round"/>`,
  socks: `<path d="M40 18h26v44c0 4 2 7 5 9l11 8c7 5 8 14 3 20s-13 7-19 3L42 88c-7-4-10-11-10-18V18Z" transform="translate(6 0)" fill="#6a4c93"/>
    <rect x="44" y="18" width="28" height="12" rx="3" fill="#4b3469"/>
    <path d="M46 40h24M46 48h24" stroke="#b8a1d9" stroke-width="3"/>
    <path d="M78 86c4-1 8 1 10 4" stroke="#b8a1d9" stroke-width="5" stroke-linecap="round" fill="none"/>`,
  jacket: `<path d="M44 24l16 9 16-9 18 10 9 32-13 4-4-12v46H40V58l-4 12-13-4 9-32Z" fill="#2f6690"/>
    <path d="M60 34v64" stroke="#1d4e6f" stroke-width="3"/>
    <path d="M44 24c3 9 9 13 16 13s13-4 16-13" fill="none" stroke="#1d4e6f" stroke-width="3"/>
    <path d="M46 68h8M66 68h8" stroke="#a9cce3" stroke-width="3" stroke-linecap="round"/>`,
  bottle: `<rect x="46" y="18" width="28" height="14" rx="4" fill="#22333b"/>
    <rect x="42" y="30" width="36" height="72" rx="13" fill="#2a9d8f"/>
    <rect x="42" y="56" width="36" height="12" fill="#ffffff" opacity=".35"/>
    <rect x="50" y="38" width="6" height="14" rx="3" fill="#ffffff" opacity=".4"/>`,
  headlamp: `<ellipse cx="60" cy="64" rx="40" ry="17" fill="none" stroke="#3d4a43" stroke-width="8"/>
    <circle cx="58" cy="63" r="26" fill="#ffe08a" opacity=".35"/>
    <rect x="38" y="48" width="40" height="30" rx="9" fill="#f2a541"/>
    <rect x="38" y="48" width="40" height="8" rx="4" fill="#d98c2b"/>
    <circle cx="58" cy="65" r="9" fill="#fff4d6"/>
    <circle cx="58" cy="65" r="4.5" fill="#ffe08a"/>`,
  trailmix: `<path d="M36 32h48l6 64a7 7 0 0 1-7 7H37a7 7 0 0 1-7-7Z" fill="#c08552"/>
    <rect x="34" y="24" width="52" height="11" rx="3" fill="#8c5a3c"/>
    <rect x="42" y="54" width="36" height="30" rx="6" fill="#f3e9dc"/>
    <circle cx="52" cy="64" r="4" fill="#8c5a3c"/><circle cx="62" cy="72" r="4" fill="#e4572e"/>
    <circle cx="69" cy="62" r="3.5" fill="#c08552"/><circle cx="54" cy="76" r="3" fill="#2d3142"/>`,
};

const PRODUCTS = [
  { id: "trail-runner", name: "Trail Runner", blurb: "Light, grippy and ready for dirt or pavement.", cents: 6499, taxCode: "20010", category: "Clothing", art: "shoe", bg: "#fde8df" },
  { id: "merino-socks", name: "Merino Hiking Socks", blurb: "Cushioned merino wool, two pairs.", cents: 1800, taxCode: "20010", category: "Clothing", art: "socks", bg: "#ece5f6" },
  { id: "rain-shell", name: "Packable Rain Shell", blurb: "Waterproof, breathable, folds into its pocket.", cents: 11900, taxCode: "20010", category: "Clothing", art: "jacket", bg: "#e1edf6" },
  { id: "bottle", name: "Insulated Bottle", blurb: "750 ml, cold for a day, hot for twelve hours.", cents: 2499, taxCode: null, category: "General", art: "bottle", bg: "#dff3ef" },
  { id: "headlamp", name: "Rechargeable Headlamp", blurb: "400 lumens, USB-C, rain-proof.", cents: 3995, taxCode: null, category: "General", art: "headlamp", bg: "#fdf0d9" },
  { id: "trail-mix", name: "Trail Mix, 6-pack", blurb: "Nuts, fruit and dark chocolate.", cents: 1450, taxCode: "40030", category: "Groceries", art: "trailmix", bg: "#f4eadf" },
];
const BY_ID = new Map(PRODUCTS.map((p) => [p.id, p]));

/** Where the store ships from (the order's origin for TaxJar). */
const ORIGIN = { from_country: "US", from_zip: "92093", from_state: "CA", from_city: "La Jolla", from_street: "9500 Gilman Drive" };

const SHIPPING = { free: 0, standard: 599 };
const CODES = {
  SAVE10: { label: "$10 off your order", amount: (subtotal) => Math.min(1000, subtotal) },
  HALF: { label: "50% off your order", amount: (subtotal) => Math.round(subtotal / 2) },
};

const US_STATES = [
  ["AL", "Alabama"], ["AK", "Alaska"], ["AZ", "Arizona"], ["AR", "Arkansas"], ["CA", "California"], ["CO", "Colorado"],
  ["CT", "Connecticut"], ["DE", "Delaware"], ["DC", "District of Columbia"], ["FL", "Florida"], ["GA", "Georgia"],
  ["HI", "Hawaii"], ["ID", "Idaho"], ["IL", "Illinois"], ["IN", "Indiana"], ["IA", "Iowa"], ["KS", "Kansas"],
  ["KY", "Kentucky"], ["LA", "Louisiana"], ["ME", "Maine"], ["MD", "Maryland"], ["MA", "Massachusetts"],
  ["MI", "Michigan"], ["MN", "Minnesota"], ["MS", "Mississippi"], ["MO", "Missouri"], ["MT", "Montana"],
  ["NE", "Nebraska"], ["NV", "Nevada"], ["NH", "New Hampshire"], ["NJ", "New Jersey"], ["NM", "New Mexico"],
  ["NY", "New York"], ["NC", "North Carolina"], ["ND", "North Dakota"], ["OH", "Ohio"], ["OK", "Oklahoma"],
  ["OR", "Oregon"], ["PA", "Pennsylvania"], ["RI", "Rhode Island"], ["SC", "South Carolina"], ["SD", "South Dakota"],
  ["TN", "Tennessee"], ["TX", "Texas"], ["UT", "Utah"], ["VT", "Vermont"], ["VA", "Virginia"], ["WA", "Washington"],
  ["WV", "West Virginia"], ["WI", "Wisconsin"], ["WY", "Wyoming"],
];
const CA_PROVINCES = [
  ["AB", "Alberta"], ["BC", "British Columbia"], ["MB", "Manitoba"], ["NB", "New Brunswick"],
  ["NL", "Newfoundland and Labrador"], ["NS", "Nova Scotia"], ["NT", "Northwest Territories"], ["NU", "Nunavut"],
  ["ON", "Ontario"], ["PE", "Prince Edward Island"], ["QC", "Quebec"], ["SK", "Saskatchewan"], ["YT", "Yukon"],
];

// ---- state -------------------------------------------------------------------

const state = {
  qty: new Map([["trail-runner", 1], ["bottle", 2]]),
  code: null,
  shipping: "standard",
  exempt: false,
  /** The signed customer context of the exempt customer, from the demo's server. */
  context: null,
  address: { country: "US", state: "CA", zip: "90002", city: "Los Angeles", street: "1335 E 103rd St" },
};

// ---- money -------------------------------------------------------------------

const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
/** Integer cents as a decimal string ("64.99"). */
const decimal = (cents) => `${cents < 0 ? "-" : ""}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, "0")}`;
const fmt = (cents) => money.format(decimal(cents));

function totals() {
  let subtotal = 0;
  let count = 0;
  for (const [id, qty] of state.qty) {
    subtotal += BY_ID.get(id).cents * qty;
    count += qty;
  }
  const code = state.code ? CODES[state.code] : null;
  const discount = code && subtotal > 0 ? code.amount(subtotal) : 0;
  const shipping = count > 0 ? SHIPPING[state.shipping] : 0;
  return { subtotal, discount, shipping, count };
}

/** The cart for the widget, in TaxJar's field names. */
function buildCart() {
  const t = totals();
  const a = state.address;
  const cart = {
    ...ORIGIN,
    to_country: a.country,
    to_zip: a.zip.trim(),
    to_state: a.state,
    shipping: decimal(t.shipping),
    line_items: [...state.qty].map(([id, qty]) => {
      const p = BY_ID.get(id);
      const line = { id, description: p.name, quantity: qty, unit_price: decimal(p.cents) };
      if (p.taxCode) line.product_tax_code = p.taxCode;
      return line;
    }),
  };
  if (a.city.trim()) cart.to_city = a.city.trim();
  if (a.street.trim()) cart.to_street = a.street.trim();
  if (t.discount > 0) cart.order_discount = decimal(t.discount);
  // The Worker refuses a bare exemption_type from browsers: the exemption
  // comes signed by the store's server, as the cart's customer_context.
  if (state.exempt && state.context) cart.customer_context = state.context;
  return cart;
}

// ---- rendering -------------------------------------------------------------------

const els = {
  products: $("#products"),
  cart: $("#cart"),
  cartEmpty: $("#cart-empty"),
  itemCount: $("#item-count"),
  cartCount: $("#cart-count"),
  subtotal: $("#sum-subtotal"),
  discountRow: $("#sum-discount-row"),
  discount: $("#sum-discount"),
  discountCode: $("#sum-discount-code"),
  shipping: $("#sum-shipping"),
  tax: $("#tax"),
  checkout: $("#checkout"),
  checkoutLabel: $("#checkout-label"),
  toast: $("#toast"),
};

const artSvg = (p, cls) =>
  `<svg class="${cls}" viewBox="0 0 120 120" aria-hidden="true" style="background:${p.bg}">${ART[p.art]}</svg>`;

function renderProducts() {
  els.products.innerHTML = PRODUCTS.map((p) => `
    <li class="product" data-product="${p.id}">
      <div class="product-media">
        ${artSvg(p, "product-art")}
        <span class="in-cart-chip" hidden></span>
      </div>
      <div class="product-body">
        <h3>${p.name}</h3>
        <p class="blurb">${p.blurb}</p>
        <span class="tag" title="${p.taxCode ? `TaxJar product_tax_code ${p.taxCode}` : "Fully taxable (no product_tax_code)"}">${p.category}${p.taxCode ? ` · tax code ${p.taxCode}` : ""}</span>
        <div class="product-foot">
          <span class="price">${fmt(p.cents)}</span>
          <button type="button" class="btn btn-add" data-add="${p.id}" aria-label="Add ${p.name} to cart">Add to cart</button>
        </div>
      </div>
    </li>`).join("");
}

function renderCart() {
  const focused = document.activeElement?.dataset?.focusKey;
  const lines = [...state.qty];
  els.cart.innerHTML = lines.map(([id, qty]) => {
    const p = BY_ID.get(id);
    return `
    <li class="cart-line" data-line="${id}">
      ${artSvg(p, "thumb")}
      <div class="cart-info">
        <span class="cart-name">${p.name}</span>
        <span class="muted">${fmt(p.cents)} each</span>
        <div class="cart-controls">
          <div class="stepper" role="group" aria-label="Quantity of ${p.name}">
            <button type="button" data-dec="${id}" data-focus-key="dec-${id}" aria-label="Decrease quantity of ${p.name}" ${qty <= 1 ? "disabled" : ""}>−</button>
            <output aria-live="polite" aria-label="Quantity of ${p.name}" data-qty="${id}">${qty}</output>
            <button type="button" data-inc="${id}" data-focus-key="inc-${id}" aria-label="Increase quantity of ${p.name}" ${qty >= 99 ? "disabled" : ""}>+</button>
          </div>
          <button type="button" class="link remove" data-remove="${id}" aria-label="Remove ${p.name}">Remove</button>
        </div>
      </div>
      <span class="cart-total">${fmt(p.cents * qty)}</span>
    </li>`;
  }).join("");
  els.cartEmpty.hidden = lines.length > 0;
  if (focused) els.cart.querySelector(`[data-focus-key="${focused}"]:not(:disabled)`)?.focus();

  for (const btn of els.products.querySelectorAll("[data-add]")) {
    const inCart = state.qty.get(btn.dataset.add) ?? 0;
    btn.textContent = inCart ? "Add another" : "Add to cart";
    btn.classList.toggle("in-cart", inCart > 0);
    const chip = btn.closest(".product").querySelector(".in-cart-chip");
    chip.hidden = inCart === 0;
    chip.textContent = `${inCart} in cart`;
  }
}

function renderSummary() {
  const t = totals();
  els.itemCount.textContent = t.count === 1 ? "1 item" : `${t.count} items`;
  els.cartCount.textContent = String(t.count);
  els.subtotal.textContent = fmt(t.subtotal);
  els.discountRow.hidden = t.discount === 0;
  els.discount.textContent = `−${fmt(t.discount)}`;
  els.discountCode.textContent = state.code ?? "";
  els.shipping.textContent = t.count === 0 ? "—" : t.shipping === 0 ? "Free" : fmt(t.shipping);
  els.checkout.disabled = t.count === 0;
}

function update() {
  renderCart();
  renderSummary();
  els.tax.cart = state.qty.size ? buildCart() : null;
  setCheckoutLabel();
}

function setCheckoutLabel() {
  const total = els.tax.status === "ready" ? els.tax.orderTotal : null;
  els.checkoutLabel.textContent = total ? `Place order · ${money.format(total)}` : "Place order";
}

let toastTimer = 0;
function toast(text) {
  els.toast.textContent = text;
  els.toast.hidden = false;
  els.toast.classList.remove("show");
  void els.toast.offsetWidth;
  els.toast.classList.add("show");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    els.toast.classList.remove("show");
    els.toast.hidden = true;
  }, 2600);
}

// ---- address form ----------------------------------------------------------------

const form = {
  street: $("#street"),
  city: $("#city"),
  country: $("#country"),
  state: $("#state"),
  zip: $("#zip"),
  stateLabel: $("#state-label"),
  zipLabel: $("#zip-label"),
};

function fillRegions(country, selected) {
  const list = country === "CA" ? CA_PROVINCES : US_STATES;
  const word = country === "CA" ? "province" : "state";
  form.state.innerHTML = `<option value="">Select a ${word}</option>` +
    list.map(([code, name]) => `<option value="${code}"${code === selected ? " selected" : ""}>${name}</option>`).join("");
  form.stateLabel.textContent = country === "CA" ? "Province" : "State";
  form.zipLabel.textContent = country === "CA" ? "Postal code" : "ZIP code";
  form.zip.placeholder = country === "CA" ? "M5V 2T6" : "90002";
  form.zip.inputMode = country === "CA" ? "text" : "numeric";
  form.zip.autocapitalize = country === "CA" ? "characters" : "off";
}

function readAddress() {
  state.address = {
    country: form.country.value,
    state: form.state.value,
    zip: form.zip.value,
    city: form.city.value,
    street: form.street.value,
  };
}

function initForm() {
  const a = state.address;
  form.street.value = a.street;
  form.city.value = a.city;
  form.country.value = a.country;
  fillRegions(a.country, a.state);
  form.zip.value = a.zip;
  for (const input of [form.street, form.city, form.zip, form.state]) {
    input.addEventListener("input", () => {
      readAddress();
      update();
    });
  }
  form.country.addEventListener("change", () => {
    fillRegions(form.country.value, "");
    form.zip.value = "";
    readAddress();
    update();
  });
  $("#address-form").addEventListener("submit", (e) => e.preventDefault());
  for (const radio of document.querySelectorAll('input[name="shipping"]')) {
    radio.checked = radio.value === state.shipping;
    radio.addEventListener("change", () => {
      state.shipping = radio.value;
      update();
    });
  }
  const exempt = $("#exempt");
  exempt.checked = state.exempt;
  exempt.addEventListener("change", async () => {
    state.exempt = exempt.checked;
    if (state.exempt) state.context = await customerContext();
    update();
  });
}

/**
 * A wholesale customer's context, signed by the demo's server (a real store
 * signs it for the logged-in customer with `customerContext` from edgetax/server).
 * Asked each time the switch turns on, so it never runs out.
 */
async function customerContext() {
  try {
    const res = await fetch("/demo-customer-context.json", { cache: "no-store" });
    return res.ok ? (await res.json()).customer_context : null;
  } catch {
    return null;
  }
}

// ---- discount ------------------------------------------------------------------

function initDiscount() {
  const input = $("#discount-code");
  const msg = $("#discount-msg");
  $("#discount-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const code = input.value.trim().toUpperCase();
    if (!code) {
      msg.textContent = "Enter a code.";
      msg.className = "discount-msg error";
      return;
    }
    if (!CODES[code]) {
      msg.textContent = `“${code}” isn't a valid code. Try SAVE10 or HALF.`;
      msg.className = "discount-msg error";
      return;
    }
    state.code = code;
    input.value = "";
    msg.innerHTML = "";
    const chip = document.createElement("span");
    chip.className = "applied";
    chip.innerHTML = `<strong></strong> <span></span> <button type="button" class="link" aria-label="Remove discount code">Remove</button>`;
    chip.querySelector("strong").textContent = code;
    chip.querySelector("span").textContent = `· ${CODES[code].label}`;
    chip.querySelector("button").addEventListener("click", () => {
      state.code = null;
      msg.textContent = "";
      msg.className = "discount-msg";
      update();
    });
    msg.append(chip);
    msg.className = "discount-msg ok";
    update();
  });
}

// ---- cart events -----------------------------------------------------------------

function initCart() {
  els.products.addEventListener("click", (e) => {
    const id = e.target.closest("[data-add]")?.dataset.add;
    if (!id) return;
    state.qty.set(id, Math.min(99, (state.qty.get(id) ?? 0) + 1));
    toast(`Added ${BY_ID.get(id).name} to your cart`);
    update();
  });
  els.cart.addEventListener("click", (e) => {
    const btn = e.target.closest("button");
    if (!btn) return;
    const { inc, dec, remove } = btn.dataset;
    if (inc) state.qty.set(inc, Math.min(99, state.qty.get(inc) + 1));
    else if (dec) state.qty.set(dec, Math.max(1, state.qty.get(dec) - 1));
    else if (remove) state.qty.delete(remove);
    else return;
    update();
  });
  els.checkout.addEventListener("click", () => {
    const total = els.tax.status === "ready" ? els.tax.orderTotal : null;
    toast(total ? `Demo store: no order placed (it would have been ${money.format(total)}).` : "Demo store: no order placed.");
  });
  els.tax.addEventListener("edgetax:estimate", setCheckoutLabel);
  els.tax.addEventListener("edgetax:error", setCheckoutLabel);
}

// ---- start -------------------------------------------------------------------

async function loadConfig() {
  const pill = $("#data-source");
  const footer = $("#footer-source");
  try {
    const res = await fetch("/demo-config.json", { cache: "no-store" });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const config = await res.json();
    pill.hidden = false;
    const fine = $("#fine-print");
    if (config.mode === "fake" || (config.mode === undefined && config.sandbox)) {
      pill.textContent = "Sandbox data";
      pill.title = "Tax comes from a local TaxJar fake: there is no TAXJAR_API_TOKEN in worker/.dev.vars";
      pill.classList.add("sandbox");
      footer.textContent = "tax figures are sandbox data from a local TaxJar fake.";
      fine.innerHTML = "<strong>Sandbox data:</strong> tax comes from a local TaxJar fake, not live rates.";
    } else if (config.mode === "offline") {
      pill.textContent = "Offline estimates";
      pill.title = "No TaxJar token: the Worker answers with backup estimates from published rates";
      pill.classList.add("sandbox");
      footer.textContent = "tax figures are backup estimates (no TaxJar token).";
      fine.innerHTML = "<strong>Estimates:</strong> no TaxJar token is set, so tax comes from published rates.";
    } else {
      pill.textContent = "Live TaxJar";
      pill.title = "Tax comes from TaxJar, with the token in worker/.dev.vars";
      pill.classList.add("live");
      footer.textContent = "tax figures come from TaxJar.";
    }
    return config;
  } catch (err) {
    footer.textContent = "the tax service is not configured (start the demo with `make demo`).";
    return null;
  }
}

renderProducts();
initForm();
initDiscount();
initCart();
const [config] = await Promise.all([loadConfig(), customElements.whenDefined("edgetax-estimate")]);
if (config?.apiUrl) els.tax.setAttribute("api-url", config.apiUrl);
update();
