// The streamll dashboard page: it keeps a model of what the server sends
// (a snapshot, then deltas over Server-Sent Events) and renders it at most
// once per animation frame, within a time budget, so that the page stays
// responsive whatever the event rate.
"use strict";

const MAX_ROOTS = 40;         // top-level executions shown
const MAX_CHILDREN = 20;      // nested executions shown per parent
const MAX_MODEL = 2000;       // executions the page keeps
const FRAME_BUDGET_MS = 8;    // rendering time per frame before the rest waits
const SAMPLES = 20000;        // latency samples kept for the tests

const model = {
  execs: new Map(), usage: {}, errors: [], totals: {}, shed: {}, rate: new Map(),
  errorRate: null, health: null, source: null, pending: 0,
};
const stats = window.streamllStats = {
  latencies: [],   // ms from the oldest event of an update to the frame that showed it
  newest: [],      // ms from the newest event of an update to that frame
  frames: [],      // ms between rendered frames while updates arrive
  deltas: 0, snapshots: 0, renderBehind: 0,
};
const rows = new Map();  // id -> element of an execution's tree
let dirty = new Set(), dirtyTree = false, dirtySide = true, pendingLatency = [];
let scheduled = false, lastFrame = 0, behind = false;

const $ = (id) => document.getElementById(id);
const fmt = (n) => (n || 0).toLocaleString("en-US", { maximumFractionDigits: 0 });
const dur = (ms) => ms >= 1000 ? (ms / 1000).toFixed(2) + "s" : ms >= 10 ? ms.toFixed(0) + "ms" : ms.toFixed(1) + "ms";

function connect() {
  const es = new EventSource("events");
  es.onopen = () => setStatus("live", "live");
  es.onerror = () => setStatus("reconnecting", "reconnecting");
  es.addEventListener("snapshot", (e) => {
    const d = JSON.parse(e.data);
    model.execs.clear();
    for (const el of rows.values()) el.remove();
    rows.clear();
    stats.snapshots++;
    apply(d, true);
  });
  es.addEventListener("delta", (e) => { stats.deltas++; apply(JSON.parse(e.data), false); });
}

function setStatus(text, cls) {
  const s = $("status");
  s.textContent = text;
  s.className = "pill " + cls;
}

function apply(d, snapshot) {
  for (const x of d.executions || []) {
    let m = model.execs.get(x.id);
    if (!m) {
      m = { tokens: "" };
      model.execs.set(x.id, m);
      dirtyTree = true;
    }
    const text = x.tokens || "";
    delete x.tokens;
    if (m.parent !== x.parent || m.start !== x.start) dirtyTree = true;
    Object.assign(m, x);
    m.tokens = snapshot ? text : m.tokens + text;
    dirty.add(x.id);
  }
  for (const id of d.removed || []) {
    model.execs.delete(id);
    dirty.add(id);
    dirtyTree = true;
  }
  if (model.execs.size > MAX_MODEL) {
    for (const id of model.execs.keys()) {
      if (model.execs.size <= MAX_MODEL) break;
      model.execs.delete(id);
      dirty.add(id);
    }
    dirtyTree = true;
  }
  for (const [sec, n] of d.rate || []) model.rate.set(sec, n);
  if (d.usage) model.usage = d.usage;
  if (d.errors) model.errors = d.errors;
  if (d.error_rate) model.errorRate = d.error_rate;
  if (d.health) model.health = d.health;
  if (d.source) model.source = d.source;
  model.totals = d.totals || model.totals;
  model.shed = d.shed || model.shed;
  model.pending = d.pending || 0;
  dirtySide = true;
  if (d.first_ts) pendingLatency.push([d.first_ts, d.last_ts]);
  schedule();
}

function schedule() {
  if (!scheduled) {
    scheduled = true;
    requestAnimationFrame(render);
  }
}

