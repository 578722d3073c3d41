// The console page: sign in, the connection to TaxJar (status, test, paste
// a token), the settings, sign out. No framework; the session cookie is
// HttpOnly, so this script only ever holds the CSRF token, which it sends
// as x-csrf-token on changes.
const $ = (id) => document.getElementById(id);
let csrf = null;
let loaded = new Map(); // setting name → value as last loaded

const LABELS = {
  calculations_enabled: ["Tax calculations", "Off: the Worker answers /v2/taxes with 503, and shoppers see no tax figure."],
  reporting_enabled: ["Reporting (Transaction Sync)", "Off: /sync/*, transactions and customers answer 503."],
  backup_estimates: ["Backup estimates", "When TaxJar cannot answer, estimate from the kept summary rates (flagged as estimated)."],
  logging_enabled: ["Logs for support", "Each request the Worker answers is kept in the LOGS D1 database (below), bodies included; the API token never is."],
  log_retention_days: ["Log retention (days)", "The daily cron deletes older entries; 1 to 90."],
  allowed_origins: ["Allowed shop origins", "The pages that may ask for tax: one origin per line, such as https://shop.example."],
  plugin: ["Plugin tag", "Sent to TaxJar as plugin, for partner tracking. Empty sends none."],
  store_url: ["Store URL", "Sent to TaxJar as Referer, for partner tracking."],
  cache_ttl_seconds: ["Cache lifetime (seconds)", "How long a tax answer is kept at the edge; 0 keeps none."],
  rate_limit: ["Rate limit (requests per minute per caller)", "0 turns the limit off."],
};
const SOURCES = { console: "this console", "wrangler.toml": "a wrangler.toml var", default: "the default" };

function say(text, error = false) {
  $("message").textContent = text;
  $("message").classList.toggle("error", error);
}

