// The playground page's script: asks the server for what to show (GET /ui), swaps it in when the
// server says something changed (server-sent events), and sends what the acting person does to
// POST /ui/do. The server renders every fragment; this only routes, reads inputs and formats times.

const token = document.body.dataset.token;
const $ = (id) => document.getElementById(id);
const sidebar = $("sidebar");
const pane = $("pane");
const composer = $("composer");
const composerText = $("composer-text");
const modalLayer = $("modal-layer");
const asSelect = $("as");
const toast = $("toast");

const state = {
  as: localStorage.getItem("warroom-playground-as") || "",
  view: "",
  focus: "",
  modalKey: "",
  shownView: "",
  loading: false,
  again: false,
  /** The channel header shown, and its messages by id: { html, el }. */
  head: "",
  items: new Map(),
};

// ---------- routing ----------

function route() {
  const parts = location.hash.replace(/^#\/?/, "").split("/");
  state.focus = "";
  if (parts[0] === "c" && parts[1]) {
    state.view = `c:${parts[1]}`;
    state.focus = parts[2] || "";
  } else if (parts[0] === "home") state.view = "home";
  else if (parts[0] === "canvas" && parts[1]) state.view = `canvas:${parts[1]}`;
  else if (parts[0] === "file" && parts[1]) state.view = `file:${parts[1]}`;
  else state.view = "";
}

window.addEventListener("hashchange", () => {
  route();
  if (state.view === "home") void act({ op: "home" }, { quiet: true });
  void refresh(true);
});

// ---------- talking to the server ----------

async function act(body, { quiet = false } = {}) {
  const res = await fetch("/ui/do", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ as: state.as, ...body }),
  }).catch(() => undefined);
  if (!res) {
    say("The playground is not answering: is it still running?");
    return { ok: false };
  }
  const out = await res.json().catch(() => ({ ok: false, message: `HTTP ${res.status}` }));
  if (!res.ok) {
    say(out.message || out.error || `HTTP ${res.status}`);
    return { ok: false, ...out };
  }
  if (out.ok === false && out.error && !quiet) say(out.error);
  return out;
}

function say(text) {
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(say.timer);
  say.timer = setTimeout(() => (toast.hidden = true), 6000);
}

async function refresh(navigated = false) {
  if (state.loading) {
    state.again = true;
    return;
  }
  state.loading = true;
  try {
    const q = new URLSearchParams({ t: token, as: state.as, view: state.view });
    const res = await fetch(`/ui?${q}`);
    if (!res.ok) {
      say((await res.json().catch(() => ({}))).message || `HTTP ${res.status}`);
      return;
    }
    show(await res.json(), navigated);
  } catch {
    // the stream reconnects and asks again
  } finally {
    state.loading = false;
    if (state.again) {
      state.again = false;
      void refresh();
    }
  }
}

function show(ui, navigated) {
  if (ui.as !== state.as) {
    state.as = ui.as;
    localStorage.setItem("warroom-playground-as", ui.as);
  }
  people(ui.people);
  sidebar.innerHTML = ui.sidebar;
  document.title = `${ui.title} · Warroom playground`;

  const list = pane.querySelector(".messages");
  const atBottom = !list || list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const keepScroll = list ? list.scrollTop : 0;
  const changedPlace = navigated || ui.view !== state.shownView;
  const openDetails = [...pane.querySelectorAll("details[open]")].map((d) => d.className);
  const hovered = tools.hidden ? "" : (tools.closest(".msg")?.id ?? "");
  parkTools();
  if (ui.items && list && !changedPlace) {
    // the same channel: replace its header if it changed, and only the messages that changed
    if (ui.pane !== state.head) {
      pane.querySelector(".pane-head")?.replaceWith(fromHtml(ui.pane));
      state.head = ui.pane;
    }
    patch(list, ui.items);
  } else if (ui.items) {
    pane.innerHTML = `${ui.pane}<div class="messages">${ui.items.map((i) => i.html).join("")}</div>`;
    state.head = ui.pane;
    const messages = pane.querySelector(".messages");
    state.items = new Map();
    [...messages.children].forEach((el, k) => state.items.set(ui.items[k].id, { html: ui.items[k].html, el }));
    localize(pane);
  } else {
    pane.innerHTML = ui.pane;
    state.head = "";
    state.items = new Map();
    localize(pane);
  }
  for (const cls of openDetails) pane.querySelector(`details.${cls}`)?.setAttribute("open", "");
  // the toolbar stays on the message under the pointer when the messages around it change
  if (hovered && !changedPlace) showTools(document.getElementById(hovered));
  state.shownView = ui.view;
  const messages = pane.querySelector(".messages");
  if (messages) {
    if (changedPlace || atBottom) messages.scrollTop = messages.scrollHeight;
    else messages.scrollTop = keepScroll;
  }
  if (navigated && state.focus) {
    const target = document.getElementById(`m-${state.focus.replace(".", "-")}`);
    if (target) {
      target.scrollIntoView({ block: "center" });
      target.classList.add("focus");
    }
  }
  if (ui.composer) {
    composer.hidden = false;
    composerText.placeholder = ui.composer;
  } else composer.hidden = true;

  if (ui.modalKey !== state.modalKey) {
    const before = modalLayer.querySelector(".modal");
    const kept = before && ui.modal.includes(`data-view="${before.dataset.view}"`) ? readValues(before, false) : {};
    modalLayer.innerHTML = ui.modal;
    modalLayer.hidden = ui.modal === "";
    state.modalKey = ui.modalKey;
    const modal = modalLayer.querySelector(".modal");
    if (modal) {
      localize(modal);
      writeValues(modal, kept);
      if (!before) modal.querySelector("input, textarea, select")?.focus();
    }
  }
}

