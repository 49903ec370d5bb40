// The CDS Hooks page: call Osler's CDS services on a patient's FHIR
// Bundle, as an EHR would, and show their cards the way an EHR shows
// them. The bundle is read in the browser and sent only to this server
// (POST /v1/cds/preview). Card text comes from the server and may quote
// notes: it is inserted with textContent only, and the Markdown of a
// card's detail is rendered by building elements, never as HTML.
"use strict";

const HOOKS = [
  { id: "patient-view", label: "patient-view: the chart is opened" },
  { id: "order-select", label: "order-select: an order is drafted" },
  { id: "order-sign", label: "order-sign: the orders are signed" },
];
const INDICATOR_TEXT = { info: "Info", warning: "Warning", critical: "Critical" };
const COVERAGE_EXT = "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information";

// exampleOrder is a draft order for aspirin, for the patient of the
// bundle (when it is known).
function exampleOrder(patientID) {
  return {
    resourceType: "MedicationRequest", id: "draft-aspirin", status: "draft", intent: "order",
    medicationCodeableConcept: {
      coding: [{ system: "http://www.nlm.nih.gov/research/umls/rxnorm", code: "243670", display: "aspirin 81 MG Oral Tablet" }],
      text: "aspirin 81 MG Oral Tablet",
    },
    subject: { reference: "Patient/" + (patientID || "example") },
    dosageInstruction: [{ text: "81 mg by mouth once daily" }],
  };
}

// readBundle reads a chosen file as a patient's Bundle: {bundle, patientID,
// count} or {error}.
function readBundle(file) {
  return new Promise(resolve => {
    const reader = new FileReader();
    reader.onerror = () => resolve({ error: "The file could not be read." });
    reader.onload = () => {
      let b;
      try { b = JSON.parse(reader.result); } catch (e) { resolve({ error: "The file is not JSON." }); return; }
      if (!b || b.resourceType !== "Bundle" || !Array.isArray(b.entry)) {
        resolve({ error: "The file is not a FHIR Bundle with entries." });
        return;
      }
      const patients = b.entry.filter(e => e && e.resource && e.resource.resourceType === "Patient");
      if (patients.length !== 1) {
        resolve({ error: "The bundle must hold exactly one Patient; it holds " + patients.length + "." });
        return;
      }
      resolve({ bundle: b, patientID: patients[0].resource.id, count: b.entry.length });
    };
    reader.readAsText(file);
  });
}

// parseOrders reads the draft-order text: a resource, an array of them or
// a Bundle. It returns {orders} or {error}.
function parseOrders(text) {
  if (!text.trim()) return { error: "This hook needs at least one draft order: paste one or use the example." };
  let v;
  try { v = JSON.parse(text); } catch (e) { return { error: "The draft orders are not valid JSON." }; }
  if (v && v.resourceType === "Bundle") v = (v.entry || []).map(e => e && e.resource).filter(Boolean);
  if (!Array.isArray(v)) v = [v];
  if (!v.length || !v.every(o => o && typeof o === "object" && typeof o.resourceType === "string")) {
    return { error: "Each draft order must be a FHIR resource (an object with a resourceType)." };
  }
  return { orders: v };
}

