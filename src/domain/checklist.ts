// The live checklist: the framework's Incident Response Checklist as data, parsed strictly from
// Markdown (`### Phase` headings, `- [ ] item` lines, an item ending in `<!-- auto: KEY -->` is ticked
// by the bot when KEY happens), and the arithmetic of its state. Pure.

/** What happens, that ticks an item by itself. */
export const AUTO_KEYS = [
  "declared",
  "channel_created",
  "ic_assigned",
  "roles_assigned",
  "first_update",
  "announced_update",
  "status_page",
  "resolved",
  "postmortem_drafted",
  "action_items",
  "closed",
] as const;
export type AutoKey = (typeof AUTO_KEYS)[number];

export interface ChecklistItem {
  readonly phase: string;
  readonly text: string;
  readonly auto: AutoKey | null;
}

/** Slack shows at most this many characters of a checkbox's label. */
export const ITEM_MAX = 75;
/** A phase heading is a section's text; kept short so the message stays readable. */
export const PHASE_MAX = 60;
/** A message holds 50 blocks: the header, the progress line and up to 45 phase sections. */
export const SECTIONS_MAX = 45;
/** Slack allows at most 10 options in one checkboxes element: a longer phase is split. */
export const OPTIONS_PER_ELEMENT = 10;

export type ParsedChecklist = { ok: true; items: ChecklistItem[] } | { ok: false; line: number; reason: string };

/** The sections a checklist takes in a message: each phase, in pieces of at most 10 items. */
export function sectionsOf<T extends { phase: string }>(items: readonly T[]): { phase: string; part: number; items: T[] }[] {
  const out: { phase: string; part: number; items: T[] }[] = [];
  for (const item of items) {
    const last = out.at(-1);
    if (last && last.phase === item.phase && last.items.length < OPTIONS_PER_ELEMENT) last.items.push(item);
    else out.push({ phase: item.phase, part: last && last.phase === item.phase ? last.part + 1 : 1, items: [item] });
  }
  return out;
}

const AUTO = /\s*<!--\s*auto:\s*([^\s>]*)\s*-->\s*$/;

export function parseChecklist(source: string): ParsedChecklist {
  const items: ChecklistItem[] = [];
  let phase: { name: string; line: number; count: number } | undefined;
  const lines = source.split(/\r?\n/);
  let inComment = false;
  const endPhase = (): ParsedChecklist | undefined => (phase && phase.count === 0 ? { ok: false, line: phase.line, reason: `the phase "${phase.name}" has no items` } : undefined);
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const raw = lines[i] as string;
    const line = raw.trim();
    if (inComment) {
      if (line.includes("-->")) inComment = false;
      continue;
    }
    if (line === "") continue;
    if (line.startsWith("<!--")) {
      if (!line.includes("-->")) inComment = true;
      else if (!line.endsWith("-->")) return { ok: false, line: n, reason: "expected nothing after a comment on its line" };
      continue;
    }
    const heading = /^(#{1,6})\s+(.+?)\s*#*$/.exec(line);
    if (heading) {
      const level = (heading[1] as string).length;
      if (level < 3) continue; // the document's title
      if (level > 3) return { ok: false, line: n, reason: "expected a phase heading of three #s (### Detection)" };
      const empty = endPhase();
      if (empty) return empty;
      const name = (heading[2] as string).trim();
      if (name.length > PHASE_MAX) return { ok: false, line: n, reason: `the phase name is ${name.length} characters; keep it under ${PHASE_MAX}` };
      if (items.some((it) => it.phase === name)) return { ok: false, line: n, reason: `the phase "${name}" appears twice` };
      phase = { name, line: n, count: 0 };
      continue;
    }
    const item = /^[-*]\s+\[\s\]\s+(.*)$/.exec(line);
    if (!item) {
      if (/^[-*]\s+\[[xX]\]/.test(line)) return { ok: false, line: n, reason: "an item starts unticked: write - [ ] item" };
      return { ok: false, line: n, reason: "expected a phase heading (### Phase), an item (- [ ] item) or a blank line" };
    }
    if (!phase) return { ok: false, line: n, reason: "an item before the first phase heading (### Phase)" };
    let text = (item[1] as string).trim();
    let auto: AutoKey | null = null;
    const m = AUTO.exec(text);
    if (m) {
      const key = m[1] as string;
      if (!(AUTO_KEYS as readonly string[]).includes(key)) return { ok: false, line: n, reason: `unknown auto key "${key}": use one of ${AUTO_KEYS.join(", ")}` };
      auto = key as AutoKey;
      text = text.slice(0, m.index).trim();
    } else if (text.includes("<!--")) {
      return { ok: false, line: n, reason: "expected <!-- auto: KEY --> at the end of the item" };
    }
    if (text === "") return { ok: false, line: n, reason: "the item has no text" };
    if (text.length > ITEM_MAX) return { ok: false, line: n, reason: `the item is ${text.length} characters; Slack shows at most ${ITEM_MAX} in a checkbox` };
    items.push({ phase: phase.name, text, auto });
    phase.count += 1;
  }
  if (inComment) return { ok: false, line: lines.length, reason: "a comment is never closed (-->)" };
  const empty = endPhase();
  if (empty) return empty;
  if (items.length === 0) return { ok: false, line: 1, reason: "the checklist has no phases (### Phase) with items (- [ ] item)" };
  const sections = sectionsOf(items).length;
  if (sections > SECTIONS_MAX) return { ok: false, line: lines.length, reason: `the checklist needs ${sections} sections of 10 items; a Slack message holds ${SECTIONS_MAX}` };
  return { ok: true, items };
}

/** The state of one item in an incident's checklist. */
export interface ItemState {
  readonly position: number;
  readonly phase: string;
  readonly text: string;
  readonly auto: AutoKey | null;
  readonly doneAt: Date | null;
  /** A user id, or null when the bot ticked it. */
  readonly doneBy: string | null;
}

export function progress(items: readonly Pick<ItemState, "doneAt">[]): { done: number; total: number } {
  return { done: items.filter((i) => i.doneAt !== null).length, total: items.length };
}

/**
 * What a click on one checkboxes element asks: the positions the clicker ticked and unticked, from
 * what they saw (the element's options as rendered) and what is selected now. Only the difference
 * counts, so two people ticking different items of the same element at the same instant both count.
 */
export function clickDelta(shown: readonly number[], selectedBefore: readonly number[], selectedNow: readonly number[]): { tick: number[]; untick: number[] } {
  const visible = new Set(shown);
  const before = new Set(selectedBefore.filter((p) => visible.has(p)));
  const now = new Set(selectedNow.filter((p) => visible.has(p)));
  return { tick: [...now].filter((p) => !before.has(p)).sort((a, b) => a - b), untick: [...before].filter((p) => !now.has(p)).sort((a, b) => a - b) };
}
