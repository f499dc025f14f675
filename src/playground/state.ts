// What Slack sends back about a person's inputs: a view's `state.values` and a block action's `actions`
// entry, built from the blocks the app sent and the raw values the page read from its controls
// (a string, or a list for multi-selects and checkboxes). Pure.

import { blockId, elementAt, optionsOf } from "./blocks.ts";

type Json = Record<string, unknown>;

function str(v: unknown): string {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : "";
}

export type RawValues = Readonly<Record<string, string | readonly string[]>>;

function one(v: string | readonly string[] | undefined): string {
  return typeof v === "string" ? v : (v?.[0] ?? "");
}

function many(v: string | readonly string[] | undefined): string[] {
  if (v === undefined) return [];
  return typeof v === "string" ? (v === "" ? [] : [v]) : [...v];
}

function option(el: Json, value: string): Json | null {
  if (value === "") return null;
  const source = str(el.type) === "overflow" || el.type === "checkboxes" || el.type === "radio_buttons" ? ((el.options as Json[] | undefined) ?? []) : optionsOf(el);
  const found = source.find((o) => o.value === value);
  return found ? { text: found.text, value: found.value, ...(found.description ? { description: found.description } : {}) } : null;
}

/** `<input type=datetime-local>` gives local "YYYY-MM-DDTHH:mm" read as UTC by the page; Slack sends unix seconds. */
function unixOf(local: string): number | null {
  if (local === "") return null;
  const ms = Date.parse(`${local}:00Z`);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}

/** The state Slack reports for one element: its type and its value in the element's own key. */
export function elementState(el: Json, raw: string | readonly string[] | undefined): Json | undefined {
  const type = str(el.type);
  switch (type) {
    case "plain_text_input":
    case "email_text_input":
    case "url_text_input":
    case "number_input": {
      const v = one(raw);
      return { type, value: v === "" ? null : v };
    }
    case "static_select":
      return { type, selected_option: option(el, one(raw)) };
    case "multi_static_select":
      return { type, selected_options: many(raw).map((v) => option(el, v)).filter((o) => o !== null) };
    case "radio_buttons":
      return { type, selected_option: option(el, one(raw)) };
    case "checkboxes":
      return { type, selected_options: many(raw).map((v) => option(el, v)).filter((o) => o !== null) };
    case "users_select":
      return { type, selected_user: one(raw) || null };
    case "multi_users_select":
      return { type, selected_users: many(raw) };
    case "conversations_select":
      return { type, selected_conversation: one(raw) || null };
    case "channels_select":
      return { type, selected_channel: one(raw) || null };
    case "multi_conversations_select":
      return { type, selected_conversations: many(raw) };
    case "multi_channels_select":
      return { type, selected_channels: many(raw) };
    case "datepicker":
      return { type, selected_date: one(raw) || null };
    case "timepicker":
      return { type, selected_time: one(raw) || null };
    case "datetimepicker":
      return { type, selected_date_time: unixOf(one(raw)) };
    default:
      return undefined;
  }
}

/** `view.state.values`: block_id → action_id → state, for every stateful element of the view. */
export function viewState(blockList: unknown, raw: RawValues): Record<string, Record<string, Json>> {
  const values: Record<string, Record<string, Json>> = {};
  const blocks = Array.isArray(blockList) ? (blockList as Json[]) : [];
  blocks.forEach((b, i) => {
    const locs = b.type === "input" ? [`${i}.0`] : b.type === "section" && b.accessory ? [`${i}.a`] : b.type === "actions" ? ((b.elements as unknown[] | undefined) ?? []).map((_, j) => `${i}.${j}`) : [];
    for (const loc of locs) {
      const found = elementAt(blocks, loc);
      if (!found) continue;
      // an input nobody touched reports its initial value, as Slack does
      const state = elementState(found.element, raw[loc] ?? initialRaw(found.element));
      if (!state) continue;
      const actionId = str(found.element.action_id) || `a${loc}`;
      values[blockId(b, i)] = { ...values[blockId(b, i)], [actionId]: state };
    }
  });
  return values;
}

function initialRaw(el: Json): string | string[] | undefined {
  const o = (v: unknown) => str((v as Json | undefined)?.value);
  if (el.initial_value !== undefined) return str(el.initial_value);
  if (el.initial_option !== undefined) return o(el.initial_option);
  if (Array.isArray(el.initial_options)) return el.initial_options.map(o);
  if (typeof el.initial_user === "string") return el.initial_user;
  if (Array.isArray(el.initial_users)) return el.initial_users.map(String);
  if (typeof el.initial_date === "string") return el.initial_date;
  if (typeof el.initial_time === "string") return el.initial_time;
  if (typeof el.initial_date_time === "number") return new Date(el.initial_date_time * 1000).toISOString().slice(0, 16);
  return undefined;
}

/** The `actions[0]` of a block_actions payload for the element at `loc`. */
export function actionOf(blockList: unknown, loc: string, raw: string | readonly string[] | undefined): Json | undefined {
  const found = elementAt(blockList, loc);
  if (!found) return undefined;
  const el = found.element;
  const base = { action_id: str(el.action_id), block_id: blockId(found.block, found.blockIndex), type: str(el.type), action_ts: (Date.now() / 1000).toFixed(6) };
  if (el.type === "button") return { ...base, text: el.text, ...(el.value !== undefined ? { value: el.value } : {}), ...(el.style ? { style: el.style } : {}) };
  if (el.type === "overflow") return { ...base, selected_option: option(el, one(raw)) };
  const state = elementState(el, raw);
  if (!state) return undefined;
  return { ...base, ...state };
}