function renderCDS() {
  document.title = "CDS Hooks · Osler";
  let bundle = null;
  const fileInput = el("input", { id: "cds-bundle", type: "file", accept: ".json,application/json,application/fhir+json", "aria-describedby": "cds-bundle-status" });
  const fileStatus = el("p", { id: "cds-bundle-status", class: "muted small", "aria-live": "polite" }, "No bundle chosen.");
  const hook = el("select", { id: "cds-hook" }, HOOKS.map(h => el("option", { value: h.id }, h.label)));
  const orders = el("textarea", { id: "cds-orders", class: "mono", spellcheck: "false", placeholder: "{\"resourceType\": \"MedicationRequest\", \"id\": \"draft-1\", …}", "aria-describedby": "cds-orders-help" });
  const orderFile = el("input", { id: "cds-orders-file", type: "file", accept: ".json,application/json,application/fhir+json" });
  const example = el("button", { id: "cds-example", type: "button", class: "secondary small" }, "Use the aspirin example");
  const ordersSection = el("fieldset", { id: "cds-orders-section", class: "plain" },
    el("legend", {}, "Draft orders"),
    el("label", { class: "block", for: "cds-orders" }, "Orders being drafted (a FHIR resource, an array of them or a Bundle)"),
    orders,
    el("div", { class: "row" }, example,
      el("label", { for: "cds-orders-file", class: "small" }, "or read them from a file:"), orderFile),
    el("p", { id: "cds-orders-help", class: "muted small" }, "Each order needs an id, so that cards can name it. All of them count as selected."));
  const run = el("button", { id: "cds-run", type: "button" }, "Call services");
  const out = el("div", { id: "cds-results", class: "result", "aria-live": "polite" });

  const showOrders = () => { ordersSection.hidden = hook.value === "patient-view"; };
  hook.addEventListener("change", showOrders);
  showOrders();
  fileInput.addEventListener("change", async () => {
    bundle = null;
    const f = fileInput.files[0];
    if (!f) { fileStatus.textContent = "No bundle chosen."; return; }
    fileStatus.textContent = "Reading " + f.name + "…";
    const r = await readBundle(f);
    if (r.error) {
      fileStatus.replaceChildren(el("span", { class: "error-text" }, f.name + ": " + r.error));
      return;
    }
    bundle = r;
    fileStatus.textContent = f.name + ": one patient, " + r.count + " resource" + (r.count === 1 ? "" : "s") + ". It stays in this tab until you call the services.";
  });
  orderFile.addEventListener("change", () => {
    const f = orderFile.files[0];
    if (!f) return;
    const reader = new FileReader();
    reader.onload = () => { orders.value = reader.result; };
    reader.readAsText(f);
  });
  example.addEventListener("click", () => {
    orders.value = JSON.stringify(exampleOrder(bundle && bundle.patientID), null, 2);
    orders.focus();
  });
  run.addEventListener("click", async () => {
    if (!bundle) { out.replaceChildren(el("p", { class: "error-text", role: "alert" }, "Choose a patient bundle first.")); fileInput.focus(); return; }
    const body = { hook: hook.value, bundle: bundle.bundle };
    if (hook.value !== "patient-view") {
      const o = parseOrders(orders.value);
      if (o.error) { out.replaceChildren(el("p", { class: "error-text", role: "alert" }, o.error)); orders.focus(); return; }
      body.orders = o.orders;
    }
    run.disabled = true;
    out.replaceChildren(el("p", { class: "muted" }, "Calling the " + hook.value + " services…"));
    const r = await api("/v1/cds/preview", { method: "POST", body });
    run.disabled = false;
    if (!r.ok) {
      out.replaceChildren(el("div", { class: "cds-error", role: "alert" },
        el("strong", {}, "The server refused the request (" + r.status + ")"), ": " + r.error));
      return;
    }
    out.replaceChildren(...r.data.results.map(serviceResult));
  });

  view(
    el("h1", {}, "CDS Hooks"),
    el("p", { class: "muted" }, "See what Osler's CDS services would show in the EHR: choose a patient's FHIR Bundle and a hook, add the orders being drafted, and call the services. The request an EHR would send is built from the bundle by this server; nothing goes anywhere else. Use synthetic or de-identified data."),
    el("section", { class: "card", "aria-labelledby": "cds-form-title" },
      el("h2", { id: "cds-form-title" }, "Request"),
      el("label", { class: "block", for: "cds-bundle" }, "Patient bundle (FHIR JSON, one patient)"),
      fileInput, fileStatus,
      el("label", { class: "block", for: "cds-hook" }, "Hook"),
      hook,
      ordersSection,
      el("div", { class: "row" }, run)),
    out);
}

// serviceResult shows one service's answer: its cards and system
// actions, or its error.
function serviceResult(res) {
  const s = res.service;
  const titleID = "cds-svc-" + s.id + "-" + s.hook;
  const sec = el("section", { class: "card cds-service", "aria-labelledby": titleID, dataset: { service: s.id } },
    el("h2", { id: titleID }, s.title || s.id),
    el("p", { class: "muted small" }, s.id + " · " + s.hook));
  if (res.error) {
    const what = res.error.status === 412 ? "The service lacks data it needs (412)" :
      res.error.status === 400 ? "The service refused the request (400)" : "The service failed (" + res.error.status + ")";
    sec.append(el("p", { class: "cds-error", role: "alert" }, el("strong", {}, what), ": " + res.error.message));
    return sec;
  }
  const resp = res.response || { cards: [] };
  const cards = resp.cards || [];
  const actions = resp.systemActions || [];
  if (!cards.length && !actions.length) sec.append(el("p", { class: "muted cds-none" }, "No cards: nothing to flag for this patient."));
  for (const c of cards) sec.append(cdsCard(c));
  if (actions.length) {
    sec.append(el("h3", {}, "System actions"),
      el("p", { class: "muted small" }, "The EHR applies these without asking the clinician."),
      el("ul", { class: "cds-actions system-actions" }, actions.map(a => actionItem(a))));
  }
  return sec;
}

