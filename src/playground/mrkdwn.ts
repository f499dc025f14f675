// Slack's text formats as HTML, for the playground's page: mrkdwn (bold, italic, strike, code, code
// blocks, quotes, mentions, channel links, links, `<!date^…>` tokens, :emoji:) and plain_text.
// Pure: everything the page shows passes through `escapeHtml` here, so a message cannot inject markup.

import { escapeHtml } from "../domain/text.ts";
import { emojiFor } from "./emoji.ts";

export { escapeHtml };

/** Names for the ids a message mentions. */
export interface Names {
  user(id: string): string | undefined;
  channel(id: string): string | undefined;
  group(id: string): string | undefined;
  /** A Slack address that has a place in the page (a permalink, a canvas, a file): its `#/…` route. */
  route?(url: string): string | undefined;
}


/** Slack escapes &, < and > in message text; the page escapes again for HTML. */
function decodeSlack(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

export function emojify(html: string): string {
  return html.replace(/:([a-z0-9_+-]+):/g, (whole, name: string) => {
    const e = emojiFor(name);
    return e === undefined ? whole : `<span class="emoji" title=":${name}:">${e}</span>`;
  });
}

/** A link the page can follow: http(s) and mailto only; anything else is shown as text. */
export function safeHref(url: string): string | undefined {
  return /^(https?:|mailto:)/i.test(url) ? url : undefined;
}

export function link(url: string, label: string, names?: Names): string {
  const route = names?.route?.(url);
  if (route !== undefined) return `<a href="${escapeHtml(route)}">${label}</a>`;
  const href = safeHref(url);
  if (href === undefined) return escapeHtml(label);
  return `<a href="${escapeHtml(href)}" target="_blank" rel="noreferrer noopener">${label}</a>`;
}

/** A `<time>` the page's script writes in the viewer's time zone, with Slack's fallback until then. */
export function dateToken(unix: number, format: string, fallback: string, url?: string, names?: Names): string {
  const iso = Number.isFinite(unix) ? new Date(unix * 1000).toISOString() : "";
  const inner = `<time datetime="${iso}" data-format="${escapeHtml(format)}">${escapeHtml(fallback)}</time>`;
  return url ? link(url, inner, names) : inner;
}

function mention(label: string, kind: string): string {
  return `<span class="mention ${kind}">${escapeHtml(label)}</span>`;
}

/** One `<…>` token of mrkdwn. */
function token(inner: string, names: Names): string {
  const bar = inner.indexOf("|");
  const target = decodeSlack(bar === -1 ? inner : inner.slice(0, bar));
  const label = bar === -1 ? undefined : decodeSlack(inner.slice(bar + 1));
  if (target.startsWith("@")) {
    const id = target.slice(1);
    return mention(`@${label ?? names.user(id) ?? id}`, "user");
  }
  if (target.startsWith("#")) {
    const id = target.slice(1);
    const name = label ?? names.channel(id) ?? id;
    return `<a class="mention channel" href="#/c/${escapeHtml(id)}" data-channel="${escapeHtml(id)}">#${escapeHtml(name)}</a>`;
  }
  if (target.startsWith("!subteam^")) {
    const id = target.slice(9);
    return mention(`@${label ?? names.group(id) ?? id}`, "group");
  }
  if (target.startsWith("!date^")) {
    const [, unix = "", format = "", url] = target.split("^");
    return dateToken(Number(unix), format, label ?? "", url, names);
  }
  if (target === "!here" || target === "!channel" || target === "!everyone") return mention(`@${target.slice(1)}`, "broadcast");
  if (target.startsWith("!")) return escapeHtml(label ?? target);
  return link(target, escapeHtml(label ?? target.replace(/^mailto:/, "")), names);
}

const STYLES: [RegExp, string][] = [
  [/(^|[\s(>~_])\*(?=\S)([^*\n]*?\S)\*(?=$|[\s).,!?:;<~_'"-])/g, "strong"],
  [/(^|[\s(>*~])_(?=\S)([^_\n]*?\S)_(?=$|[\s).,!?:;<*~'"-])/g, "em"],
  [/(^|[\s(>*_])~(?=\S)([^~\n]*?\S)~(?=$|[\s).,!?:;<*_'"-])/g, "del"],
];

/** Text outside code: tokens, then escaping, then styles and emoji. */
function inline(text: string, names: Names): string {
  const tokens: string[] = [];
  const held = text.replace(/<([^<>\n]+)>/g, (_, inner: string) => {
    tokens.push(token(inner, names));
    return `\uE000${tokens.length - 1}\uE001`;
  });
  let html = escapeHtml(decodeSlack(held));
  for (const [re, tag] of STYLES) html = html.replace(re, (_, before: string, body: string) => `${before}<${tag}>${body}</${tag}>`);
  html = emojify(html);
  return html.replace(/\uE000(\d+)\uE001/g, (_, i: string) => tokens[Number(i)] ?? "");
}

/** A line's inline code spans kept verbatim, the rest formatted. */
function spans(text: string, names: Names): string {
  return text
    .split(/(`[^`\n]+`)/)
    .map((part) => (/^`[^`\n]+`$/.test(part) ? `<code>${escapeHtml(decodeSlack(part.slice(1, -1)))}</code>` : inline(part, names)))
    .join("");
}

/** Lines, with `>` quotes grouped into one block. */
function paragraphs(text: string, names: Names): string {
  const out: string[] = [];
  let quote: string[] = [];
  const flush = () => {
    if (quote.length > 0) out.push(`<blockquote>${quote.join("<br>")}</blockquote>`);
    quote = [];
  };
  const lines = text.split("\n");
  lines.forEach((line, i) => {
    const q = /^(?:&gt;|>)\s?(.*)$/.exec(line);
    if (q) {
      quote.push(spans(q[1] ?? "", names));
      return;
    }
    flush();
    out.push(spans(line, names) + (i < lines.length - 1 ? "<br>" : ""));
  });
  flush();
  return out.join("");
}

/** mrkdwn as HTML. */
export function mrkdwn(text: string, names: Names): string {
  return text
    .split(/```/)
    .map((part, i) => (i % 2 === 1 ? `<pre>${escapeHtml(decodeSlack(part.replace(/^\n/, "")))}</pre>` : paragraphs(part, names)))
    .join("");
}

/** plain_text as HTML (emoji shortcodes shown as emoji, as Slack does with emoji: true). */
export function plain(text: string, emoji = true): string {
  const html = escapeHtml(text).replace(/\n/g, "<br>");
  return emoji ? emojify(html) : html;
}

/** A Block Kit text object (plain_text or mrkdwn). */
export function textObject(t: unknown, names: Names): string {
  if (typeof t !== "object" || t === null) return "";
  const o = t as { type?: unknown; text?: unknown; emoji?: unknown };
  const text = typeof o.text === "string" ? o.text : "";
  return o.type === "mrkdwn" ? mrkdwn(text, names) : plain(text, o.emoji !== false);
}