function fromHtml(html) {
  const t = document.createElement("template");
  t.innerHTML = html;
  return t.content.firstElementChild;
}

/** Puts the channel's messages in the new order, keeping the elements of those whose HTML is the same. */
function patch(list, items) {
  const next = new Map();
  const els = items.map((it) => {
    const old = state.items.get(it.id);
    let el = old && old.html === it.html ? old.el : undefined;
    if (!el) {
      el = fromHtml(it.html);
      localize(el);
    }
    next.set(it.id, { html: it.html, el });
    return el;
  });
  let cur = list.firstElementChild;
  for (const el of els) {
    if (cur === el) {
      cur = cur.nextElementSibling;
      continue;
    }
    list.insertBefore(el, cur);
  }
  while (cur) {
    const after = cur.nextElementSibling;
    cur.remove();
    cur = after;
  }
  state.items = next;
}

function localize(root) {
  localizePickers(root);
  localizeTimes(root);
}

// ---------- the message actions: one toolbar, moved to the message under the pointer ----------

const tools = $("tools");

function parkTools() {
  tools.hidden = true;
  document.body.append(tools);
}

function showTools(msg) {
  if (!msg || msg.hasAttribute("data-ephemeral") || !msg.closest(".messages")) return;
  const body = msg.querySelector(":scope > .msg-body");
  if (!body) return;
  if (tools.parentElement !== body) body.append(tools);
  tools.querySelector("[data-tool=pin]").textContent = msg.classList.contains("pinned") ? "Unpin" : "Pin";
  tools.hidden = false;
}

document.addEventListener("mouseover", (e) => showTools(e.target instanceof Element ? e.target.closest(".msg") : null));
document.addEventListener("focusin", (e) => showTools(e.target instanceof Element ? e.target.closest(".msg") : null));

function people(list) {
  const current = [...asSelect.options].map((o) => `${o.value}:${o.textContent}`).join("|");
  const next = list.map((p) => `${p.id}:${p.name}`).join("|");
  if (current !== next) {
    asSelect.innerHTML = "";
    for (const p of list) asSelect.add(new Option(p.name, p.id));
  }
  asSelect.value = state.as;
}

// ---------- inputs ----------

/** The raw value of one control (a string, or a list for multi-selects and checkboxes). */
function valueOf(el) {
  if (el.matches(".bk-choices")) {
    const checked = [...el.querySelectorAll("input:checked")].map((i) => i.value);
    return el.dataset.type === "radio_buttons" ? checked[0] || "" : checked;
  }
  if (el.matches("select[multiple]")) return [...el.selectedOptions].map((o) => o.value);
  return el.value;
}

/** The controls' values; `forApp` turns date-times from the viewer's zone into UTC, as Slack sends them. */
function readValues(root, forApp = true) {
  const values = {};
  for (const el of root.querySelectorAll("[data-el]")) {
    if (el.dataset.type === "button" || el.dataset.type === "overflow") continue;
    values[el.dataset.el] = forApp && el.hasAttribute("data-utc") ? utcOfLocal(el.value) : valueOf(el);
  }
  return values;
}

