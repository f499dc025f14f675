// Zod schemas for what Slack sends us. Nothing from a payload is used before it passes one of these:
// not the command text, not a button's value, not private_metadata, not view state.

import { z } from "zod";

const slackId = (prefix: string) => z.string().regex(new RegExp(`^[${prefix}][A-Z0-9]{2,}$`), "malformed Slack id");

export const userId = slackId("UW");
export const channelId = slackId("CGD");
export const teamId = slackId("TE");

export const slashCommand = z.object({
  command: z.string().min(2),
  // generous: the parser names the limit of each field (a 10 kB title gets "keep it under 200")
  text: z.string().max(40_000).default(""),
  user_id: userId,
  user_name: z.string().optional(),
  channel_id: channelId,
  channel_name: z.string().optional(),
  team_id: teamId,
  trigger_id: z.string().min(1).max(500),
  response_url: z.url({ protocol: /^https?$/ }).optional(),
});
export type SlashCommand = z.infer<typeof slashCommand>;

const interactionUser = z.object({ id: userId, team_id: teamId.optional(), name: z.string().optional() });

export const blockAction = z.object({
  type: z.literal("block_actions"),
  user: interactionUser,
  team: z.object({ id: teamId }).nullable().optional(),
  trigger_id: z.string().min(1).max(500),
  response_url: z.url().optional(),
  channel: z.object({ id: channelId }).optional(),
  container: z.record(z.string(), z.unknown()).optional(),
  message: z.object({ ts: z.string(), blocks: z.array(z.unknown()).optional() }).passthrough().optional(),
  /** For an action inside a form: the form as it is now (id, hash, hidden data, what was typed). */
  view: z
    .object({ id: z.string(), hash: z.string().optional(), callback_id: z.string().optional(), private_metadata: z.string().max(3000).default(""), state: z.object({ values: z.record(z.string(), z.record(z.string(), z.unknown())) }).optional() })
    .passthrough()
    .optional(),
  actions: z
    .array(
      z.object({
        action_id: z.string().max(255),
        block_id: z.string().max(255).optional(),
        action_ts: z.string().optional(),
        value: z.string().max(2000).optional(),
        selected_user: userId.optional(),
        selected_option: z.object({ value: z.string().max(150) }).optional(),
        selected_options: z.array(z.object({ value: z.string().max(150) })).max(100).optional(),
      }),
    )
    .min(1),
});
export type BlockAction = z.infer<typeof blockAction>;

const stateValue = z
  .object({
    type: z.string(),
    value: z.string().nullable().optional(),
    selected_user: z.string().nullable().optional(),
    selected_option: z.object({ value: z.string() }).nullable().optional(),
    selected_options: z.array(z.object({ value: z.string() })).optional(),
    selected_date: z.string().nullable().optional(),
    selected_date_time: z.number().int().nullable().optional(),
  })
  .passthrough();

export const viewSubmission = z.object({
  type: z.literal("view_submission"),
  user: interactionUser,
  team: z.object({ id: teamId }).nullable().optional(),
  trigger_id: z.string().optional(),
  view: z.object({
    id: z.string().min(1),
    callback_id: z.string().max(255),
    private_metadata: z.string().max(3000).default(""),
    hash: z.string().optional(),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), stateValue)) }),
  }),
});
export type ViewSubmission = z.infer<typeof viewSubmission>;

export const messageShortcut = z.object({
  type: z.literal("message_action"),
  callback_id: z.string(),
  trigger_id: z.string(),
  user: interactionUser,
  team: z.object({ id: teamId }).nullable().optional(),
  channel: z.object({ id: channelId }),
  message_ts: z.string(),
  response_url: z.url().optional(),
  message: z
    .object({
      ts: z.string(),
      text: z.string().default(""),
      user: z.string().optional(),
      bot_id: z.string().optional(),
    })
    .passthrough(),
});
export type MessageShortcut = z.infer<typeof messageShortcut>;

/** Reads one input's value out of view state, by block id. */
export function stateOf(values: ViewSubmission["view"]["state"]["values"], block: string) {
  const entry = values[block];
  if (!entry) return undefined;
  return Object.values(entry)[0];
}

const incidentFormMetadata = z.object({ incidentId: z.uuid() });

/**
 * A submitted form about one incident (update, resolve): the submission and the incident its hidden
 * data names, or undefined when either cannot be read (the data is ours, but it comes back through Slack).
 */
export function incidentForm(body: unknown): { form: ViewSubmission; incidentId: string } | undefined {
  const parsed = viewSubmission.safeParse(body);
  if (!parsed.success) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(parsed.data.view.private_metadata);
  } catch {
    return undefined;
  }
  const meta = incidentFormMetadata.safeParse(raw);
  return meta.success ? { form: parsed.data, incidentId: meta.data.incidentId } : undefined;
}
