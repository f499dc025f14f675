// Block Kit as HTML, for messages, modals and the App Home: header, section (text, fields, accessory),
// context, divider, actions, input, image, rich_text and markdown; buttons, selects (static, users,
// conversations, multi), overflow menus, date and time pickers, checkboxes, radio buttons, text inputs.
// Each interactive element carries `data-el="<block>.<element>"` (its place in the blocks), which the
// page sends back; the playground then builds Slack's payload from the blocks it holds. Pure.

import { Marked } from "marked";
import { dateToken, emojify, escapeHtml, link, type Names, plain, textObject } from "./mrkdwn.ts";

type Json = Record<string, unknown>;

export interface Person {
  id: string;
  name: string;
}

export interface BlockContext {
  names: Names;
  /** Who a users_select offers. */
  people: readonly Person[];
  /** What a conversations/channels select offers. */
  channels: readonly Person[];
  /** Field errors a modal submission returned, by block_id. */
  errors?: Readonly<Record<string, string>>;
}

function obj(v: unknown): Json {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : {};
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function s(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function attr(v: string): string {
  return escapeHtml(v);
}

// ---------- elements ----------

function optionLabel(o: unknown, ctx: BlockContext): string {
  return textObject(obj(o).text, ctx.names);
}

function optionText(o: unknown): string {
  return s(obj(obj(o).text).text);
}

/** Every option of a static select, its groups flattened. */
export function optionsOf(el: Json): Json[] {
  const direct = list(el.options).map(obj);
  const grouped = list(el.option_groups).flatMap((g) => list(obj(g).options).map(obj));
  return [...direct, ...grouped];
}

function selectOptions(options: { value: string; label: string }[], selected: Set<string>, placeholder: string | undefined, multi: boolean): string {
  const head = !multi ? `<option value="">${escapeHtml(placeholder ?? "Select an item")}</option>` : "";
  return head + options.map((o) => `<option value="${attr(o.value)}"${selected.has(o.value) ? " selected" : ""}>${escapeHtml(o.label)}</option>`).join("");
}

function placeholderOf(el: Json): string | undefined {
  const p = s(obj(el.placeholder).text);
  return p === "" ? undefined : p;
}

function unixToLocalInput(unix: unknown): string {
  if (typeof unix !== "number") return "";
  return new Date(unix * 1000).toISOString().slice(0, 16);
}

/** One element; `loc` is its data-el, `dispatch` whether a change is sent at once. */
export function element(el: Json, loc: string, ctx: BlockContext, dispatch: boolean): string {
  const type = s(el.type);
  const data = `data-el="${attr(loc)}" data-type="${attr(type)}"${dispatch ? " data-dispatch" : ""}`;
  const confirm = obj(el.confirm);
  const confirmAttr = Object.keys(confirm).length > 0 ? ` data-confirm="${attr(`${s(obj(confirm.title).text)}\n\n${s(obj(confirm.text).text)}`)}"` : "";
  switch (type) {
    case "button": {
      const style = s(el.style);
      const url = s(el.url);
      const label = textObject(el.text, ctx.names);
      if (url) {
        const route = ctx.names.route?.(url);
        return `<a class="bk-button ${attr(style)}" ${data} href="${attr(route ?? url)}"${route ? "" : ' target="_blank" rel="noreferrer noopener"'}>${label}</a>`;
      }
      return `<button type="button" class="bk-button ${attr(style)}" ${data}${confirmAttr}>${label}</button>`;
    }
    case "overflow": {
      const opts = list(el.options).map((o) => ({ value: s(obj(o).value), label: optionText(o) }));
      return `<select class="bk-overflow" ${data} data-dispatch aria-label="More actions"><option value="">⋯</option>${selectOptions(opts, new Set(), undefined, true)}</select>`;
    }
    case "static_select":
    case "multi_static_select": {
      const multi = type.startsWith("multi_");
      const initial = multi ? list(el.initial_options).map((o) => s(obj(o).value)) : [s(obj(el.initial_option).value)];
      const opts = optionsOf(el).map((o) => ({ value: s(o.value), label: optionText(o) }));
      return `<select class="bk-select" ${data}${multi ? " multiple" : ""}>${selectOptions(opts, new Set(initial), placeholderOf(el), multi)}</select>`;
    }
    case "users_select":
    case "multi_users_select": {
      const multi = type.startsWith("multi_");
      const initial = multi ? list(el.initial_users).map(s) : [s(el.initial_user)];
      const opts = ctx.people.map((p) => ({ value: p.id, label: p.name }));
      return `<select class="bk-select" ${data}${multi ? " multiple" : ""}>${selectOptions(opts, new Set(initial), placeholderOf(el) ?? "Select a person", multi)}</select>`;
    }
    case "conversations_select":
    case "channels_select":
    case "multi_conversations_select":
    case "multi_channels_select": {
      const multi = type.startsWith("multi_");
      const initial = multi ? [...list(el.initial_conversations), ...list(el.initial_channels)].map(s) : [s(el.initial_conversation) || s(el.initial_channel)];
      const opts = ctx.channels.map((c) => ({ value: c.id, label: `#${c.name}` }));
      return `<select class="bk-select" ${data}${multi ? " multiple" : ""}>${selectOptions(opts, new Set(initial), placeholderOf(el) ?? "Select a channel", multi)}</select>`;
    }
    case "datepicker":
      return `<input type="date" class="bk-input" ${data} value="${attr(s(el.initial_date))}">`;
    case "timepicker":
      return `<input type="time" class="bk-input" ${data} value="${attr(s(el.initial_time))}">`;
    case "datetimepicker":
      return `<input type="datetime-local" class="bk-input" ${data} value="${attr(unixToLocalInput(el.initial_date_time))}" data-utc>`;
    case "checkboxes":
    case "radio_buttons": {
      const radio = type === "radio_buttons";
      const initial = new Set(radio ? [s(obj(el.initial_option).value)] : list(el.initial_options).map((o) => s(obj(o).value)));
      const items = list(el.options)
        .map((o) => {
          const value = s(obj(o).value);
          const desc = obj(o).description ? `<div class="bk-desc">${textObject(obj(o).description, ctx.names)}</div>` : "";
          return `<label class="bk-choice"><input type="${radio ? "radio" : "checkbox"}" name="${attr(loc)}" value="${attr(value)}"${initial.has(value) ? " checked" : ""}><span>${optionLabel(o, ctx)}${desc}</span></label>`;
        })
        .join("");
      return `<div class="bk-choices" ${data}>${items}</div>`;
    }
    case "plain_text_input":
    case "email_text_input":
    case "url_text_input":
    case "number_input": {
      const ph = placeholderOf(el);
      const value = s(el.initial_value);
      const max = typeof el.max_length === "number" ? ` maxlength="${el.max_length}"` : "";
      const common = `class="bk-input" ${data}${ph ? ` placeholder="${attr(ph)}"` : ""}${max}`;
      if (el.multiline === true) return `<textarea ${common} rows="4">${escapeHtml(value)}</textarea>`;
      const inputType = type === "number_input" ? "number" : type === "email_text_input" ? "email" : type === "url_text_input" ? "url" : "text";
      return `<input type="${inputType}" ${common} value="${attr(value)}">`;
    }
    case "image":
      return image(el);
    default:
      return `<span class="bk-unknown">[${escapeHtml(type || "element")}]</span>`;
  }
}

/** Images are not fetched (nothing leaves the machine): their alt text and address instead. */
function image(el: Json): string {
  const alt = s(el.alt_text) || "image";
  const url = s(el.image_url);
  return `<span class="bk-image" title="${attr(url)}">🖼 ${escapeHtml(alt)}</span>`;
}

// ---------- rich text ----------

function styled(html: string, style: Json): string {
  let out = html;
  if (style.code) out = `<code>${out}</code>`;
  if (style.bold) out = `<strong>${out}</strong>`;
  if (style.italic) out = `<em>${out}</em>`;
  if (style.strike) out = `<del>${out}</del>`;
  return out;
}

function richInline(e: Json, ctx: BlockContext): string {
  const style = obj(e.style);
  switch (e.type) {
    case "text":
      return styled(plain(s(e.text), false), style);
    case "link":
      return styled(link(s(e.url), escapeHtml(s(e.text) || s(e.url)), ctx.names), style);
    case "user":
      return `<span class="mention user">@${escapeHtml(ctx.names.user(s(e.user_id)) ?? s(e.user_id))}</span>`;
    case "usergroup":
      return `<span class="mention group">@${escapeHtml(ctx.names.group(s(e.usergroup_id)) ?? s(e.usergroup_id))}</span>`;
    case "channel": {
      const id = s(e.channel_id);
      return `<a class="mention channel" href="#/c/${attr(id)}" data-channel="${attr(id)}">#${escapeHtml(ctx.names.channel(id) ?? id)}</a>`;
    }
    case "emoji":
      return emojify(`:${escapeHtml(s(e.name))}:`);
    case "broadcast":
      return `<span class="mention broadcast">@${escapeHtml(s(e.range))}</span>`;
    case "date":
      return dateToken(Number(e.timestamp), s(e.format), s(e.fallback) || new Date(Number(e.timestamp) * 1000).toISOString(), s(e.url) || undefined, ctx.names);
    case "color":
      return `<code>${escapeHtml(s(e.value))}</code>`;
    default:
      return "";
  }
}

function richElements(v: unknown, ctx: BlockContext): string {
  return list(v)
    .map((e) => richInline(obj(e), ctx))
    .join("")
    .replace(/\n/g, "<br>");
}

function richBlock(e: Json, ctx: BlockContext): string {
  switch (e.type) {
    case "rich_text_section":
      return `<div class="rt-section">${richElements(e.elements, ctx)}</div>`;
    case "rich_text_quote":
      return `<blockquote>${richElements(e.elements, ctx)}</blockquote>`;
    case "rich_text_preformatted":
      return `<pre>${richElements(e.elements, ctx)}</pre>`;
    case "rich_text_list": {
      const tag = e.style === "ordered" ? "ol" : "ul";
      const indent = typeof e.indent === "number" ? e.indent : 0;
      const items = list(e.elements)
        .map((item) => `<li>${richElements(obj(item).elements, ctx)}</li>`)
        .join("");
      return `<${tag} class="rt-list" style="margin-left:${indent * 1.5}em">${items}</${tag}>`;
    }
    default:
      return "";
  }
}

// ---------- markdown (canvases, markdown blocks) ----------

const markdown = new Marked({ gfm: true, breaks: false });
// raw HTML in markdown is shown as text, never as markup
markdown.use({ renderer: { html: ({ text }) => escapeHtml(text) } });

/** Markdown as HTML (canvases and `markdown` blocks); raw HTML inside is escaped, links are kept to http(s). */
export function markdownHtml(text: string): string {
  const html = markdown.parse(text, { async: false });
  return emojify(html.replace(/<a href="(?!https?:|mailto:|#)[^"]*"/g, '<a href="#"'));
}

// ---------- blocks ----------

function blockId(b: Json, i: number): string {
  return s(b.block_id) || `b${i}`;
}

function inputBlock(b: Json, i: number, ctx: BlockContext): string {
  const el = obj(b.element);
  const id = blockId(b, i);
  const error = ctx.errors?.[id];
  const hint = b.hint ? `<div class="bk-hint">${textObject(b.hint, ctx.names)}</div>` : "";
  const optional = b.optional === true ? ' <span class="bk-optional">(optional)</span>' : "";
  return (
    `<div class="bk-block bk-inputblock${error ? " has-error" : ""}" data-block="${attr(id)}"${b.optional === true ? "" : " data-required"}>` +
    `<label class="bk-label">${textObject(b.label, ctx.names)}${optional}</label>` +
    element(el, `${i}.0`, ctx, b.dispatch_action === true) +
    hint +
    (error ? `<div class="bk-error" role="alert">${plain(error)}</div>` : "") +
    `</div>`
  );
}

export function block(b: Json, i: number, ctx: BlockContext, surface: "message" | "modal" | "home"): string {
  // a section's accessory and an actions block's elements send their change at once, on every surface;
  // an input block's element only with dispatch_action
  switch (b.type) {
    case "header":
      return `<div class="bk-block bk-header">${textObject(b.text, ctx.names)}</div>`;
    case "divider":
      return `<hr class="bk-block bk-divider">`;
    case "section": {
      const text = b.text ? `<div class="bk-text">${textObject(b.text, ctx.names)}</div>` : "";
      const fields = list(b.fields).length > 0 ? `<div class="bk-fields">${list(b.fields).map((f) => `<div class="bk-field">${textObject(f, ctx.names)}</div>`).join("")}</div>` : "";
      const acc = b.accessory ? `<div class="bk-accessory">${element(obj(b.accessory), `${i}.a`, ctx, true)}</div>` : "";
      return `<div class="bk-block bk-section"><div class="bk-main">${text}${fields}</div>${acc}</div>`;
    }
    case "context":
      return `<div class="bk-block bk-context">${list(b.elements)
        .map((e) => (obj(e).type === "image" ? image(obj(e)) : `<span>${textObject(e, ctx.names)}</span>`))
        .join("")}</div>`;
    case "actions":
      return `<div class="bk-block bk-actions">${list(b.elements)
        .map((e, j) => element(obj(e), `${i}.${j}`, ctx, true))
        .join("")}</div>`;
    case "input":
      return inputBlock(b, i, ctx);
    case "image":
      return `<div class="bk-block">${b.title ? `<div class="bk-text">${textObject(b.title, ctx.names)}</div>` : ""}${image(b)}</div>`;
    case "rich_text":
      return `<div class="bk-block bk-rich">${list(b.elements).map((e) => richBlock(obj(e), ctx)).join("")}</div>`;
    case "markdown":
      return `<div class="bk-block bk-markdown">${markdownHtml(s(b.text))}</div>`;
    default:
      return `<div class="bk-block bk-unknown">[${escapeHtml(s(b.type) || "block")} block${surface === "message" ? "" : ` in a ${surface}`}]</div>`;
  }
}

export function blocks(list_: unknown, ctx: BlockContext, surface: "message" | "modal" | "home"): string {
  return list(list_)
    .map((b, i) => block(obj(b), i, ctx, surface))
    .join("");
}

/** The element a data-el names, in the blocks it came from. */
export function elementAt(blockList: unknown, loc: string): { block: Json; blockIndex: number; element: Json } | undefined {
  const [bi, ei] = loc.split(".");
  const blockIndex = Number(bi);
  const b = obj(list(blockList)[blockIndex]);
  if (!Number.isInteger(blockIndex) || Object.keys(b).length === 0) return undefined;
  let el: Json;
  if (ei === "a") el = obj(b.accessory);
  else if (b.type === "input" && ei === "0") el = obj(b.element);
  else el = obj(list(b.elements)[Number(ei)]);
  if (Object.keys(el).length === 0) return undefined;
  return { block: b, blockIndex, element: el };
}

export { blockId };
