// Connection to TaxJar (status, test, paste or remove a token) and the
// settings, each with where its value comes from.
import { $, api, say, showSignIn } from "./console-api.js";

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

export async function showStatus() {
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

export async function showSettings() {
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
    await showStatus();
    say(`API token saved, ending in ${json.last4}.`);
    return $("status-title").focus();
  }
  say(`Not saved: ${json?.detail ?? res.status}.`, true);
  input.focus();
});

$("forget-token").addEventListener("click", async () => {
  const { res } = await api("DELETE", "token");
  await showStatus();
  $("api-token").focus();
  say(res.ok ? "The pasted API token was removed." : `Not removed (${res.status}).`, !res.ok);
});
