// Showing what the server rendered: the sidebar, the pane, the modal and the person acting, swapped
// in with the messages that did not change kept as they are (focus and scroll stay).

import { asSelect, composer, composerText, modalLayer, pane, say, sidebar, state, token } from "./page.js";
import { localizeTimes } from "./times.js";
import { localizePickers, readKept, writeKept } from "./inputs.js";
import { parkTools, showTools, tools } from "./toolbar.js";

export async function refresh(navigated = false) {
  if (state.loading) {
    state.again = true;
    state.againNavigated ||= navigated;
    return;
  }
  state.loading = true;
  // who and where were asked for: an answer to a question no longer asked (the person acting or the
  // view changed while it was on its way) is dropped, and asked again, never shown over the new choice
  const asked = { as: state.as, view: state.view };
  try {
    const q = new URLSearchParams({ t: token, as: asked.as, view: asked.view });
    const res = await fetch(`/ui?${q}`);
    if (!res.ok) {
      say((await res.json().catch(() => ({}))).message || `HTTP ${res.status}`);
      return;
    }
    const ui = await res.json();
    if (state.as !== asked.as || state.view !== asked.view) {
      state.again = true;
      state.againNavigated ||= navigated;
      return;
    }
    show(ui, navigated);
  } catch {
    // the stream reconnects and asks again
  } finally {
    state.loading = false;
    if (state.again) {
      const again = state.againNavigated;
      state.again = false;
      state.againNavigated = false;
      void refresh(again);
    }
  }
}

export function show(ui, navigated) {
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
    const kept = before && ui.modal.includes(`data-view="${before.dataset.view}"`) ? readKept(before) : {};
    modalLayer.innerHTML = ui.modal;
    modalLayer.hidden = ui.modal === "";
    state.modalKey = ui.modalKey;
    const modal = modalLayer.querySelector(".modal");
    if (modal) {
      localize(modal);
      writeKept(modal, kept);
      if (!before) modal.querySelector("input, textarea, select")?.focus();
    }
  }
}

export function fromHtml(html) {
  const t = document.createElement("template");
  t.innerHTML = html;
  return t.content.firstElementChild;
}

/** Puts the channel's messages in the new order, keeping the elements of those whose HTML is the same. */
export function patch(list, items) {
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

export function localize(root) {
  localizePickers(root);
  localizeTimes(root);
}


export function people(list) {
  const current = [...asSelect.options].map((o) => `${o.value}:${o.textContent}`).join("|");
  const next = list.map((p) => `${p.id}:${p.name}`).join("|");
  if (current !== next) {
    asSelect.innerHTML = "";
    for (const p of list) asSelect.add(new Option(p.name, p.id));
  }
  asSelect.value = state.as;
}
