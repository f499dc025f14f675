// The declare form: title, severity with descriptions (and "Help me choose", which pushes the
// framework's severity assessment), impact, detection, Incident Commander (the declarer by default)
// and "private incident". Rebuilt with a suggestion after the assessment, keeping what was typed.

import { FORM_TITLE_MAX } from "../../../domain/command-usage.ts";
import type { Severity, SeverityLadder } from "../../../domain/severity.ts";
import { defaultSeverity } from "../../../domain/severity.ts";
import { truncate } from "../../../domain/text.ts";
import { ACTION, assessBlock, BLOCK, CALLBACK, INPUT, severityBlock } from "../../ids.ts";

export interface DeclareModalMetadata {
  /** The slash command's response_url: the confirmation replaces nothing but lands with the declarer. */
  responseUrl?: string;
  originChannelId?: string;
  /** Declared from a triage message: the alert group it links. */
  alertGroupId?: string;
}

/** What was typed in the form, to keep when it is rebuilt. */
export interface DeclareFormValues {
  title?: string | undefined;
  impact?: string | undefined;
  detection?: string | undefined;
  ic?: string | undefined;
  private?: boolean | undefined;
  drill?: boolean | undefined;
}

export interface DeclareModalOptions {
  /** The assessment's suggestion: selected, with its reason line under the severity. */
  suggestion?: { severity: Severity; reason: string };
  /** Preselected without a reason (the severity an alert maps to). */
  severity?: Severity;
  values?: DeclareFormValues;
}

export function declareModal(ladder: SeverityLadder, declarer: string, meta: DeclareModalMetadata | string, opts: DeclareModalOptions = {}): Record<string, unknown> {
  const preselected = opts.suggestion?.severity ?? opts.severity ?? defaultSeverity(ladder);
  const v = opts.values ?? {};
  const option = (s: SeverityLadder[number]) => ({
    text: { type: "plain_text", text: truncate(`${s.id} · ${s.label}`, 75) },
    description: { type: "plain_text", text: truncate(s.description, 75) },
    value: s.id,
  });
  const privateOption = {
    text: { type: "plain_text", text: "Private incident (security)" },
    description: { type: "plain_text", text: "Private channel, nothing announced outside it" },
    value: "private",
  };
  const drillOption = {
    text: { type: "plain_text", text: "This is a drill" },
    description: { type: "plain_text", text: "Practice: never announced, not counted in stats" },
    value: "drill",
  };
  const checked = [...(v.private ? [privateOption] : []), ...(v.drill ? [drillOption] : [])];
  return {
    type: "modal",
    callback_id: CALLBACK.declareModal,
    title: { type: "plain_text", text: "Declare an incident" },
    submit: { type: "plain_text", text: "Declare" },
    close: { type: "plain_text", text: "Cancel" },
    private_metadata: typeof meta === "string" ? meta : JSON.stringify(meta),
    blocks: [
      {
        type: "input",
        block_id: BLOCK.title,
        label: { type: "plain_text", text: "Title" },
        hint: { type: "plain_text", text: "What is broken, in a few words. It names the channel." },
        element: { type: "plain_text_input", action_id: INPUT, max_length: FORM_TITLE_MAX, placeholder: { type: "plain_text", text: "Checkout errors spiking" }, ...(v.title ? { initial_value: truncate(v.title, FORM_TITLE_MAX) } : {}) },
      },
      {
        type: "input",
        block_id: severityBlock(opts.suggestion?.severity.id),
        label: { type: "plain_text", text: "Severity" },
        hint: { type: "plain_text", text: "When in doubt, round up: it is better to over-respond and scale down. You can change it later with /incident sev." },
        element: { type: "static_select", action_id: INPUT, options: ladder.map(option), initial_option: option(preselected) },
      },
      {
        type: "actions",
        block_id: assessBlock,
        elements: [{ type: "button", action_id: ACTION.assessSeverity, text: { type: "plain_text", text: "Help me choose" }, value: "assess" }],
      },
      {
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: opts.suggestion
              ? truncate(`:bulb: Suggested *${opts.suggestion.severity.id}*: ${opts.suggestion.reason}`, 3000)
              : truncate(ladder.map((s) => `*${s.id}* ${s.description}`).join("\n"), 3000),
          },
        ],
      },
      {
        type: "input",
        block_id: BLOCK.impact,
        optional: true,
        label: { type: "plain_text", text: "What is affected (impact)" },
        element: { type: "plain_text_input", action_id: INPUT, multiline: true, max_length: 1000, placeholder: { type: "plain_text", text: "Who and what is affected, and how badly" }, ...(v.impact ? { initial_value: truncate(v.impact, 1000) } : {}) },
      },
      {
        type: "input",
        block_id: BLOCK.detection,
        optional: true,
        label: { type: "plain_text", text: "How it was detected" },
        element: { type: "plain_text_input", action_id: INPUT, max_length: 500, placeholder: { type: "plain_text", text: "Alert, customer report, engineer noticed…" }, ...(v.detection ? { initial_value: truncate(v.detection, 500) } : {}) },
      },
      {
        type: "input",
        block_id: BLOCK.ic,
        label: { type: "plain_text", text: "Incident Commander" },
        hint: { type: "plain_text", text: "Owns the incident end-to-end. Anyone can take it over later." },
        element: { type: "users_select", action_id: INPUT, initial_user: v.ic ?? declarer },
      },
      {
        type: "input",
        block_id: BLOCK.private,
        optional: true,
        label: { type: "plain_text", text: "Visibility" },
        element: { type: "checkboxes", action_id: INPUT, options: [privateOption, drillOption], ...(checked.length > 0 ? { initial_options: checked } : {}) },
      },
    ],
  };
}