async function api(method, path, body) {
  const headers = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (csrf && method !== "GET") headers["x-csrf-token"] = csrf;
  const res = await fetch(`/console/api/${path}`, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let json = null;
  try {
    json = await res.json();
  } catch {
    // not JSON
  }
  return { res, json };
}

function showSignIn() {
  csrf = null;
  $("signed-in").hidden = true;
  $("signin").hidden = false;
}

async function showStatus() {
  const { res, json } = await api("GET", "status");
  if (!res.ok) return false;
  const token = json.api_token;
  let text = "not configured";
  if (token.source === "secret") text = "configured (TAXJAR_API_TOKEN secret)";
  if (token.source === "console") text = `pasted here, ending in ${token.last4}`;
  if (token.pasted_ignored) text += "; the TAXJAR_API_TOKEN secret wins over the pasted token";
  $("token").textContent = text;
  $("environment").textContent = json.environment === "custom" ? `custom (${json.api_host})` : json.environment;
  $("forget-token").hidden = !(token.source === "console" || token.pasted_ignored);
  return true;
}

function shown(setting) {
  const v = setting.value;
  if (setting.kind === "flag") return v ? "on" : "off";
  if (setting.kind === "list") return v.length ? v.join(", ") : "none";
  return v === "" ? "empty" : String(v);
}

function field(setting) {
  const [label, help] = LABELS[setting.name] ?? [setting.name, ""];
  const id = `set-${setting.name}`;
  const wrap = document.createElement("div");
  wrap.className = "field";
  let input;
  if (setting.kind === "flag") {
    const row = document.createElement("label");
    row.className = "switch";
    input = document.createElement("input");
    input.type = "checkbox";
    input.setAttribute("role", "switch");
    input.checked = setting.value;
    row.append(input, label);
    wrap.append(row);
  } else {
    const l = document.createElement("label");
    l.htmlFor = id;
    l.textContent = label;
    input = document.createElement(setting.kind === "list" ? "textarea" : "input");
    if (setting.kind === "number") {
      input.type = "number";
      input.min = "0";
      input.inputMode = "numeric";
    } else if (setting.kind === "text") {
      input.type = setting.name === "store_url" ? "url" : "text";
    }
    input.value = setting.kind === "list" ? setting.value.join("\n") : String(setting.value);
    wrap.append(l, input);
  }
  input.id = id;
  input.name = setting.name;
  const helpText = document.createElement("p");
  helpText.className = "muted";
  helpText.id = `${id}-help`;
  helpText.textContent = help;
  const source = document.createElement("p");
  source.className = "source";
  source.id = `${id}-source`;
  const from = document.createElement("strong");
  from.textContent = SOURCES[setting.source];
  source.append("From ", from, ` (var ${setting.var}; default ${shown({ ...setting, value: setting.default })}).`);
  const error = document.createElement("p");
  error.className = "field-error";
  error.id = `${id}-error`;
  input.setAttribute("aria-describedby", `${id}-help ${id}-source ${id}-error`);
  wrap.append(helpText, source, error);
  if (setting.source === "console") {
    const reset = document.createElement("button");
    reset.type = "button";
    reset.className = "secondary reset";
    reset.textContent = `Reset ${label.toLowerCase()}`;
    reset.addEventListener("click", () => save({ [setting.name]: null }, input));
    wrap.append(reset);
  }
  return wrap;
}

function render(settings) {
  loaded = new Map(settings.map((s) => [s.name, s]));
  $("fields").replaceChildren(...settings.map(field));
}

async function showSettings() {
  const { res, json } = await api("GET", "settings");
  if (!res.ok) return false;
  $("reload").textContent = String(json.reload_seconds);
  render(json.settings);
  return true;
}

function valueOf(setting) {
  const input = $(`set-${setting.name}`);
  if (setting.kind === "flag") return input.checked;
  if (setting.kind === "list") return input.value.split(/[\s,]+/).filter(Boolean);
  if (setting.kind === "number") return input.value.trim() === "" ? input.value : Number(input.value);
  return input.value;
}

async function save(changes, focusAfter) {
  for (const el of document.querySelectorAll(".field-error")) el.textContent = "";
  for (const el of document.querySelectorAll(".invalid")) el.classList.remove("invalid");
  if (!Object.keys(changes).length) return say("Nothing to save: no setting was changed.");
  const { res, json } = await api("PUT", "settings", changes);
  if (res.ok) {
    render(json.settings);
    say(`Saved: ${Object.keys(changes).map((n) => (LABELS[n] ?? [n])[0]).join(", ")}.`);
    const again = focusAfter && $(focusAfter.id);
    if (again) again.focus();
    return;
  }
  const name = json?.field?.replace(/\[\d+\]$/, "");
  const input = name && $(`set-${name}`);
  if (input) {
    $(`set-${name}-error`).textContent = json.detail;
    input.classList.add("invalid");
    input.setAttribute("aria-invalid", "true");
    input.focus();
  }
  say(res.status === 401 ? "Your session ended. Sign in again." : `Not saved: ${json?.detail ?? res.status}`, true);
  if (res.status === 401) showSignIn();
}

// Nexus: the regions the Worker answers, the sync, and the addresses.
let addresses = [];
let editing = null; // index of the address in the form, or null for a new one
const ADDRESS_FIELDS = ["country", "state", "zip", "city", "street"];
const NEXUS_SOURCES = {
  synced: "Synced from TaxJar.",
  nexus_addresses: "From your nexus addresses below (not synced from TaxJar yet).",
  offline: "No API token: backup estimates assume nexus in every region listed.",
  taxjar: "Not synced yet: the Worker asks TaxJar for them on each request. Sync to keep them here.",
};

function addressText(a) {
  return [a.street, a.city, [a.state, a.zip].filter(Boolean).join(" "), a.country].filter(Boolean).join(", ");
}

function renderNexus(json) {
  $("nexus-source").textContent = NEXUS_SOURCES[json.source] ?? "";
  const regions = (json.regions ?? []).map((r) => {
    const li = document.createElement("li");
    li.textContent = r.region ? `${r.region} (${r.country_code}-${r.region_code})` : [r.country_code, r.region_code].filter(Boolean).join("-");
    return li;
  });
  $("regions").replaceChildren(...regions);
  $("regions").hidden = regions.length === 0;
  $("synced-at").textContent = json.synced_at ? `Last synced ${new Date(json.synced_at * 1000).toLocaleString("en-US", { timeZone: "UTC" })} UTC.` : "Never synced.";
  addresses = json.nexus_addresses;
  $("addresses").replaceChildren(...addresses.map((a, i) => {
    const li = document.createElement("li");
    const text = document.createElement("span");
    text.textContent = addressText(a);
    const edit = document.createElement("button");
    edit.type = "button";
    edit.className = "secondary reset";
    edit.textContent = "Edit";
    edit.setAttribute("aria-label", `Edit ${addressText(a)}`);
    edit.addEventListener("click", () => editAddress(i));
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "secondary reset";
    remove.textContent = "Remove";
    remove.setAttribute("aria-label", `Remove ${addressText(a)}`);
    remove.addEventListener("click", () => saveAddresses(addresses.filter((_, j) => j !== i), "Address removed.", $("addr-country")));
    li.append(text, edit, remove);
    return li;
  }));
}

function editAddress(index) {
  editing = index;
  for (const f of ADDRESS_FIELDS) $(`addr-${f}`).value = index === null ? (f === "country" ? "US" : "") : (addresses[index][f] ?? "");
  $("address-legend").textContent = index === null ? "Add a nexus address" : "Edit the nexus address";
  $("address-save").textContent = index === null ? "Add address" : "Save address";
  $("address-cancel").hidden = index === null;
  $("addr-country").focus();
}

async function saveAddresses(list, done, focusAfter) {
  const { res, json } = await api("PUT", "nexus/addresses", { nexus_addresses: list });
  if (res.ok) {
    renderNexus(json);
    say(done);
    editAddress(null);
    if (focusAfter) focusAfter.focus();
    return;
  }
  // e.g. nexus_addresses[1].zip: the form's field, when it is the address in the form.
  const match = /^nexus_addresses\[(\d+)\]\.(\w+)$/.exec(json?.field ?? "");
  say(`Not saved: ${json?.detail ?? res.status}`, true);
  if (match && ADDRESS_FIELDS.includes(match[2])) $(`addr-${match[2]}`).focus();
}

async function showNexus() {
  const { res, json } = await api("GET", "nexus");
  if (!res.ok) return false;
  renderNexus(json);
  return true;
}

// Savings: a stacked bar per day, drawn as plain SVG.
const SVG = "http://www.w3.org/2000/svg";
const PARTS = ["cache", "skips", "backups", "billed", "other"];

function svg(name, attrs) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

function renderSavings(json) {
  const month = json.month_to_date;
  $("billed-month").textContent = `${month.billed} of ${month.requests} tax requests (${month.month})`;
  $("free-share").textContent = month.free_percent === null ? "no tax requests yet this month" : `${month.free_percent}% (${month.free} requests)`;
  const days = json.days.map((d) => ({ ...d, other: d.requests - d.cache - d.skips - d.backups - d.billed }));
  const max = Math.max(1, ...days.map((d) => d.requests));
  const [w, h, pad] = [600, 180, 22];
  const step = (w - pad) / days.length;
  const chart = svg("svg", { viewBox: `0 0 ${w} ${h + 16}`, role: "img", "aria-labelledby": "chart-title" });
  const title = svg("title", { id: "chart-title" });
  const total = days.reduce((t, d) => t + d.requests, 0);
  const billed = days.reduce((t, d) => t + d.billed, 0);
  title.textContent = `Tax requests per day for 30 days: ${total} requests, ${billed} billed TaxJar calls.`;
  chart.append(title, svg("line", { x1: pad, y1: h, x2: w, y2: h, stroke: "#d5d2c8" }));
  const top = svg("text", { x: 0, y: 10, class: "axis" });
  top.textContent = String(max);
  chart.append(top);
  days.forEach((d, i) => {
    let y = h;
    for (const part of PARTS) {
      if (!d[part]) continue;
      const height = (d[part] / max) * (h - 12);
      y -= height;
      chart.append(svg("rect", { x: pad + i * step + 1, y, width: Math.max(1, step - 2), height, class: `bar-${part}` }));
    }
    if (i % 7 === 0 || i === days.length - 1) {
      const label = svg("text", { x: pad + i * step, y: h + 13, class: "axis" });
      label.textContent = d.day.slice(5);
      chart.append(label);
    }
  });
  $("chart").replaceChildren(chart);
  $("savings-rows").replaceChildren(...days.filter((d) => d.requests).map((d) => {
    const tr = document.createElement("tr");
    for (const v of [d.day, d.requests, d.cache, d.skips, d.backups, d.billed]) {
      const td = document.createElement("td");
      td.textContent = String(v);
      tr.append(td);
    }
    return tr;
  }));
}

async function showSavings() {
  const { res, json } = await api("GET", "savings");
  if (res.status === 503) {
    $("billed-month").textContent = json?.detail ?? "unavailable";
    $("free-share").textContent = "—";
    return true;
  }
  if (!res.ok) return false;
  renderSavings(json);
  return true;
}

// Logs: filter, page, download.
let logPage = 1;

function logQuery(page) {
  const params = new URLSearchParams();
  for (const name of ["from", "to", "route", "status"]) {
    const value = $(`log-${name}`).value;
    if (value) params.set(name, value);
  }
  if (page) params.set("page", String(page));
  return params.toString();
}

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

function bodies(entry) {
  const td = document.createElement("td");
  if (!entry.request && !entry.response) return td;
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = "Show";
  details.append(summary);
  for (const [label, text] of [["Request", entry.request], ["Response", entry.response]]) {
    if (!text) continue;
    const p = document.createElement("p");
    p.textContent = label;
    const pre = document.createElement("pre");
    pre.textContent = text;
    details.append(p, pre);
  }
  td.append(details);
  return td;
}

async function showLogs(page = 1) {
  const { res, json } = await api("GET", `logs?${logQuery(page)}`);
  $("log-download").href = `/console/api/logs/download?${logQuery(0)}`;
  if (!res.ok) {
    $("logs-summary").textContent = json?.detail ?? `Logs unavailable (${res.status}).`;
    $("log-rows").replaceChildren();
    return res.status !== 401;
  }
  logPage = json.page;
  $("logs-summary").textContent = `${json.total} entr${json.total === 1 ? "y" : "ies"}, page ${json.page} of ${json.pages}.`;
  $("log-rows").replaceChildren(...json.entries.map((e) => {
    const tr = document.createElement("tr");
    const time = new Date(e.at).toISOString().replace("T", " ").slice(0, 19);
    tr.append(cell(time), cell(`${e.method} ${e.route}`), cell(String(e.status)), cell(e.source), cell(e.ms === null ? "—" : String(e.ms)), bodies(e));
    return tr;
  }));
  $("log-prev").disabled = json.page <= 1;
  $("log-next").disabled = json.page >= json.pages;
  return true;
}

// Transaction Sync: counts, recent transactions (retry), backfill.
const SYNC_COLUMNS = ["received", "created", "updated", "skipped", "failing", "dead"];

async function showSync() {
  const { res, json } = await api("GET", "sync");
  if (!res.ok) {
    $("sync-counts").replaceChildren();
    $("recent").replaceChildren();
    return res.status !== 401;
  }
  $("sync-counts").replaceChildren(...["orders", "refunds"].map((kind) => {
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = kind === "orders" ? "Orders" : "Refunds";
    tr.append(th, ...SYNC_COLUMNS.map((c) => cell(String(json[kind][c]))));
    return tr;
  }));
  $("recent").replaceChildren(...json.recent.map((t) => {
    const li = document.createElement("li");
    const text = document.createElement("span");
    const status = document.createElement("strong");
    status.className = `status-${t.status}`;
    status.textContent = t.status;
    text.append(`${t.kind} ${t.id}: `, status, t.detail ? ` (${t.detail})` : "");
    li.append(text);
    if (t.status === "failing" || t.status === "dead") {
      const retry = document.createElement("button");
      retry.type = "button";
      retry.className = "secondary reset";
      retry.textContent = "Retry";
      retry.setAttribute("aria-label", `Retry ${t.kind} ${t.id}`);
      retry.addEventListener("click", async () => {
        const { res, json } = await api("POST", "sync/retry", { kind: t.kind, id: t.id });
        say(res.ok ? `${t.kind} ${t.id} was queued again.` : `Not retried: ${json?.detail ?? res.status}`, !res.ok);
        await showSync();
        $("sync-title").focus();
      });
      li.append(retry);
    }
    return li;
  }));
  return true;
}

async function backfillBody() {
  const file = $("backfill-file").files[0];
  if (!file) throw new Error("Choose the JSON or CSV file of orders and refunds first.");
  const text = await file.text();
  let upload;
  if (/\.csv$/i.test(file.name) || file.type === "text/csv") {
    upload = { csv: text };
  } else {
    try {
      upload = JSON.parse(text);
    } catch {
      throw new Error("That file is neither JSON nor a .csv file.");
    }
  }
  return { ...upload, from: $("backfill-from").value, ...($("backfill-to").value ? { to: $("backfill-to").value } : {}) };
}

/** The upload's body, or null after saying what is missing. */
async function uploadOrSay() {
  try {
    return await backfillBody();
  } catch (err) {
    say(err.message, true);
    $("backfill-file").focus();
    return null;
  }
}

function showProgress(p) {
  $("backfill-progress").hidden = false;
  const done = p.received - p.pending;
  $("backfill-bar").max = Math.max(1, p.received);
  $("backfill-bar").value = done;
  $("backfill-counts").textContent = `${p.received} received, ${p.sent} sent, ${p.skipped} skipped, ${p.failed} failed${p.pending ? `, ${p.pending} waiting` : ". Done."}`;
}

async function followBackfill(batch) {
  for (;;) {
    const { res, json } = await api("GET", `backfill?batch=${batch}`);
    if (!res.ok) return;
    showProgress(json);
    if (json.pending === 0) return showSync();
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

$("backfill-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = await uploadOrSay();
  if (!body) return;
  const { res, json } = await api("POST", "backfill", body);
  if (!res.ok) {
    say(`Not started: ${json?.detail ?? res.status}`, true);
    return (json?.field === "from" ? $("backfill-from") : $("backfill-file")).focus();
  }
  say(`Backfill ${json.batch} started: ${json.received} orders and refunds received.`);
  showProgress(json);
  followBackfill(json.batch);
});

$("backfill-csv").addEventListener("click", async () => {
  const body = await uploadOrSay();
  if (!body) return;
  const res = await fetch("/console/api/backfill/csv", {
    method: "POST", credentials: "same-origin",
    headers: { "content-type": "application/json", "x-csrf-token": csrf },
    body: JSON.stringify(body),
  });
  if (!res.ok) {
    const json = await res.json().catch(() => null);
    return say(`No CSV: ${json?.detail ?? res.status}`, true);
  }
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await res.blob());
  link.download = "taxjar-transactions.csv";
  link.click();
  URL.revokeObjectURL(link.href);
  say("TaxJar's CSV import file was downloaded.");
});

async function showSignedIn(focus) {
  if (!(await showStatus()) || !(await showSettings()) || !(await showNexus())) return showSignIn();
  await showSavings();
  await showLogs(1);
  await showSync();
  $("signin").hidden = true;
  $("signed-in").hidden = false;
  if (focus) $("status-title").focus();
}

$("signin-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const field = $("passphrase");
  if (!field.value) {
    say("Enter the admin passphrase.", true);
    return field.focus();
  }
  const { res, json } = await api("POST", "session", { passphrase: field.value });
  field.value = "";
  if (res.ok) {
    csrf = json.csrf_token;
    say("Signed in.");
    return showSignedIn(true);
  }
  if (res.status === 429) {
    const minutes = Math.ceil(Number(res.headers.get("retry-after") || 600) / 60);
    say(`Too many failed attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`, true);
  } else if (res.status === 401) {
    say("That passphrase is not right.", true);
  } else {
    say(`Could not sign in (${res.status}).`, true);
  }
  field.focus();
});