// cdsCard renders one card as an EHR would: indicator, summary, detail,
// source, suggestions, override reasons and links.
function cdsCard(c) {
  const ind = INDICATOR_TEXT[c.indicator] ? c.indicator : "info";
  const sumID = "cds-card-" + (c.uuid || Math.random().toString(36).slice(2));
  const card = el("article", { class: "cds-card indicator-" + ind, "aria-labelledby": sumID },
    el("div", { class: "cds-card-head" },
      el("span", { class: "badge indicator " + ind }, INDICATOR_TEXT[ind]),
      el("h3", { class: "cds-summary", id: sumID }, c.summary)));
  if (c.detail) card.append(el("div", { class: "cds-detail" }, markdown(c.detail)));
  const src = c.source || {};
  if (src.label) {
    card.append(el("p", { class: "cds-source small muted" }, "Source: ",
      safeURL(src.url) ? el("a", { href: src.url, target: "_blank", rel: "noopener noreferrer" }, src.label) : src.label,
      src.topic && src.topic.display ? " · " + src.topic.display : null));
  }
  if (c.suggestions && c.suggestions.length) {
    card.append(el("div", { class: "cds-suggestions" },
      el("p", { class: "small muted" }, c.selectionBehavior === "at-most-one" ? "Suggestions (choose at most one; not applied here):" : "Suggestions (not applied here):"),
      c.suggestions.map((sg, i) => {
        const descID = sumID + "-sg-" + i;
        return el("div", { class: "cds-suggestion" },
          el("button", { type: "button", class: "suggestion small", disabled: true, "aria-describedby": descID }, sg.label),
          sg.isRecommended ? el("span", { class: "badge recommended" }, "Recommended") : null,
          el("ul", { id: descID, class: "cds-actions small" }, (sg.actions || []).map(a => actionItem(a))));
      })));
  }
  if (c.overrideReasons && c.overrideReasons.length) {
    card.append(el("div", { class: "cds-overrides small" }, el("span", { class: "muted" }, "Override reasons offered: "),
      el("ul", {}, c.overrideReasons.map(r => el("li", {}, r.display || r.code)))));
  }
  if (c.links && c.links.length) {
    card.append(el("ul", { class: "cds-links small" }, c.links.map(l => el("li", {},
      l.type === "absolute" && safeURL(l.url)
        ? el("a", { href: l.url, target: "_blank", rel: "noopener noreferrer" }, l.label)
        : el("span", {}, l.label, el("span", { class: "muted" }, l.type === "smart" ? " (SMART app; not launched here)" : ""))))));
  }
  return card;
}

// actionItem describes a suggested or system action: its type and
// description, and the coverage information a CRD update adds.
function actionItem(a) {
  const li = el("li", { class: "cds-action" }, el("span", { class: "badge kind" }, a.type), " ", a.description || "");
  if (a.resourceId) li.append(el("span", { class: "muted mono" }, " " + a.resourceId));
  for (const cov of coverageSummary(a.resource)) li.append(el("div", { class: "coverage small" }, "Coverage information: " + cov));
  return li;
}

// coverageSummary reads the Da Vinci CRD coverage-information extensions
// of a resource: "covered: covered · pa-needed: auth-needed · ...".
function coverageSummary(resource) {
  if (!resource || !Array.isArray(resource.extension)) return [];
  const keys = ["covered", "pa-needed", "doc-needed"];
  return resource.extension.filter(x => x && x.url === COVERAGE_EXT).map(x => {
    const got = {};
    for (const sub of x.extension || []) {
      if (sub && keys.includes(sub.url) && typeof sub.valueCode === "string") (got[sub.url] = got[sub.url] || []).push(sub.valueCode);
    }
    return keys.filter(k => got[k]).map(k => k + ": " + got[k].join(", ")).join(" · ");
  }).filter(Boolean);
}

