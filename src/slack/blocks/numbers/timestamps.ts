// The timestamps form: each of the record's times in Slack's datetimepicker (shown in the reader's
// own time zone), with where it came from. Resolved and closed appear once they happened.

import { type Incident, incidentRef } from "../../../domain/incident.ts";
import { TIMESTAMP_KEYS, TIMESTAMP_LABEL, type Timestamps, type TimestampSource } from "../../../domain/record.ts";
import { CALLBACK, INPUT } from "../../ids.ts";

export const TIMESTAMP_HINT: Readonly<Record<(typeof TIMESTAMP_KEYS)[number], string>> = {
  impact_started_at: "When users were first affected (defaults to when it was detected).",
  detected_at: "When the problem was first noticed: the first alert, or the declaration.",
  declared_at: "When the incident was declared.",
  acknowledged_at: "When a person took it on (the declaration, for an incident a person declared).",
  mitigated_at: "When the bleeding stopped: the first move to monitoring, else the resolve.",
  resolved_at: "When it was resolved.",
  closed_at: "When the postmortem was marked done.",
};

export function timestampsModal(incident: Incident, t: Timestamps, sources: Readonly<Record<string, TimestampSource>>): Record<string, unknown> {
  const keys = TIMESTAMP_KEYS.filter((k) => (k === "resolved_at" ? incident.resolvedAt : k === "closed_at" ? incident.closedAt : true));
  return {
    type: "modal",
    callback_id: CALLBACK.timestampsModal,
    title: { type: "plain_text", text: `Times of ${incidentRef(incident)}` },
    submit: { type: "plain_text", text: "Save" },
    close: { type: "plain_text", text: "Cancel" },
    private_metadata: JSON.stringify({ incidentId: incident.id }),
    blocks: [
      { type: "context", elements: [{ type: "mrkdwn", text: "Correct what the record got wrong. The times must stay in order and not be in the future; each change goes on the timeline." }] },
      ...keys.map((k) => {
        const v = t[k];
        const source = sources[k] ?? "auto";
        return {
          type: "input",
          block_id: k,
          optional: k === "acknowledged_at" || k === "mitigated_at" ? !v : false,
          label: { type: "plain_text", text: TIMESTAMP_LABEL[k] },
          hint: { type: "plain_text", text: `${TIMESTAMP_HINT[k]} ${source === "auto" ? "Set by Warroom." : "Corrected by a person."}` },
          element: { type: "datetimepicker", action_id: INPUT, ...(v ? { initial_date_time: Math.floor(v.getTime() / 1000) } : {}) },
        };
      }),
    ],
  };
}