$("settings-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const changes = {};
  for (const setting of loaded.values()) {
    const value = valueOf(setting);
    if (JSON.stringify(value) !== JSON.stringify(setting.value)) changes[setting.name] = value;
  }
  save(changes);
});

$("test").addEventListener("click", async () => {
  const out = $("test-result");
  out.className = "result";
  out.textContent = "Testing…";
  const { res, json } = await api("POST", "test");
  if (res.ok) {
    out.textContent = json.ok ? `${json.detail} (${json.status}, ${json.ms} ms).` : `Failed: ${json.detail}.`;
    out.classList.add(json.ok ? "ok" : "fail");
  } else {
    out.textContent = `Failed: ${json?.detail ?? res.status}.`;
    out.classList.add("fail");
  }
});

$("token-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = $("api-token");
  if (!input.value.trim()) {
    say("Paste the API token first.", true);
    return input.focus();
  }
  say("Checking the API token with TaxJar…");
  const { res, json } = await api("PUT", "token", { api_token: input.value });
  if (res.ok) {
    input.value = "";
    say(`API token saved, ending in ${json.last4}.`);
    await showStatus();
    return $("status-title").focus();
  }
  say(`Not saved: ${json?.detail ?? res.status}.`, true);
  input.focus();
});

$("forget-token").addEventListener("click", async () => {
  const { res } = await api("DELETE", "token");
  say(res.ok ? "The pasted API token was removed." : `Not removed (${res.status}).`, !res.ok);
  await showStatus();
  $("api-token").focus();
});

