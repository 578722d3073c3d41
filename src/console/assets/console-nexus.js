// Nexus: the regions the Worker answers, the sync, and the addresses.
import { $, api, say } from "./console-api.js";

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

export async function showNexus() {
  const { res, json } = await api("GET", "nexus");
  if (!res.ok) return false;
  renderNexus(json);
  return true;
}

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
