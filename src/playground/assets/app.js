// The playground page's script: asks the server for what to show (GET /ui), swaps it in when the
// server says something changed (server-sent events), and sends what the acting person does to
// POST /ui/do. The server renders every fragment; this only routes, reads inputs and formats times.


import { $, act, asSelect, composer, composerText, modalLayer, say, state, toast, token } from "./page.js";
import { readValues, valueOf } from "./inputs.js";
import { refresh } from "./show.js";

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


// ---------- start ----------

route();
const events = new EventSource(`/ui/events?t=${encodeURIComponent(token)}`);
events.onmessage = () => void refresh();
events.onerror = () => say("Lost the playground; reconnecting…");
events.onopen = () => (toast.hidden = true);
if (state.view === "home") void act({ op: "home" }, { quiet: true });
void refresh(true);
