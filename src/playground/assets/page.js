// What every part of the page's script shares: the page's token and elements, the state of what is
// shown, and talking to the server (POST /ui/do) with a toast when it does not answer.

export const token = document.body.dataset.token;
export const $ = (id) => document.getElementById(id);
export const sidebar = $("sidebar");
export const pane = $("pane");
export const composer = $("composer");
export const composerText = $("composer-text");
export const modalLayer = $("modal-layer");
export const asSelect = $("as");
export const toast = $("toast");

export const state = {
  as: localStorage.getItem("warroom-playground-as") || "",
  view: "",
  focus: "",
  modalKey: "",
  shownView: "",
  loading: false,
  again: false,
  againNavigated: false,
  /** The channel header shown, and its messages by id: { html, el }. */
  head: "",
  items: new Map(),
};


// ---------- talking to the server ----------

export async function act(body, { quiet = false } = {}) {
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

export function say(text) {
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(say.timer);
  say.timer = setTimeout(() => (toast.hidden = true), 6000);
}
