// The timestamps form's submission: every time read from its datetimepicker (Unix seconds), the
// changed ones corrected through the journey; a problem (out of order, in the future) comes back on
// its field and the form stays open.

import type { App } from "@slack/bolt";
import { TIMESTAMP_KEYS, type TimestampKey } from "../../../domain/record.ts";
import type { Ctx } from "../../../incidents/context.ts";
import { correctTimestampsJourney } from "../../../incidents/numbers/timestamps.ts";
import { refusalText } from "../../../slack/blocks/refusals.ts";
import { CALLBACK } from "../../../slack/ids.ts";
import { formFailed } from "../failures.ts";
import { stateOf } from "../payloads.ts";
import { onIncidentForm } from "./forms.ts";

export function registerTimestampsListeners(app: App, ctx: Ctx): void {
  onIncidentForm(app, CALLBACK.timestampsModal, "declared_at", async ({ ack, form, incidentId, values }) => {
    const changes: Partial<Record<TimestampKey, Date>> = {};
    for (const key of TIMESTAMP_KEYS) {
      const v = stateOf(values, key)?.selected_date_time;
      if (typeof v === "number" && Number.isFinite(v) && v > 0 && v < 32_503_680_000) changes[key] = new Date(v * 1000);
    }
    try {
      const r = await correctTimestampsJourney(ctx, { incidentId, changes, actor: form.user.id, requestKey: `view:${form.view.id}` });
      if ("refusal" in r) {
        if (r.refusal.code === "timestamps") {
          await ack({ response_action: "errors", errors: Object.fromEntries(r.refusal.problems.map((p) => [p.key, p.message])) });
          return;
        }
        await ack({ response_action: "errors", errors: { declared_at: refusalText(r.refusal, r.incident).replace(/[*`]/g, "") } });
        return;
      }
      if ("missing" in r) {
        await ack({ response_action: "errors", errors: { declared_at: "That incident no longer exists." } });
        return;
      }
    } catch (err) {
      await formFailed(ctx.log, ack, "declared_at", { what: "the timestamps", err, context: { incident: incidentId } });
      return;
    }
    await ack();
  });
}
