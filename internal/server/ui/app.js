// Osler's web UI: plain JavaScript, no build step, no external assets.
// Everything shown comes from the server's own /v1 API. Text from the
// server is always inserted with textContent, never as HTML; evaluation
// reports are shown in a sandboxed iframe.
"use strict";

const KEY_STORAGE = "osler.apiKey";
const state = { identity: null };

function apiKey() {
  try { return sessionStorage.getItem(KEY_STORAGE) || ""; } catch (e) { return ""; }
}
function setAPIKey(k) {
  try {
    if (k) sessionStorage.setItem(KEY_STORAGE, k); else sessionStorage.removeItem(KEY_STORAGE);
  } catch (e) { /* storage disabled: the key lives until reload */ }
}

// api calls the server and returns {ok, status, data, text}.
async function api(path, options = {}) {
  const headers = Object.assign({ "Accept": "application/json" }, options.headers || {});
  const key = apiKey();
  if (key) headers["Authorization"] = "Bearer " + key;
  let body = options.body;
  if (body !== undefined && typeof body !== "string") {
    body = JSON.stringify(body);
    headers["Content-Type"] = "application/json";
  }
  let resp;
  try {
    resp = await fetch(path, { method: options.method || "GET", headers, body, cache: "no-store" });
  } catch (e) {
    return { ok: false, status: 0, data: null, text: "", error: "the server cannot be reached" };
  }
  const text = await resp.text();
  let data = null;
  if ((resp.headers.get("Content-Type") || "").includes("json")) {
    try { data = JSON.parse(text); } catch (e) { data = null; }
  }
  const out = { ok: resp.ok, status: resp.status, data, text };
  if (!resp.ok) {
    out.error = data && data.error ? data.error.message : (resp.status + " " + resp.statusText);
    out.code = data && data.error ? data.error.code : "";
  }
  return out;
}

// el builds an element: el("td", {class: "num"}, "text", child, ...).
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function view(...nodes) {
  const v = document.getElementById("view");
  v.replaceChildren(...nodes);
}

function notice(msg, isError) {
  const n = document.getElementById("notice");
  if (!msg) { n.hidden = true; n.replaceChildren(); return; }
  n.className = "notice" + (isError ? " error" : "");
  n.replaceChildren(msg);
  n.hidden = false;
}

const STATUS_CLASS = { Approved: "approved", PendingManualApproval: "pending", Rejected: "rejected" };
const STATUS_TEXT = { Approved: "Approved", PendingManualApproval: "Pending approval", Rejected: "Rejected" };
function statusBadge(s) { return el("span", { class: "badge " + (STATUS_CLASS[s] || "kind") }, STATUS_TEXT[s] || s || "—"); }
const STATE_TEXT = { loaded: "Serving", failed: "Load failed", not_served: "Not served" };
function stateBadge(s) { return el("span", { class: "badge " + s }, STATE_TEXT[s] || s); }

function fmt(x, digits = 4) {
  if (typeof x !== "number" || !isFinite(x)) return String(x);
  if (Number.isInteger(x)) return x.toLocaleString("en-US");
  return x.toFixed(digits);
}
function fmtTime(s) {
  if (!s) return "—";
  const d = new Date(s);
  return isNaN(d) ? s : d.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}
function isAdmin() { return state.identity && state.identity.scopes.includes("admin"); }

// identify asks the server who the key is; it shows the key form when the
// server wants one.
async function identify() {
  const r = await api("/v1/auth");
  const form = document.getElementById("key-form");
  const who = document.getElementById("who");
  if (r.ok) {
    state.identity = r.data;
    form.hidden = !r.data.auth;
    who.textContent = r.data.auth ? "key " + r.data.name + " (" + r.data.scopes.join(", ") + ")" : "API keys are off (--no-auth): local use only";
    return true;
  }
  state.identity = null;
  form.hidden = false;
  who.textContent = "";
  if (r.status === 401) {
    notice(apiKey() ? "The API key was refused: " + r.error : "Paste an API key (osler keys create --scope predict) to see the models.", !!apiKey());
    document.getElementById("api-key").focus();
  } else {
    notice(r.error || "The server did not answer.", true);
  }
  view(el("p", { class: "muted" }, "No access yet."));
  return false;
}

// markNav marks the header link of the current section.
function markNav(hash) {
  const cds = hash === "/cds";
  document.getElementById("nav-models").setAttribute("aria-current", cds ? "false" : "page");
  document.getElementById("nav-cds").setAttribute("aria-current", cds ? "page" : "false");
}

