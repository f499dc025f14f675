// `digest:`: when the weekly numbers are posted (a cron pattern in the incident time zone) and where.

import { Cron } from "croner";
import { z } from "zod";
import { channelRef } from "./values.ts";
import type { ConfigFile } from "../yaml-source.ts";

/** Five fields (minute hour day month weekday), or six with seconds first; read by croner. */
const cronPattern = z.string({ error: 'expected a cron pattern such as "0 9 * * 1" (09:00 every Monday)' }).trim().superRefine((text, ctx) => {
  const fields = text.split(/\s+/).length;
  if (fields !== 5 && fields !== 6) {
    ctx.addIssue({ code: "custom", message: `expected a cron pattern of five fields (minute hour day month weekday), or six with seconds first, such as "0 9 * * 1" (got ${fields} fields)` });
    return;
  }
  try {
    new Cron(text, { paused: true });
  } catch (err) {
    ctx.addIssue({ code: "custom", message: `expected a cron pattern such as "0 9 * * 1": ${(err as Error).message.replace(/^CronPattern: /, "")}` });
  }
});

export const digestSchema = z.strictObject({ cron: cronPattern, channel: channelRef.optional() }, { error: 'expected a mapping such as { cron: "0 9 * * 1", channel: incidents }' });

/** The digest's schedule and channel (announce_channel when it names none); unset: no digest. */
export function readDigest(source: ConfigFile, raw: z.output<typeof digestSchema> | undefined, announceChannel: string | undefined): { cron: string; channel: string } | undefined {
  if (!raw) return undefined;
  const channel = raw.channel ?? announceChannel;
  if (!channel) throw source.problem(["digest", "channel"], "expected a channel for the digest (or set announce_channel, its default)");
  return { cron: raw.cron, channel };
}