function render() {
  scheduled = false;
  const start = performance.now();
  if (lastFrame && pendingLatency.length) stats.frames.push(start - lastFrame);
  lastFrame = start;
  behind = false;
  renderExecutions(start);
  if (dirtySide) {
    renderSide();
    dirtySide = false;
  }
  const now = Date.now();
  for (const [first, last] of pendingLatency) {
    stats.latencies.push(now - first);
    stats.newest.push(now - last);
  }
  pendingLatency = [];
  for (const a of [stats.latencies, stats.newest, stats.frames]) if (a.length > SAMPLES) a.splice(0, a.length - SAMPLES);
  if (behind) {
    stats.renderBehind++;
    renderShed();
    schedule();
  }
}

// renderExecutions shows the newest top-level executions with their nested
// ones, updating only the rows that changed, until the frame's budget is
// spent; what is left waits for the next frame.
function renderExecutions(start) {
  const container = $("executions");
  const children = new Map();
  const roots = [];
  for (const [id, x] of model.execs) {
    if (x.parent && model.execs.has(x.parent)) {
      let list = children.get(x.parent);
      if (!list) children.set(x.parent, list = []);
      list.push(id);
    } else {
      roots.push(id);
    }
  }
  const byStart = (a, b) => (model.execs.get(b).start || 0) - (model.execs.get(a).start || 0);
  roots.sort(byStart);
  const shownRoots = roots.slice(0, MAX_ROOTS);
  $("exec-count").textContent = `${fmt(model.execs.size)} in view, newest first`;
  const visible = new Set();
  const place = (parent, ids, depth) => {
    let i = 0;
    for (const id of ids) {
      visible.add(id);
      const el = treeFor(id);
      // A new row is always filled in; updates of shown rows wait for the
      // next frame once this one's budget is spent.
      const fresh = !el.dataset.rendered;
      if (fresh || dirty.has(id)) {
        if (fresh || performance.now() - start < FRAME_BUDGET_MS) {
          updateRow(el, model.execs.get(id));
          el.dataset.rendered = "1";
          dirty.delete(id);
        } else {
          behind = true;
        }
      }
      if (parent.children[i] !== el) parent.insertBefore(el, parent.children[i] || null);
      i++;
      const kids = (children.get(id) || []).sort((a, b) => -byStart(a, b));
      const box = el.querySelector(":scope > .children");
      place(box, kids.slice(0, MAX_CHILDREN), depth + 1);
      let more = box.querySelector(":scope > .more");
      if (kids.length > MAX_CHILDREN) {
        if (!more) { more = document.createElement("div"); more.className = "more"; }
        more.textContent = `+${kids.length - MAX_CHILDREN} more`;
        box.appendChild(more);
      } else if (more) more.remove();
    }
    // Anything past the placed elements in this box is not shown any more.
    const keep = ids.length;
    while (parent.children.length > keep && !parent.children[keep].classList.contains("more")) parent.children[keep].remove();
  };
  if (dirtyTree || dirty.size) {
    const empty = container.querySelector(".empty");
    if (shownRoots.length && empty) empty.remove();
    place(container, shownRoots, 0);
    for (const [id, el] of rows) {
      if (!visible.has(id)) { el.remove(); rows.delete(id); dirty.delete(id); }
    }
    for (const id of dirty) if (!visible.has(id)) dirty.delete(id);
    dirtyTree = false;
  }
}

function treeFor(id) {
  let el = rows.get(id);
  if (el) return el;
  el = document.createElement("div");
  el.className = "tree";
  el.innerHTML = `<div class="exec"><div class="row"><span class="st"></span><span class="op"></span>` +
    `<span class="mod"></span><span class="id"></span><span class="tags"></span><span class="metrics">` +
    `<span class="ttft"></span><span class="dur"></span><span class="usage"></span></span></div>` +
    `<div class="tokens" hidden></div><div class="err" hidden></div></div><div class="children"></div>`;
  el.firstChild.dataset.id = id;
  rows.set(id, el);
  return el;
}

