// The streamll dashboard page: it keeps a model of what the server sends
// (a snapshot, then deltas over Server-Sent Events) and renders it at most
// once per animation frame, within a time budget, so that the page stays
// responsive whatever the event rate.
"use strict";

const MAX_ROOTS = 30;         // top-level executions shown
const TREE_EVERY_MS = 100;    // the tree's shape is recomputed at most this often
const SIDE_EVERY_MS = 250;    // the side panels are redrawn at most this often
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
  readLag: [],     // ms from the oldest event of an update to the dashboard server reading it
  deltas: 0, snapshots: 0, renderBehind: 0,
};
const rows = new Map();  // id -> element of an execution's tree
let dirty = new Set(), dirtyTree = false, dirtySide = true, behindSide = false, pendingLatency = [];
let scheduled = false, lastFrame = 0, behind = false, lastTree = 0, lastSide = 0;

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
  if (d.read_lag_ms) stats.readLag.push(d.read_lag_ms);
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
  if (dirtySide && start - lastSide >= SIDE_EVERY_MS) {
    renderSide();
    dirtySide = false;
    lastSide = start;
  } else if (dirtySide) {
    renderTotals();
    behindSide = true;
  }
  const now = Date.now();
  for (const [first, last] of pendingLatency) {
    stats.latencies.push(now - first);
    stats.newest.push(now - last);
  }
  pendingLatency = [];
  for (const a of [stats.latencies, stats.newest, stats.frames, stats.readLag]) if (a.length > SAMPLES) a.splice(0, a.length - SAMPLES);
  if (behind) {
    stats.renderBehind++;
    renderShed();
  }
  if (behind || behindSide || dirtyTree) {
    behindSide = false;
    schedule();
  }
}

// renderExecutions shows the newest top-level executions with their nested
// ones. The tree's shape (which executions, in which order) is recomputed at
// most every TREE_EVERY_MS; rows that changed are updated every frame until
// the frame's budget is spent, and what is left waits for the next frame.
let shown = [];  // [id, [child ids]] of the roots on the page, in order
function renderExecutions(start) {
  if (dirtyTree && start - lastTree >= TREE_EVERY_MS) {
    layoutTree();
    dirtyTree = false;
    lastTree = start;
  }
  for (const [id, kids] of shown) {
    for (const x of [id, ...kids]) {
      const el = rows.get(x);
      if (!el || !dirty.has(x)) continue;
      if (performance.now() - start >= FRAME_BUDGET_MS) { behind = true; return; }
      const m = model.execs.get(x);
      if (m) updateRow(el, m);
      dirty.delete(x);
    }
  }
  dirty.clear(); // the rest is not on the page
}

function layoutTree() {
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
  const startOf = (id) => model.execs.get(id).start || 0;
  roots.sort((a, b) => startOf(b) - startOf(a));
  $("exec-count").textContent = `${fmt(model.execs.size)} in view, newest first`;
  shown = roots.slice(0, MAX_ROOTS).map((id) => [id, (children.get(id) || []).sort((a, b) => startOf(a) - startOf(b))]);
  const visible = new Set();
  const container = $("executions");
  const empty = container.querySelector(".empty");
  if (shown.length && empty) empty.remove();
  shown.forEach(([id, kids], i) => {
    const el = treeFor(id);
    visible.add(id);
    if (container.children[i] !== el) container.insertBefore(el, container.children[i] || null);
    const box = el._f.children;
    kids.slice(0, MAX_CHILDREN).forEach((kid, j) => {
      const k = treeFor(kid);
      visible.add(kid);
      if (box.children[j] !== k) box.insertBefore(k, box.children[j] || null);
    });
    while (box.children.length > Math.min(kids.length, MAX_CHILDREN)) box.lastChild.remove();
    el._f.more.textContent = kids.length > MAX_CHILDREN ? `+${kids.length - MAX_CHILDREN} more` : "";
  });
  while (container.children.length > shown.length) container.lastChild.remove();
  for (const [id, el] of rows) {
    if (!visible.has(id)) { el.remove(); rows.delete(id); }
  }
}

// treeFor returns the element of an execution and its nested ones, made and
// filled in on first use; its parts are kept in el._f.
function treeFor(id) {
  let el = rows.get(id);
  if (el) return el;
  el = document.createElement("div");
  el.className = "tree";
  el.innerHTML = `<div class="exec"><div class="row"><span class="st"></span><span class="op"></span>` +
    `<span class="mod"></span><span class="id"></span><span class="tags"></span><span class="metrics">` +
    `<span class="ttft"></span><span class="dur"></span><span class="usage"></span></span></div>` +
    `<div class="tokens" hidden></div><div class="err" hidden></div></div><div class="children"></div><div class="more"></div>`;
  const row = el.firstChild;
  row.dataset.id = id;
  const f = { row, children: el.children[1], more: el.children[2] };
  for (const c of ["st", "op", "mod", "id", "tags", "ttft", "dur", "usage", "tokens", "err"]) f[c] = row.querySelector("." + c);
  el._f = f;
  rows.set(id, el);
  const m = model.execs.get(id);
  if (m) updateRow(el, m);
  return el;
}

function updateRow(el, x) {
  const f = el._f;
  f.row.dataset.status = x.status;
  f.st.textContent = x.status === "running" ? "▶" : x.status === "error" ? "✗" : "■";
  f.op.textContent = x.op || "(no operation)";
  f.mod.textContent = [x.module, x.method].filter(Boolean).join(".") + (x.model ? " · " + x.model : "");
  f.id.textContent = x.id.slice(0, 6);
  f.id.title = x.id;
  f.tags.textContent = x.tags && !x.parent ? Object.entries(x.tags).map(([k, v]) => `${k}=${v}`).join(" ") : "";
  f.ttft.textContent = x.ttft_ms ? `TTFT ${dur(x.ttft_ms)}` : "";
  f.dur.textContent = x.duration_ms ? dur(x.duration_ms) : (x.status === "running" ? "running" : "");
  f.usage.textContent = x.in || x.out ? `${fmt(x.in)} in · ${fmt(x.out)} out` : x.token_count ? `${fmt(x.token_count)} tokens` : "";
  f.tokens.hidden = !x.tokens;
  if (x.tokens && f.tokens.textContent !== x.tokens) {
    f.tokens.textContent = x.tokens;
    f.tokens.scrollTop = f.tokens.scrollHeight;
  }
  f.err.hidden = !x.error;
  f.err.textContent = x.error || "";
}

function renderTotals() {
  const t = model.totals;
  $("t-events").textContent = fmt(t.events);
  $("t-executions").textContent = fmt(t.executions);
  $("t-tokens").textContent = fmt(t.tokens);
  $("t-errors").textContent = fmt(t.errors);
}

function renderSide() {
  renderTotals();
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
