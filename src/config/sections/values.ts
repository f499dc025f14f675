// The kinds of value several sections use: durations, channels, prefixes and URLs, each with the
// line a person reads when it is wrong.

import { Duration } from "luxon";
import { z } from "zod";

export function parseDuration(text: string): Duration | undefined {
  const d: Duration = Duration.fromISO(text.trim());
  return d.isValid && d.toMillis() > 0 ? d : undefined;
}

export const isoDuration = (what: string) =>
  z.string({ error: `expected an ISO-8601 duration for ${what}, such as PT30M or P2D` }).transform((text, ctx) => {
    const d = parseDuration(text);
    if (!d) {
      ctx.addIssue({ code: "custom", message: `expected a positive ISO-8601 duration for ${what}, such as PT30M or P2D (got "${text}")` });
      return z.NEVER;
    }
    return d;
  });

export const channelRef = z
  .string({ error: "expected a channel id (C0123ABCD) or a channel name" })
  .trim()
  .transform((s) => s.replace(/^#/, ""))
  .pipe(z.string().regex(/^(?:[CG][A-Z0-9]{6,}|[a-z0-9_-]{1,80})$/, "expected a channel id (C0123ABCD) or a channel name (lowercase, digits, - and _)"));

export const prefix = (example: string) =>
  z
    .string({ error: `expected a channel prefix such as ${example}` })
    .trim()
    .regex(/^[a-z0-9][a-z0-9_-]{0,19}$/, `expected lowercase letters, digits, - or _ (at most 20 characters), such as ${example}`);

export const httpUrl = (what: string) =>
  z
    .string({ error: `expected ${what}, an http(s) URL` })
    .trim()
    .refine(
      (u) => {
        try {
          const url = new URL(u);
          return (url.protocol === "https:" || url.protocol === "http:") && url.hostname !== "";
        } catch {
          return false;
        }
      },
      { error: (i) => `expected ${what}, an http(s) URL (got "${String(i.input).slice(0, 80)}")` },
    );