function updateRow(el, x) {
  const row = el.firstChild;
  row.dataset.status = x.status;
  const q = (c) => row.querySelector("." + c);
  q("st").textContent = x.status === "running" ? "▶" : x.status === "error" ? "✗" : "■";
  q("op").textContent = x.op || "(no operation)";
  q("mod").textContent = [x.module, x.method].filter(Boolean).join(".") + (x.model ? " · " + x.model : "");
  q("id").textContent = x.id.slice(0, 6);
  q("id").title = x.id;
  if (x.tags && !x.parent) q("tags").textContent = Object.entries(x.tags).map(([k, v]) => `${k}=${v}`).join(" ");
  q("ttft").innerHTML = x.ttft_ms ? `TTFT <b>${dur(x.ttft_ms)}</b>` : "";
  q("dur").innerHTML = x.duration_ms ? `<b>${dur(x.duration_ms)}</b>` : (x.status === "running" ? "running" : "");
  q("usage").innerHTML = x.in || x.out ? `<b>${fmt(x.in)}</b> in · <b>${fmt(x.out)}</b> out` :
    x.token_count ? `<b>${fmt(x.token_count)}</b> tokens` : "";
  const tok = q("tokens");
  tok.hidden = !x.tokens;
  if (x.tokens && tok.textContent !== x.tokens) {
    tok.textContent = x.tokens;
    tok.scrollTop = tok.scrollHeight;
  }
  const err = q("err");
  err.hidden = !x.error;
  err.textContent = x.error || "";
}

function renderSide() {
  const t = model.totals;
  $("t-events").textContent = fmt(t.events);
  $("t-executions").textContent = fmt(t.executions);
  $("t-tokens").textContent = fmt(t.tokens);
  $("t-errors").textContent = fmt(t.errors);
  const nowSec = Math.floor(Date.now() / 1000);
  $("eps").textContent = fmt(model.rate.get(nowSec - 1) || model.rate.get(nowSec) || 0);
  if (model.source) {
    $("source-name").textContent = model.source.name;
    const lost = model.source.state === "lost";
    $("source-error").hidden = !lost;
    $("source-error").textContent = lost ? "Source lost, reconnecting: " + (model.source.error || "") : "";
    if (lost) setStatus("source lost", "lost");
    else if ($("status").textContent === "source lost") setStatus("live", "live");
  }
  renderUsage();
  renderErrors();
  renderHealth();
  renderChart(nowSec);
  renderShed();
}

function renderUsage() {
  const select = $("usage-key");
  const keys = Object.keys(model.usage).sort();
  if (keys.length && select.dataset.keys !== keys.join(",")) {
    const current = select.value || (keys.includes("customer_id") ? "customer_id" : keys[0]);
    select.innerHTML = "";
    for (const k of keys) select.add(new Option(k, k, false, k === current));
    select.dataset.keys = keys.join(",");
  }
  const body = $("usage").tBodies[0];
  const list = model.usage[select.value] || [];
  body.replaceChildren(...list.map((u) => {
    const tr = document.createElement("tr");
    tr.dataset.value = u.value;
    for (const [cls, v] of [["value", u.value], ["executions", fmt(u.executions)], ["in", fmt(u.in)], ["out", fmt(u.out)], ["errors", fmt(u.errors)]]) {
      const td = tr.insertCell();
      td.className = cls;
      td.textContent = v;
    }
    return tr;
  }));
}

function renderErrors() {
  const r = model.errorRate;
  $("error-rate").textContent = r && r.ended ?
    `${(100 * r.failed / r.ended).toFixed(1)}% of ${fmt(r.ended)} executions in the last ${r.window_s}s` : "none in the last minute";
  $("errors").replaceChildren(...model.errors.slice().reverse().map((e) => {
    const li = document.createElement("li");
    const when = new Date(e.at).toLocaleTimeString("en-GB", { hour12: false });
    li.innerHTML = `<span class="when"></span> <b class="op"></b> <span class="what"></span>`;
    li.children[0].textContent = when + " " + e.id.slice(0, 6);
    li.children[1].textContent = e.op;
    li.children[2].textContent = (e.type ? e.type + ": " : "") + e.message;
    return li;
  }));
}

