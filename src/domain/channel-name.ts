// Incident channel names: <prefix>-YYYY-MM-DD-<slug>, the date in the configured time zone, the slug
// from the title in Slack's alphabet (lowercase ASCII letters, digits, hyphens), the whole name at
// most 80 characters. An empty slug falls back to the incident number; collisions get -2, -3, ….

import type { DateTime } from "luxon";

export const MAX_CHANNEL_NAME = 80;

export interface ChannelNameInput {
  readonly prefix: string;
  /** The declaration time, already in the configured zone. */
  readonly declaredAt: DateTime;
  readonly title: string;
  readonly number: number;
  /** 1 for the first try; n ≥ 2 appends -n (after `name_taken`). */
  readonly attempt?: number;
}

/** Lowercase ASCII letters, digits and single hyphens; accents folded ("Café" → "cafe"). */
export function slugify(title: string): string {
  return title
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .replace(/ß/g, "ss")
    .replace(/[æÆ]/g, "ae")
    .replace(/[øØ]/g, "o")
    .replace(/[łŁ]/g, "l")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** Cuts a slug to `max` characters, at a hyphen when that keeps most of it, never ending in '-'. */
function fit(slug: string, max: number): string {
  if (slug.length <= max) return slug;
  const cut = slug.slice(0, max);
  const lastHyphen = cut.lastIndexOf("-");
  const atWord = lastHyphen >= max * 0.6 ? cut.slice(0, lastHyphen) : cut;
  return atWord.replace(/-+$/, "");
}

export function channelName(input: ChannelNameInput): string {
  const date = input.declaredAt.toFormat("yyyy-MM-dd");
  const base = `${input.prefix}-${date}-`;
  const attempt = input.attempt ?? 1;
  const suffix = attempt > 1 ? `-${attempt}` : "";
  const room = MAX_CHANNEL_NAME - base.length - suffix.length;
  const slug = fit(slugify(input.title), room) || fit(`inc-${input.number}`, room);
  return `${base}${slug}${suffix}`;
}

/** Slack's own rule for channel names, used to check what we produce. */
export function isValidChannelName(name: string): boolean {
  return name.length >= 1 && name.length <= MAX_CHANNEL_NAME && /^[a-z0-9_-]+$/.test(name) && /[a-z0-9]/.test(name);
}
