// Transaction Sync: counts, recent transactions (retry), and Backfill
// Transactions (upload, progress, TaxJar's CSV).
import { $, api, cell, say, session } from "./console-api.js";

const SYNC_COLUMNS = ["received", "created", "updated", "skipped", "failing", "dead"];

export async function showSync() {
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
        // The list first, then the message: what it says is on screen.
        await showSync();
        $("sync-title").focus();
        say(res.ok ? `${t.kind} ${t.id} was queued again.` : `Not retried: ${json?.detail ?? res.status}`, !res.ok);
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
    headers: { "content-type": "application/json", "x-csrf-token": session.csrf },
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
