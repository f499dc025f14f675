// Reading and writing a form's controls as Slack's payloads carry them, date-times between the
// viewer's zone and UTC.

/** The raw value of one control (a string, or a list for multi-selects and checkboxes). */
export function valueOf(el) {
  if (el.matches(".bk-choices")) {
    const checked = [...el.querySelectorAll("input:checked")].map((i) => i.value);
    return el.dataset.type === "radio_buttons" ? checked[0] || "" : checked;
  }
  if (el.matches("select[multiple]")) return [...el.selectedOptions].map((o) => o.value);
  return el.value;
}

/** The controls' values; `forApp` turns date-times from the viewer's zone into UTC, as Slack sends them. */
export function readValues(root, forApp = true) {
  const values = {};
  for (const el of root.querySelectorAll("[data-el]")) {
    if (el.dataset.type === "button" || el.dataset.type === "overflow") continue;
    values[el.dataset.el] = forApp && el.hasAttribute("data-utc") ? utcOfLocal(el.value) : valueOf(el);
  }
  return values;
}

export function pad(n) {
  return String(n).padStart(2, "0");
}

/** "YYYY-MM-DDTHH:mm" in the viewer's zone → the same instant in UTC, same form ("" stays ""). */
export function utcOfLocal(local) {
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? "" : d.toISOString().slice(0, 16);
}

/** The server renders date-time pickers' initial values in UTC; the person sees and picks local time. */
export function localizePickers(root) {
  for (const el of root.querySelectorAll("input[data-utc]")) {
    if (!el.value) continue;
    const d = new Date(`${el.value}:00Z`);
    if (!Number.isNaN(d.getTime())) el.value = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }
}

export function writeValues(root, values) {
  for (const [loc, v] of Object.entries(values)) {
    const el = root.querySelector(`[data-el="${CSS.escape(loc)}"]`);
    if (!el) continue;
    if (el.matches(".bk-choices")) for (const i of el.querySelectorAll("input")) i.checked = Array.isArray(v) ? v.includes(i.value) : v === i.value;
    else if (el.matches("select[multiple]")) for (const o of el.options) o.selected = v.includes(o.value);
    else el.value = v;
  }
}

/**
 * What a person typed in a form, keyed as Slack keeps it across views.update: by the input block's id
 * (and the element's type). A block whose id changed starts from its new initial value, as in Slack.
 */
export function readKept(root) {
  const kept = {};
  for (const el of root.querySelectorAll("[data-el]")) {
    if (el.dataset.type === "button" || el.dataset.type === "overflow") continue;
    const block = el.closest("[data-block]")?.dataset.block;
    if (block !== undefined) kept[`${block}\u0000${el.dataset.type}`] = valueOf(el);
  }
  return kept;
}

export function writeKept(root, kept) {
  const values = {};
  for (const el of root.querySelectorAll("[data-el]")) {
    const block = el.closest("[data-block]")?.dataset.block;
    const key = `${block}\u0000${el.dataset.type}`;
    if (block !== undefined && key in kept) values[el.dataset.el] = kept[key];
  }
  writeValues(root, values);
}