async function route() {
  notice("");
  const hash = decodeURIComponent(location.hash.replace(/^#/, "")) || "/";
  markNav(hash);
  if (!(await identify())) return;
  if (hash === "/cds") return renderCDS();
  const m = hash.match(/^\/models\/([^/]+)(?:\/(\d+))?$/);
  if (m) return renderModel(m[1], m[2] ? Number(m[2]) : null);
  return renderList();
}

async function renderList() {
  const r = await api("/v1/models");
  if (!r.ok) { notice(r.error, true); view(); return; }
  const models = r.data.models;
  document.title = "Models · Osler";
  if (!models.length) {
    view(el("h1", {}, "Models"), el("div", { class: "card" },
      el("p", {}, "No models yet. Train one and register it, then approve a version:"),
      el("pre", { class: "mono" }, "osler train classifier --train train.jsonl --dev dev.jsonl --out model --register NAME\nosler models approve NAME:1")));
    return;
  }
  const rows = models.map(m => {
    const approved = m.versions.filter(v => v.status === "Approved").length;
    const pending = m.versions.filter(v => v.status === "PendingManualApproval").length;
    return el("tr", {},
      el("td", {}, el("a", { href: "#/models/" + encodeURIComponent(m.name) }, m.name), m.name === r.data.default ? el("span", { class: "muted small" }, " (default)") : null),
      el("td", {}, el("span", { class: "badge kind" }, m.kind)),
      el("td", {}, stateBadge(m.state)),
      el("td", { class: "num" }, m.serving ? (m.serving.version || "dir") : "—"),
      el("td", {}, m.serving && m.serving.status ? statusBadge(m.serving.status) : "—"),
      el("td", { class: "num" }, m.versions.length || (m.source === "directory" ? "—" : 0)),
      el("td", { class: "small muted" }, m.source === "directory" ? "served from a directory" :
        approved + " approved, " + pending + " pending"));
  });
  view(
    el("h1", {}, "Models"),
    el("p", { class: "muted" }, "The server answers with the newest Approved version of each model; approving or rejecting a version switches it without dropping requests."),
    el("div", { class: "card" }, el("table", { "aria-label": "Models" },
      el("thead", {}, el("tr", {}, el("th", {}, "Model"), el("th", {}, "Kind"), el("th", {}, "State"), el("th", { class: "num" }, "Serving"),
        el("th", {}, "Approval"), el("th", { class: "num" }, "Versions"), el("th", {}, "Approvals"))),
      el("tbody", {}, rows))));
}

async function renderModel(name, selected) {
  const r = await api("/v1/models/" + encodeURIComponent(name));
  if (!r.ok) { notice(r.error, true); view(el("a", { class: "back", href: "#/" }, "← All models")); return; }
  const m = r.data;
  document.title = m.name + " · Osler";
  const sv = m.serving;
  const servingVersion = sv ? sv.version : null;
  if (selected === null) selected = servingVersion !== null ? servingVersion : (m.versions[0] ? m.versions[0].version : 0);

  const head = el("div", {},
    el("a", { class: "back", href: "#/" }, "← All models"),
    el("h1", {}, m.name),
    el("div", { class: "meta" }, el("span", { class: "badge kind" }, m.kind), stateBadge(m.state),
      sv ? el("span", { class: "muted" }, sv.version ? "serving version " + sv.version : "served from a directory") : null,
      sv && sv.mode ? el("span", { class: "muted" }, "· " + sv.mode) : null),
    m.description ? el("p", {}, m.description) : null,
    sv && sv.method ? el("p", { class: "muted small method" }, "How it works: " + sv.method) : null,
    m.error ? el("p", { class: "error-text" }, "Last load failed: " + m.error) : null);

  const tryCard = el("section", { class: "card", "aria-labelledby": "try-title" }, el("h2", { id: "try-title" }, "Try it"));
  if (m.state === "loaded" || (sv && m.state === "failed")) buildTry(tryCard, m);
  else tryCard.append(el("p", { class: "muted" }, "This model is not served: approve a version to try it."));

  const versionsCard = el("section", { class: "card", "aria-labelledby": "versions-title" }, el("h2", { id: "versions-title" }, "Versions"));
  if (m.versions.length) versionsCard.append(versionsTable(m, selected));
  else versionsCard.append(el("p", { class: "muted" }, "Served from a model directory: it has no registry versions."));

  const detail = el("section", { class: "card", "aria-labelledby": "detail-title" },
    el("h2", { id: "detail-title" }, selected ? "Version " + selected : "Metrics and report"));
  view(head, el("div", { class: "grid" }, tryCard, versionsCard), detail);
  await fillDetail(detail, m, selected);
}

function versionsTable(m, selected) {
  const rows = m.versions.map(v => {
    const actions = isAdmin() ? el("div", { class: "actions" },
      v.status !== "Approved" ? el("button", { type: "button", class: "small", onclick: () => changeStatus(m.name, v.version, "approve") }, "Approve") : null,
      v.status !== "Rejected" ? el("button", { type: "button", class: "small reject", onclick: () => changeStatus(m.name, v.version, "reject") }, "Reject") : null) : null;
    return el("tr", { class: v.version === selected ? "current" : null },
      el("td", { class: "num" }, el("a", { href: "#/models/" + encodeURIComponent(m.name) + "/" + v.version, "aria-current": v.version === selected ? "true" : null }, "v" + v.version)),
      el("td", {}, statusBadge(v.status), v.serving ? el("div", { class: "small" }, "serving") : null),
      el("td", { class: "small" }, fmtTime(v.created), el("div", { class: "muted" }, v.registered_by)),
      isAdmin() ? el("td", {}, actions) : null);
  });
  return el("table", { class: "versions", "aria-label": "Versions of " + m.name },
    el("thead", {}, el("tr", {}, el("th", { class: "num" }, "Version"), el("th", {}, "Status"), el("th", {}, "Registered"), isAdmin() ? el("th", {}, "Decide") : null)),
    el("tbody", {}, rows));
}

async function changeStatus(name, version, action) {
  const note = window.prompt((action === "approve" ? "Approve" : "Reject") + " " + name + " v" + version + ". Note for the audit log (no patient text):", "");
  if (note === null) return;
  const r = await api("/v1/models/" + encodeURIComponent(name) + "/versions/" + version + "/" + action, { method: "POST", body: { note } });
  if (!r.ok) { notice(r.error, true); return; }
  await route();
  notice(name + " v" + version + (action === "approve" ? " approved" : " rejected") + (r.data.changed ? "." : " already."));
}

function buildTry(card, m) {
  const isClf = m.kind === "classifier";
  const input = el("textarea", { id: "try-input", placeholder: isClf ? "A sentence or note to classify" : "A report or note to summarize", "aria-describedby": "try-help" });
  const run = el("button", { id: "try-run", type: "button" }, isClf ? "Classify" : "Summarize");
  const out = el("div", { id: "try-result", class: "result", "aria-live": "polite" });
  run.addEventListener("click", async () => {
    const text = input.value;
    if (!text.trim()) { out.replaceChildren(el("p", { class: "error-text" }, "Type some text first.")); input.focus(); return; }
    run.disabled = true;
    out.replaceChildren(el("p", { class: "muted" }, isClf ? "Classifying…" : "Summarizing…"));
    const r = await api(isClf ? "/v1/classify" : "/v1/summarize", { method: "POST", body: { model: m.name, inputs: text } });
    run.disabled = false;
    if (!r.ok) { out.replaceChildren(el("p", { class: "error-text", role: "alert" }, r.error)); return; }
    out.replaceChildren(isClf ? classification(r.data, m) : summary(r.data));
  });
  card.append(
    el("label", { class: "block", for: "try-input" }, isClf ? "Text to classify" : "Text to summarize"),
    input,
    el("div", { class: "row" }, run, el("span", { id: "try-help", class: "muted small" }, "Use synthetic or de-identified text. It goes only to this server.")),
    out);
}

function classification(data, m) {
  const res = data.results[0];
  const thresholds = (m.serving && m.serving.thresholds) || {};
  const bars = res.scores.map(s => {
    const pct = Math.max(0, Math.min(100, s.score * 100));
    const thr = thresholds[s.label];
    return el("li", { class: "bar" + (s.predicted ? " predicted" : ""), dataset: { label: s.label } },
      el("span", { class: "name", title: s.label }, (s.predicted ? "✓ " : "") + s.label),
      el("span", { class: "track", role: "img", "aria-label": s.label + " score " + s.score.toFixed(3) + (s.predicted ? ", predicted" : "") },
        el("span", { class: "fill", style: "width:" + pct.toFixed(1) + "%" }),
        typeof thr === "number" ? el("span", { class: "thr", style: "left:" + (thr * 100).toFixed(1) + "%", title: "threshold " + thr.toFixed(3) }) : null),
      el("span", { class: "val" }, s.score.toFixed(3)));
  });
  return el("div", {},
    el("h3", {}, "Predicted"),
    el("div", { class: "chips", id: "try-labels" }, res.labels.length ? res.labels.map(l => el("span", { class: "chip" }, l)) : el("span", { class: "chip none" }, "no label")),
    el("h3", {}, "Scores"),
    el("ul", { class: "bars" }, bars),
    el("p", { class: "muted small" }, "Version " + data.version + ". The dark tick on a bar is the label's decision threshold in this version (tuned at training time or by osler thresholds tune)."));
}

function summary(data) {
  const res = data.results[0];
  const p = res.provenance;
  const warnings = res.warnings || [];
  const rows = [];
  if (p) {
    rows.push(el("dt", {}, "Method"), el("dd", {}, p.method));
    if (p.source_sentences && p.source_sentences.length) rows.push(el("dt", {}, "From sentences"), el("dd", {}, p.source_sentences.map(i => "#" + (i + 1)).join(", ")));
    if (p.neighbors && p.neighbors.length) rows.push(el("dt", {}, "Similar examples"), el("dd", {}, p.neighbors.map(n => n.id + " (" + n.similarity.toFixed(2) + ")").join(", ")));
    if (p.check && p.check.candidates) rows.push(el("dt", {}, "Faithfulness guard"), el("dd", {}, p.check.candidates + " candidates, " + (p.check.removed || 0) + " removed" +
      (p.check.rejected ? ", " + p.check.rejected + " retrieved summaries refused" : "")));
    if (p.notes && p.notes.length) rows.push(el("dt", {}, "Notes"), el("dd", {}, p.notes.join("; ")));
  }
  const flagged = warnings.filter(w => w.verdict !== "omitted");
  const status = res.faithful
    ? el("p", { class: "check ok", id: "try-check" }, "Checked against the text: every claim of the summary is backed by it." + (warnings.length ? " It leaves out:" : ""))
    : el("p", { class: "check bad", id: "try-check" }, flagged.length + " claim" + (flagged.length === 1 ? "" : "s") + " of the summary the text does not back:");
  return el("div", {},
    el("h3", {}, "Summary"),
    el("p", { class: "summary-text", id: "try-summary" }, highlighted(res.summary, flagged)),
    status,
    warnings.length ? el("ul", { class: "warnings", id: "try-warnings" }, warnings.map(w =>
      el("li", { class: w.verdict }, el("strong", {}, w.verdict + " " + w.kind), ": " + w.message))) : null,
    rows.length ? el("h3", {}, "Provenance") : null,
    rows.length ? el("dl", { class: "prov" }, rows) : null,
    el("p", { class: "muted small" }, "Version " + data.version + ". The check reads findings, negations, sides, sizes, comparisons, measurements, communications and placeholders; see docs/FAITHFULNESS.md for what it cannot see."));
}

// highlighted returns the text with the warnings' spans (UTF-8 byte
// offsets, as the server counts them) marked.
function highlighted(text, warnings) {
  const spans = warnings.filter(w => w.summary_span).map(w => ({ s: w.summary_span.start, e: w.summary_span.end, w }))
    .sort((a, b) => a.s - b.s);
  if (!spans.length) return text;
  // Map byte offsets to string indices.
  const enc = new TextEncoder();
  const index = new Map();
  let b = 0, i = 0;
  for (const ch of text) {
    index.set(b, i);
    b += enc.encode(ch).length;
    i += ch.length;
  }
  index.set(b, i);
  const parts = [];
  let prev = 0;
  for (const { s, e, w } of spans) {
    const from = index.get(s), to = index.get(e);
    if (from === undefined || to === undefined || from < prev) continue;
    parts.push(text.slice(prev, from));
    parts.push(el("mark", { class: w.verdict, title: w.message }, text.slice(from, to)));
    prev = to;
  }
  parts.push(text.slice(prev));
  return parts;
}

// Metrics: a table of the headline numbers per split (dev, test, ...),
// F1 per label, then every number in a fold. Curves and matrices are in
// the report.
const HEADLINE = ["n", "accuracy", "f1", "precision", "recall", "micro.f1", "macro.f1", "weighted.f1", "binary.f1", "macro_average_precision",
  "macro_roc_auc", "brier", "subset_accuracy", "hamming_loss", "rouge1", "rouge2", "rougeL", "rougeLsum"];
const SKIP = /(^|\.)(best_f1|at_0_5|at_05|curve|curves|confusion|thresholds)(\.|$)/;

function flatten(obj, prefix, out, depth) {
  if (depth > 6 || obj === null || obj === undefined) return;
  if (typeof obj === "number") { out.set(prefix, obj); return; }
  if (Array.isArray(obj)) {
    if (obj.length && typeof obj[0] === "object" && obj[0] !== null && "label" in obj[0]) {
      for (const item of obj) flatten(item, prefix + "." + item.label, out, depth + 1);
    }
    return;
  }
  if (typeof obj === "object") {
    for (const [k, v] of Object.entries(obj)) {
      if (k === "label" || k === "file") continue;
      flatten(v, prefix ? prefix + "." + k : k, out, depth + 1);
    }
  }
}

// headlineKey maps a path inside a split to its headline row, or "".
function headlineKey(path) {
  if (SKIP.test(path) || path.includes("per_label")) return "";
  for (const h of HEADLINE) {
    if (path === h || path.endsWith("." + h) && path.split(".").length <= h.split(".").length + 1) return h;
  }
  return "";
}

function matrix(caption, rowNames, cols, cell) {
  return el("table", { class: "kv" },
    el("caption", { class: "small muted" }, caption),
    el("thead", {}, el("tr", {}, el("th", {}, ""), cols.map(c => el("th", { class: "num" }, c)))),
    el("tbody", {}, rowNames.map(r => el("tr", {}, el("td", { class: "mono small" }, r), cols.map(c => {
      const v = cell(r, c);
      return el("td", { class: "num" }, v === undefined ? "—" : fmt(v));
    })))));
}

function metricsView(metrics) {
  const all = new Map();
  flatten(metrics, "", all, 0);
  if (!all.size) return el("p", { class: "muted" }, "No metrics were recorded with this version.");
  const splits = Object.keys(metrics).filter(k => metrics[k] && typeof metrics[k] === "object" && !Array.isArray(metrics[k]));
  const parts = [];
  if (splits.length) {
    const head = new Map(); // "split|row" -> value
    const perLabel = new Map(); // "split|label" -> f1
    const rows = new Set(), labels = new Set();
    for (const [path, v] of all) {
      const i = path.indexOf(".");
      if (i < 0) continue;
      const split = path.slice(0, i), rest = path.slice(i + 1);
      if (!splits.includes(split)) continue;
      const m = rest.match(/(?:^|\.)per_label\.(.+)\.f1$/);
      if (m && !SKIP.test(rest)) { perLabel.set(split + "|" + m[1], v); labels.add(m[1]); continue; }
      const h = headlineKey(rest);
      if (h && !head.has(split + "|" + h)) { head.set(split + "|" + h, v); rows.add(h); }
    }
    const ordered = HEADLINE.filter(h => rows.has(h));
    if (ordered.length) parts.push(matrix("Headline metrics by split", ordered, splits, (r, c) => head.get(c + "|" + r)));
    if (labels.size) parts.push(matrix("F1 per label", [...labels].sort(), splits, (r, c) => perLabel.get(c + "|" + r)));
  }
  const list = [...all];
  parts.push(el("details", {}, el("summary", {}, "All " + list.length + " numbers"),
    el("table", { class: "kv" }, el("tbody", {}, list.map(([k, v]) => el("tr", {}, el("td", { class: "mono small" }, k), el("td", { class: "num" }, fmt(v))))))));
  return el("div", {}, parts);
}

async function fillDetail(card, m, version) {
  let metrics = null, hasReport = false;
  if (m.serving && m.serving.version === version && m.source === "directory") {
    metrics = m.serving.metrics; hasReport = m.serving.has_report;
  } else if (version) {
    const r = await api("/v1/models/" + encodeURIComponent(m.name) + "/versions/" + version);
    if (!r.ok) { card.append(el("p", { class: "error-text" }, r.error)); return; }
    metrics = r.data.metrics;
    hasReport = !!r.data.has_report;
  }
  card.append(el("h3", {}, "Metrics"), metricsView(metrics || {}));
  if (!hasReport) { card.append(el("h3", {}, "Evaluation report"), el("p", { class: "muted" }, "This version has no report.")); return; }
  const rep = await api("/v1/models/" + encodeURIComponent(m.name) + "/versions/" + (version || "serving") + "/report", { headers: { "Accept": "text/html" } });
  card.append(el("h3", {}, "Evaluation report"));
  if (!rep.ok) { card.append(el("p", { class: "muted" }, rep.status === 404 ? "This version has no report." : rep.error)); return; }
  // An empty sandbox: the report runs no script and cannot reach this page.
  const frame = el("iframe", { class: "report-frame", sandbox: "", title: "Evaluation report of " + m.name + " v" + version, referrerpolicy: "no-referrer" });
  frame.srcdoc = rep.text;
  card.append(frame);
}

function init() {
  const form = document.getElementById("key-form");
  const input = document.getElementById("api-key");
  form.addEventListener("submit", ev => {
    ev.preventDefault();
    setAPIKey(input.value.trim());
    input.value = "";
    route();
  });
  document.getElementById("key-clear").addEventListener("click", () => { setAPIKey(""); route(); });
  window.addEventListener("hashchange", route);
  route();
}

init();
