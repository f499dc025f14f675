// The message actions: one toolbar, moved to the message under the pointer.

import { $ } from "./page.js";

export const tools = $("tools");

export function parkTools() {
  tools.hidden = true;
  document.body.append(tools);
}

export function showTools(msg) {
  if (!msg || msg.hasAttribute("data-ephemeral") || !msg.closest(".messages")) return;
  const body = msg.querySelector(":scope > .msg-body");
  if (!body) return;
  if (tools.parentElement !== body) body.append(tools);
  tools.querySelector("[data-tool=pin]").textContent = msg.classList.contains("pinned") ? "Unpin" : "Pin";
  tools.hidden = false;
}

document.addEventListener("mouseover", (e) => showTools(e.target instanceof Element ? e.target.closest(".msg") : null));
document.addEventListener("focusin", (e) => showTools(e.target instanceof Element ? e.target.closest(".msg") : null));