function renderHealth() {
  const h = model.health;
  if (!h) return;
  $("health-section").hidden = false;
  $("health-url").textContent = h.url;
  const status = $("health-status");
  status.textContent = h.error ? "unreachable" : h.healthy ? "healthy" : "unhealthy";
  status.className = "pill " + (h.error ? "lost" : h.healthy ? "healthy" : "unhealthy");
  $("health-error").hidden = !h.error;
  $("health-error").textContent = h.error || "";
  $("sinks").tBodies[0].replaceChildren(...(h.sinks || []).map((s) => {
    const tr = document.createElement("tr");
    tr.dataset.sink = s.name;
    const dropped = Object.values(s.dropped || {}).reduce((a, b) => a + b, 0);
    for (const [cls, v] of [["name", s.name], ["state", s.state], ["circuit", s.circuit], ["buffered", fmt(s.buffered)],
      ["dropped", fmt(dropped)], ["delivered", fmt(s.delivered)]]) {
      const td = tr.insertCell();
      td.className = cls;
      if (cls === "circuit" || cls === "state") {
        const pill = document.createElement("span");
        pill.className = "pill " + v;
        pill.textContent = v;
        td.appendChild(pill);
      } else td.textContent = v;
    }
    if (s.last_error) tr.title = s.last_error;
    return tr;
  }));
}

function renderChart(nowSec) {
  const c = $("rate");
  const w = c.clientWidth || c.width, h = c.clientHeight || c.height;
  if (c.width !== w * devicePixelRatio) { c.width = w * devicePixelRatio; c.height = h * devicePixelRatio; }
  const g = c.getContext("2d");
  g.setTransform(devicePixelRatio, 0, 0, devicePixelRatio, 0, 0);
  g.clearRect(0, 0, w, h);
  const secs = 180, top = 14, bottom = h - 16;
  let peak = 1;
  for (let s = nowSec - secs; s <= nowSec; s++) peak = Math.max(peak, model.rate.get(s) || 0);
  const bw = w / (secs + 1);
  g.fillStyle = "#39c5cf";
  for (let i = 0; i <= secs; i++) {
    const n = model.rate.get(nowSec - secs + i) || 0;
    const bh = (bottom - top) * n / peak;
    g.fillRect(i * bw, bottom - bh, Math.max(bw - 1, 1), bh);
  }
  g.fillStyle = "#7d8b9c";
  g.font = "11px system-ui, sans-serif";
  g.fillText(`peak ${fmt(peak)}/s`, 4, 11);
  g.fillText("-3 min", 4, h - 3);
  g.fillText("now", w - 24, h - 3);
  for (const sec of model.rate.keys()) if (sec < nowSec - secs - 5) model.rate.delete(sec);
}

function renderShed() {
  const s = model.shed || {};
  const parts = [];
  if (s.executions) parts.push(`${fmt(s.executions)} executions were dropped before they could be shown`);
  if (s.sampled) parts.push(`token text was sampled in ${fmt(s.sampled)} updates (the rest followed later)`);
  if (s.token_text) parts.push(`${fmt(s.token_text)} tokens past the ${"2,000"}-character text limit were not kept`);
  if (model.pending) parts.push(`${fmt(model.pending)} changed executions are waiting for the next update`);
  if (behind) parts.push("the page is rendering behind the updates");
  const recent = s.last && Date.now() - s.last < 10000;
  const el = $("shed");
  el.hidden = !(recent || model.pending || behind) || !parts.length;
  el.textContent = "Shedding load to stay responsive: " + parts.join("; ") + ".";
}

$("usage-key").addEventListener("change", () => { dirtySide = true; schedule(); });
setInterval(() => { dirtySide = true; schedule(); }, 1000); // the chart moves on when idle
connect();
