// The declare form: title, severity with descriptions, impact, detection, Incident
// Commander (the declarer by default) and "private incident".

import type { SeverityLadder } from "../../domain/severity.ts";
import { defaultSeverity } from "../../domain/severity.ts";
import { truncate } from "../../domain/text.ts";
import { BLOCK, CALLBACK, INPUT } from "../ids.ts";

export const MODAL_TITLE_MAX = 80;

export interface DeclareModalMetadata {
  /** The slash command's response_url: the confirmation replaces nothing but lands with the declarer. */
  responseUrl?: string;
  originChannelId?: string;
}

export function declareModal(ladder: SeverityLadder, declarer: string, meta: DeclareModalMetadata): Record<string, unknown> {
  const preselected = defaultSeverity(ladder);
  const option = (s: SeverityLadder[number]) => ({
    text: { type: "plain_text", text: truncate(`${s.id} · ${s.label}`, 75) },
    description: { type: "plain_text", text: truncate(s.description, 75) },
    value: s.id,
  });
  return {
    type: "modal",
    callback_id: CALLBACK.declareModal,
    title: { type: "plain_text", text: "Declare an incident" },
    submit: { type: "plain_text", text: "Declare" },
    close: { type: "plain_text", text: "Cancel" },
    private_metadata: JSON.stringify(meta),
    blocks: [
      {
        type: "input",
        block_id: BLOCK.title,
        label: { type: "plain_text", text: "Title" },
        hint: { type: "plain_text", text: "What is broken, in a few words. It names the channel." },
        element: { type: "plain_text_input", action_id: INPUT, max_length: MODAL_TITLE_MAX, placeholder: { type: "plain_text", text: "Checkout errors spiking" } },
      },
      {
        type: "input",
        block_id: BLOCK.severity,
        label: { type: "plain_text", text: "Severity" },
        hint: { type: "plain_text", text: "When in doubt, round up: it is better to over-respond and scale down. You can change it later with /incident sev." },
        element: { type: "static_select", action_id: INPUT, options: ladder.map(option), initial_option: option(preselected) },
      },
      {
        type: "context",
        elements: [{ type: "mrkdwn", text: truncate(ladder.map((s) => `*${s.id}* ${s.description}`).join("\n"), 3000) }],
      },
      {
        type: "input",
        block_id: BLOCK.impact,
        optional: true,
        label: { type: "plain_text", text: "What is affected (impact)" },
        element: { type: "plain_text_input", action_id: INPUT, multiline: true, max_length: 1000, placeholder: { type: "plain_text", text: "Who and what is affected, and how badly" } },
      },
      {
        type: "input",
        block_id: BLOCK.detection,
        optional: true,
        label: { type: "plain_text", text: "How it was detected" },
        element: { type: "plain_text_input", action_id: INPUT, max_length: 500, placeholder: { type: "plain_text", text: "Alert, customer report, engineer noticed…" } },
      },
      {
        type: "input",
        block_id: BLOCK.ic,
        label: { type: "plain_text", text: "Incident Commander" },
        hint: { type: "plain_text", text: "Owns the incident end-to-end. Anyone can take it over later." },
        element: { type: "users_select", action_id: INPUT, initial_user: declarer },
      },
      {
        type: "input",
        block_id: BLOCK.private,
        optional: true,
        label: { type: "plain_text", text: "Visibility" },
        element: {
          type: "checkboxes",
          action_id: INPUT,
          options: [
            {
              text: { type: "plain_text", text: "Private incident (security)" },
              description: { type: "plain_text", text: "Private channel, nothing announced outside it" },
              value: "private",
            },
          ],
        },
      },
    ],
  };
}
