// `severities:`: the ladder, each with its cadence, roles it expects, whom it notifies and how fast
// someone must respond; ids unique.

import { z } from "zod";
import { DEFAULT_SEVERITIES, type NotifyTarget, notifyTarget, type Severity, type SeverityLadder, severityKey } from "../../domain/severity.ts";
import { isoDuration, parseDuration } from "./values.ts";
import type { ConfigFile } from "../yaml-source.ts";

const cadence = z
  .string({ error: "expected an ISO-8601 duration such as PT30M, or null for no reminders" })
  .nullable()
  .transform((text, ctx) => {
    if (text === null) return null;
    const d = parseDuration(text);
    if (!d) {
      ctx.addIssue({ code: "custom", message: `expected an ISO-8601 duration such as PT30M, or null for no reminders (got "${text}")` });
      return z.NEVER;
    }
    return d;
  });

export const severitySchema = z.strictObject({
  id: z
    .string({ error: "expected a severity id such as SEV1" })
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$/, "expected a severity id of letters, digits, - or _ (at most 20), such as SEV1"),
  label: z.string({ error: "expected a short label such as Critical" }).trim().min(1, "expected a short label such as Critical").max(30),
  description: z.string({ error: "expected a one-line description shown in the declare form" }).trim().min(1).max(150, "keep the description under 150 characters (it is shown in a Slack menu)"),
  cadence,
  requires_ic: z.boolean({ error: "expected true or false" }).default(false),
  expects_comms_lead: z.boolean({ error: "expected true or false" }).default(false),
  postmortem_required: z.boolean({ error: "expected true or false" }).default(false),
  notify: z
    .array(
      z
        .string({ error: "expected a Slack id: a person (U…), a user group (S…) or a channel (C…)" })
        .trim()
        .refine((id) => notifyTarget(id) !== undefined, { error: (i) => `expected a Slack id: a person (U0123ABCD), a user group (S0123ABCD) or a channel (C0123ABCD) (got "${String(i.input)}")` }),
      { error: "expected a list of Slack ids (people U…, user groups S…, channels C…)" },
    )
    .max(100, "at most 100 people, groups and channels per severity")
    .default([]),
  respond_within: isoDuration("respond_within").optional(),
  notify_drills: z.boolean({ error: "expected true or false" }).default(false),
});

function toLadder(raw: z.output<typeof severitySchema>[]): SeverityLadder {
  return raw.map(
    (s): Severity => ({
      id: s.id,
      label: s.label,
      description: s.description,
      cadence: s.cadence,
      requiresIc: s.requires_ic,
      expectsCommsLead: s.expects_comms_lead,
      postmortemRequired: s.postmortem_required,
      notify: [...new Set(s.notify)].map((id) => notifyTarget(id) as NotifyTarget),
      respondWithin: s.respond_within ?? null,
      notifyDrills: s.notify_drills,
    }),
  );
}

/** The ladder the file gives (or the default one), each id once. */
export function readSeverities(source: ConfigFile, raw: z.output<typeof severitySchema>[] | undefined): SeverityLadder {
  const severities = raw ? toLadder(raw) : DEFAULT_SEVERITIES;
  const seen = new Map<string, number>();
  severities.forEach((s, i) => {
    const key = severityKey(s.id);
    const prev = seen.get(key);
    if (prev !== undefined) {
      throw source.problem(["severities", i, "id"], `"${s.id}" repeats severities[${prev}].id; ids must be unique`);
    }
    seen.set(key, i);
  });
  return severities;
}
