// The severity assessment form, pushed over the declare form by "Help me choose": the framework's
// six questions as radio buttons. Its hidden data says which declare form to return to.

import { QUESTIONS } from "../../../domain/assessment.ts";
import { CALLBACK, INPUT } from "../../ids.ts";

export function assessmentModal(privateMetadata: string): Record<string, unknown> {
  return {
    type: "modal",
    callback_id: CALLBACK.assessModal,
    title: { type: "plain_text", text: "Choose a severity" },
    submit: { type: "plain_text", text: "Suggest" },
    close: { type: "plain_text", text: "Back" },
    private_metadata: privateMetadata,
    blocks: [
      { type: "context", elements: [{ type: "mrkdwn", text: "Answer what you know; *Not sure* is fine. When in doubt, round up: you can always de-escalate." }] },
      ...QUESTIONS.map((q) => ({
        type: "input",
        block_id: q.id,
        label: { type: "plain_text", text: q.text },
        element: { type: "radio_buttons", action_id: INPUT, options: q.choices.map((c) => ({ text: { type: "plain_text", text: c.label }, value: c.value })) },
      })),
    ],
  };
}