function pad(n) {
  return String(n).padStart(2, "0");
}

/** "YYYY-MM-DDTHH:mm" in the viewer's zone → the same instant in UTC, same form ("" stays ""). */
function utcOfLocal(local) {
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? "" : d.toISOString().slice(0, 16);
}

/** The server renders date-time pickers' initial values in UTC; the person sees and picks local time. */
function localizePickers(root) {
  for (const el of root.querySelectorAll("input[data-utc]")) {
    if (!el.value) continue;
    const d = new Date(`${el.value}:00Z`);
    if (!Number.isNaN(d.getTime())) el.value = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }
}

function writeValues(root, values) {
  for (const [loc, v] of Object.entries(values)) {
    const el = root.querySelector(`[data-el="${CSS.escape(loc)}"]`);
    if (!el) continue;
    if (el.matches(".bk-choices")) for (const i of el.querySelectorAll("input")) i.checked = Array.isArray(v) ? v.includes(i.value) : v === i.value;
    else if (el.matches("select[multiple]")) for (const o of el.options) o.selected = v.includes(o.value);
    else el.value = v;
  }
}

function surfaceOf(el) {
  const modal = el.closest(".modal");
  if (modal) return { kind: "modal", viewId: modal.dataset.view };
  if (el.closest(".home")) return { kind: "home" };
  const msg = el.closest(".msg");
  if (!msg) return undefined;
  return { kind: msg.hasAttribute("data-ephemeral") ? "ephemeral" : "message", channel: msg.dataset.channel, ts: msg.dataset.ts };
}

async function sendAction(el, value) {
  const surface = surfaceOf(el);
  if (!surface) return;
  const modal = el.closest(".modal");
  await act({ op: "action", surface, loc: el.dataset.el, ...(value !== undefined ? { value } : {}), values: modal ? readValues(modal) : {} });
}

document.addEventListener("click", (e) => {
  const target = e.target instanceof Element ? e.target : null;
  if (!target) return;
  const tool = target.closest("[data-tool]");
  if (tool) {
    const msg = tool.closest(".msg");
    const { channel, ts } = msg.dataset;
    const op = tool.dataset.tool;
    if (op === "dismiss") void act({ op: "dismiss", ts });
    else if (op === "pin") void act({ op: "pin", channel, ts });
    else if (op === "react") void act({ op: "react", channel, ts, name: tool.dataset.name });
    else if (op === "shortcut") void act({ op: "shortcut", channel, ts });
    return;
  }
  const button = target.closest("[data-el][data-type=button]");
  if (button) {
    if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      e.preventDefault();
      return;
    }
    // a link button is followed as well (in the page, or in a new tab), and the app is told, as Slack does
    void sendAction(button);
    return;
  }
  const modalButton = target.closest("[data-modal]");
  if (modalButton && modalButton.dataset.modal !== "submit") {
    const modal = modalButton.closest(".modal");
    void act({ op: "close", view: modal.dataset.view, all: modalButton.dataset.modal === "close" });
  }
});

document.addEventListener("change", (e) => {
  const target = e.target instanceof Element ? e.target : null;
  const el = target?.closest("[data-el][data-dispatch]");
  if (!el || el.dataset.type === "button") return;
  const value = valueOf(el);
  if (el.dataset.type === "overflow") {
    el.value = "";
    if (value === "") return;
  }
  void sendAction(el, value);
});

modalLayer.addEventListener("submit", (e) => {
  e.preventDefault();
  void submitModal(e);
});

async function submitModal(e) {
  const modal = e.target.closest(".modal");
  const problem = modal.querySelector(".modal-problem");
  problem.hidden = true;
  for (const old of modal.querySelectorAll(".bk-error")) {
    old.closest(".bk-inputblock")?.classList.remove("has-error");
    old.remove();
  }
  // like Slack's client, a required input left empty is refused before anything is sent
  let missing = false;
  for (const block of modal.querySelectorAll(".bk-inputblock[data-required]")) {
    const el = block.querySelector("[data-el]");
    const v = el ? valueOf(el) : "";
    if (v === "" || (Array.isArray(v) && v.length === 0)) {
      missing = true;
      if (!block.querySelector(".bk-error")) fieldError(block, "Please complete this required field.");
    }
  }
  if (missing) return;
  const submit = modal.querySelector("[data-modal=submit]");
  submit.disabled = true;
  const out = await act({ op: "submit", view: modal.dataset.view, values: readValues(modal) }, { quiet: true });
  submit.disabled = false;
  // the app's field errors come back in the modal the server renders (its key changes), typed values kept
  if (out.errors) void refresh();
  else if (out.ok === false && out.error) {
    problem.textContent = out.error;
    problem.hidden = false;
  }
}