function safeURL(u) {
  if (typeof u !== "string") return false;
  try { const p = new URL(u); return p.protocol === "https:" || p.protocol === "http:"; } catch (e) { return false; }
}

// markdown renders the safe subset of Markdown that cards use:
// paragraphs, **bold**, _italic_, `code`, "- " bullet lists (with
// indented continuation lines), "> " quotes and backslash escapes. It
// builds elements with text nodes only; anything else shows as text.
function markdown(src) {
  const root = el("div", { class: "md" });
  let para = [], quote = null, list = null, item = null;
  const flushPara = () => { if (para.length) { root.append(el("p", {}, mdInline(para.join(" ")))); para = []; } };
  const flushQuote = () => {
    if (quote) { quote.parent.append(el("blockquote", {}, el("p", {}, mdInline(quote.lines.join(" "))))); quote = null; }
  };
  const closeList = () => { flushQuote(); list = null; item = null; };
  for (const raw of String(src || "").replace(/\r\n?/g, "\n").split("\n")) {
    const line = raw.replace(/\s+$/, "");
    let m;
    if (!line.trim()) { flushPara(); closeList(); continue; }
    if ((m = line.match(/^ {0,1}- +(.*)$/))) {
      flushPara(); flushQuote();
      if (!list) { list = el("ul", {}); root.append(list); }
      item = el("li", {}, mdInline(m[1]));
      list.append(item);
      continue;
    }
    if ((m = line.match(/^(\s*)> ?(.*)$/))) {
      const parent = item && m[1].length >= 2 ? item : root;
      if (parent === root) { flushPara(); if (list) closeList(); }
      if (!quote || quote.parent !== parent) { flushQuote(); quote = { parent, lines: [] }; }
      quote.lines.push(m[2]);
      continue;
    }
    if (item && /^\s/.test(line)) {
      if (quote && quote.parent === item) quote.lines.push(line.trim());
      else item.append(" ", ...mdInline(line.trim()));
      continue;
    }
    if (quote && quote.parent === root) { quote.lines.push(line.trim()); continue; }
    closeList();
    para.push(line.trim());
  }
  flushPara();
  closeList();
  return root;
}

const MD_PUNCT = /[!-\/:-@\[-`{-~]/;
const WORD = /[\p{L}\p{N}]/u;

// mdInline returns the nodes of one block's inline Markdown.
function mdInline(s) {
  const out = [];
  let buf = "";
  const flush = () => { if (buf) { out.push(document.createTextNode(buf)); buf = ""; } };
  for (let i = 0; i < s.length;) {
    const c = s[i];
    if (c === "\\" && i + 1 < s.length && MD_PUNCT.test(s[i + 1])) { buf += s[i + 1]; i += 2; continue; }
    if (c === "`") {
      const end = s.indexOf("`", i + 1);
      if (end > i + 1) { flush(); out.push(el("code", {}, s.slice(i + 1, end))); i = end + 1; continue; }
    }
    if (c === "*" && s[i + 1] === "*" && i + 2 < s.length && !/\s/.test(s[i + 2])) {
      const end = mdClose(s, i + 2, "**", false);
      if (end > i + 2) { flush(); out.push(el("strong", {}, mdInline(s.slice(i + 2, end)))); i = end + 2; continue; }
    }
    if (c === "_" && (i === 0 || !WORD.test(s[i - 1])) && i + 1 < s.length && !/\s/.test(s[i + 1])) {
      const end = mdClose(s, i + 1, "_", true);
      if (end > i + 1) { flush(); out.push(el("em", {}, mdInline(s.slice(i + 1, end)))); i = end + 1; continue; }
    }
    buf += c;
    i++;
  }
  flush();
  return out;
}

// mdClose finds the closing delimiter from index from: not escaped, not
// after a space, and (for _) not inside a word.
function mdClose(s, from, delim, wordEnd) {
  for (let j = from; j < s.length; j++) {
    if (s[j] === "\\") { j++; continue; }
    if (s[j] === "`") { const e = s.indexOf("`", j + 1); if (e > j) { j = e; continue; } }
    if (s.startsWith(delim, j) && !/\s/.test(s[j - 1]) && (!wordEnd || j + delim.length >= s.length || !WORD.test(s[j + delim.length]))) return j;
  }
  return -1;
}