$("sync-nexus").addEventListener("click", async () => {
  say("Syncing nexus regions from TaxJar…");
  const { res, json } = await api("POST", "nexus/sync");
  if (res.ok) {
    renderNexus(json);
    say(`Nexus regions synced: ${json.regions.length} region${json.regions.length === 1 ? "" : "s"}.`);
  } else {
    say(`Not synced: ${json?.detail ?? res.status}.`, true);
  }
});

$("address-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const address = {};
  for (const f of ADDRESS_FIELDS) {
    const value = $(`addr-${f}`).value.trim();
    if (value) address[f] = value;
  }
  const list = editing === null ? [...addresses, address] : addresses.map((a, i) => (i === editing ? { ...(a.id ? { id: a.id } : {}), ...address } : a));
  saveAddresses(list, editing === null ? "Address added." : "Address saved.", $("addr-country"));
});

$("address-cancel").addEventListener("click", () => editAddress(null));

$("logs-form").addEventListener("submit", (event) => {
  event.preventDefault();
  showLogs(1);
});
$("log-prev").addEventListener("click", () => showLogs(logPage - 1));
$("log-next").addEventListener("click", () => showLogs(logPage + 1));

$("signout").addEventListener("click", async () => {
  await api("DELETE", "session");
  showSignIn();
  say("Signed out.");
  $("passphrase").focus();
});

const { res, json } = await api("GET", "session");
if (res.ok) {
  csrf = json.csrf_token;
  await showSignedIn(false);
}