function fieldError(block, text) {
  const div = document.createElement("div");
  div.className = "bk-error";
  div.setAttribute("role", "alert");
  div.textContent = text;
  block.classList.add("has-error");
  block.append(div);
}

composer.addEventListener("submit", (e) => {
  e.preventDefault();
  void sendComposer();
});

composerText.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    void sendComposer();
  }
});

async function sendComposer() {
  const text = composerText.value.trim();
  // the place shown: the one asked for, or the one the server chose (#general when nothing was asked)
  if (!text || !state.shownView.startsWith("c:")) return;
  const channel = state.shownView.slice(2);
  composerText.value = "";
  const out = await act(text.startsWith("/") ? { op: "command", channel, text } : { op: "message", channel, text });
  if (out.ok === false && !out.error && !out.message) composerText.value = text;
}

asSelect.addEventListener("change", () => {
  state.as = asSelect.value;
  localStorage.setItem("warroom-playground-as", state.as);
  state.modalKey = "";
  if (state.view === "home") void act({ op: "home" }, { quiet: true });
  void refresh(true);
});

$("add-person").addEventListener("click", () => void addPerson());

async function addPerson() {
  const name = window.prompt("Name of the person to add (for example: Erin Evans)");
  if (!name) return;
  const out = await act({ op: "person", name });
  if (out.person) {
    state.as = out.person.id;
    localStorage.setItem("warroom-playground-as", state.as);
    void refresh(true);
  }
}

// ---------- times, in the viewer's time zone (Slack's <!date^…> formats) ----------

const dateLong = new Intl.DateTimeFormat(undefined, { weekday: "long", year: "numeric", month: "long", day: "numeric" });
const dateMid = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "long", day: "numeric" });
const dateShort = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric" });
const timeShort = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const timeSecs = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit", second: "2-digit" });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

function dayWord(d) {
  const day = (x) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const diff = Math.round((day(d) - day(new Date())) / 86_400_000);
  return Math.abs(diff) <= 1 ? relative.format(diff, "day") : undefined;
}

function ago(d) {
  const s = Math.round((d.getTime() - Date.now()) / 1000);
  const a = Math.abs(s);
  if (a < 60) return relative.format(s, "second");
  if (a < 3600) return relative.format(Math.round(s / 60), "minute");
  if (a < 86_400) return relative.format(Math.round(s / 3600), "hour");
  return relative.format(Math.round(s / 86_400), "day");
}

function formatDate(d, format) {
  const iso = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  return format.replace(/\{(\w+)\}/g, (whole, key) => {
    switch (key) {
      case "date_num":
        return iso;
      case "date":
        return dateMid.format(d);
      case "date_short":
        return dateShort.format(d);
      case "date_long":
        return dateLong.format(d);
      case "date_pretty":
        return dayWord(d) ?? dateMid.format(d);
      case "date_short_pretty":
        return dayWord(d) ?? dateShort.format(d);
      case "date_long_pretty":
        return dayWord(d) ?? dateLong.format(d);
      case "time":
        return timeShort.format(d);
      case "time_secs":
        return timeSecs.format(d);
      case "ago":
        return ago(d);
      default:
        return whole;
    }
  });
}

function localizeTimes(root) {
  for (const t of root.querySelectorAll("time[data-format]")) {
    const d = new Date(t.getAttribute("datetime"));
    if (Number.isNaN(d.getTime())) continue;
    t.textContent = formatDate(d, t.dataset.format);
    t.title = d.toLocaleString();
  }
}

// ---------- start ----------

route();
const events = new EventSource(`/ui/events?t=${encodeURIComponent(token)}`);
events.onmessage = () => void refresh();
events.onerror = () => say("Lost the playground; reconnecting…");
events.onopen = () => (toast.hidden = true);
if (state.view === "home") void act({ op: "home" }, { quiet: true });
void refresh(true);
