// `webhooks:`: the endpoints every event is POSTed to, signed with a secret read from the
// environment variable each names.

import { z } from "zod";
import { createHash } from "node:crypto";
import { WEBHOOK_EVENT_TYPES, type WebhookEndpoint, type WebhookEventType } from "../../domain/webhooks.ts";
import { httpUrl } from "./values.ts";
import type { ConfigFile } from "../yaml-source.ts";

export const webhookSchema = z.strictObject(
  {
    url: httpUrl("the endpoint's URL"),
    events: z
      .array(z.enum(WEBHOOK_EVENT_TYPES, { error: (i) => `"${String(i.input)}" is not an event type (expected one of ${WEBHOOK_EVENT_TYPES.join(", ")})` }), { error: "expected a list of event types, such as [incident.declared, incident.resolved]" })
      .min(1, "expected at least one event type (leave events out for all of them)")
      .optional(),
    // before secret_env, so a secret written in the file is what is said
    secret: z
      .unknown()
      .refine(() => false, { error: "a secret is never written in this file: put it in an environment variable and name that with secret_env" })
      .optional(),
    secret_env: z
      .string({ error: "expected the name of the environment variable that holds the endpoint's secret (whsec_…)" })
      .trim()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,99}$/, "expected an environment variable's name, such as WARROOM_WEBHOOK_SECRET"),
    include_private: z.boolean({ error: "expected true or false" }).default(false),
  },
  { error: "expected a mapping such as { url: https://…, secret_env: WARROOM_WEBHOOK_SECRET }" },
);


/** A Standard Webhooks secret: whsec_ and the base64 of 24 to 64 random bytes. */
const SECRET = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

/** `webhooks:`: each secret read from the variable it names (never from the file), said with its line when missing. */
export function readWebhooks(source: ConfigFile, raw: z.output<typeof webhookSchema>[], env: Readonly<Record<string, string | undefined>>): WebhookEndpoint[] {
  const seen = new Map<string, number>();
  return raw.map((w, i) => {
    const prev = seen.get(w.url);
    if (prev !== undefined) throw source.problem(["webhooks", i, "url"], `repeats webhooks[${prev}].url; each endpoint once (list the events it wants instead)`);
    seen.set(w.url, i);
    const secret = env[w.secret_env]?.trim();
    if (!secret) throw source.problem(["webhooks", i, "secret_env"], `the environment variable ${w.secret_env} is not set: it holds this endpoint's signing secret (whsec_ and base64, e.g. whsec_$(openssl rand -base64 32))`);
    const m = SECRET.exec(secret);
    const bytes = m ? Buffer.from(m[1] as string, "base64").length : 0;
    if (!m || bytes < 24 || bytes > 64) throw source.problem(["webhooks", i, "secret_env"], `${w.secret_env} must be whsec_ followed by the base64 of 24 to 64 random bytes, e.g. whsec_$(openssl rand -base64 32) (its value is not shown)`);
    return {
      key: createHash("sha256").update(w.url).digest("hex").slice(0, 16),
      url: w.url,
      events: [...new Set<WebhookEventType>(w.events ?? WEBHOOK_EVENT_TYPES)],
      secret,
      secretEnv: w.secret_env,
      includePrivate: w.include_private,
    };
  });
}
