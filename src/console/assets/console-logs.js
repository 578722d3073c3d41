// Savings (a stacked bar per day, drawn as plain SVG) and the logs for
// support (filter, page, download).
import { $, api, cell } from "./console-api.js";

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

export async function showSavings() {
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

export async function showLogs(page = 1) {
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

$("logs-form").addEventListener("submit", (event) => {
  event.preventDefault();
  showLogs(1);
});

$("log-prev").addEventListener("click", () => showLogs(logPage - 1));
$("log-next").addEventListener("click", () => showLogs(logPage + 1));
