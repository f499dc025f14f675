// User text, made safe. Two representations, never mixed:
// - plain text (titles, impact, detection): no markup at all; escaped whenever it is posted;
// - mrkdwn-safe text (notes, updates, reasons, summaries): ready to post as-is: `&`, `<`, `>` are
//   escaped, user mentions that Slack itself tokenised (<@U123>) are kept, and broadcasts
//   (<!channel>, <!here>, <!everyone>, user groups) are turned into harmless words.
// Slash-command text arrives in Slack's escaped form (literal < typed by a user comes as &lt;), so a
// real token can be told from a typed one; modal input arrives raw and is escaped whole.

/** C0/C1 controls (tab and newline are kept apart) and bidirectional overrides that can disguise text. */
// oxlint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

export function stripControls(text: string): string {
  return text.replace(CONTROL, "");
}

const HTML_ENTITY: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text made safe inside HTML or XML, in an element or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITY[c] ?? c);
}

export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

const TOKEN = /<([^<>]*)>/g;

const USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** Readable plain text for one Slack token body (what sits between < and >). */
function tokenToPlain(body: string): string {
  const [target = "", label] = body.split("|", 2);
  if (target.startsWith("@")) return label ? `@${label.replace(/^@/, "")}` : target;
  if (target.startsWith("#")) return label ? `#${label}` : target;
  if (target.startsWith("!subteam^")) return label ? `@${label.replace(/^@/, "")}` : "@group";
  if (target.startsWith("!date^")) return label ?? "";
  if (target.startsWith("!")) return `@${target.slice(1)}`;
  return label ? `${label} (${target})` : target;
}

/** Slash-command text → plain text: tokens become readable words, entities are decoded. */
export function slackTextToPlain(raw: string): string {
  return stripControls(unescapeSlack(raw.replace(TOKEN, (_m, body: string) => tokenToPlain(body))));
}

/**
 * Slash-command text → mrkdwn-safe text. Real user mentions survive as <@U…>; every other token is
 * made inert; the rest was already escaped by Slack and is kept as it is.
 */
export function slackTextToSafe(raw: string): string {
  const safe = raw.replace(TOKEN, (_m, body: string) => {
    const [target = ""] = body.split("|", 1);
    if (target.startsWith("@") && USER_ID.test(target.slice(1))) return `<${target}>`;
    if (target.startsWith("#") && /^#[CG][A-Z0-9]{2,}$/.test(target)) return `<${target}>`;
    if (/^https?:\/\//.test(target)) return `<${body}>`;
    return escapeMrkdwn(tokenToPlain(body));
  });
  // anything left that is not an entity or one of our tokens is re-escaped
  return stripControls(safe.replace(/&(?!amp;|lt;|gt;)/g, "&amp;"));
}

/** Modal (raw) input → mrkdwn-safe text. */
export function rawToSafe(raw: string): string {
  return escapeMrkdwn(stripControls(raw));
}

/** mrkdwn-safe text → plain text, for places without markup (topics, canvases, files). */
export function safeToPlain(safe: string, nameOf: (userId: string) => string | undefined = () => undefined): string {
  const withNames = safe.replace(TOKEN, (_m, body: string) => {
    const [target = "", label] = body.split("|", 2);
    if (target.startsWith("@")) return `@${nameOf(target.slice(1)) ?? target.slice(1)}`;
    if (target.startsWith("#")) return label ? `#${label}` : target;
    return label ? `${label} (${target})` : target;
  });
  return unescapeSlack(withNames);
}

/** A single line: newlines and runs of whitespace collapse to one space. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** Cuts to `max` characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

/**
 * Splits mrkdwn into pieces of at most `max` characters (a Block Kit section holds 3000), at a line
 * break if there is one in the second half of the piece, else at a space, and never inside an entity
 * (`&amp;`) or a token (`<@U123>`, `<!date^…>`), so each piece renders on its own.
 */
export function splitMrkdwn(text: string, max = 3000): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf("\n", max);
    if (cut < max / 2) cut = rest.lastIndexOf(" ", max);
    if (cut < max / 2) cut = max;
    // not inside <…> or &…;
    const open = rest.lastIndexOf("<", cut - 1);
    if (open !== -1 && rest.lastIndexOf(">", cut - 1) < open && open > 0) cut = open;
    const amp = rest.lastIndexOf("&", cut - 1);
    if (amp !== -1 && rest.lastIndexOf(";", cut - 1) < amp && cut - amp < 10 && amp > 0) cut = amp;
    pieces.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^[ \n]/, "");
  }
  if (rest.length > 0 || pieces.length === 0) pieces.push(rest);
  return pieces;
}
