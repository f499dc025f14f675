// How a submitted form about one incident reaches its journey: the submission and the incident its
// hidden data names are read (zod) or the form says it could not be read; the handler saves, then
// acknowledges (with field errors when the answer is no).

import type { App, SlackViewMiddlewareArgs } from "@slack/bolt";
import { incidentForm, type ViewSubmission } from "../payloads.ts";

export interface IncidentFormRequest {
  readonly ack: SlackViewMiddlewareArgs["ack"];
  readonly form: ViewSubmission;
  readonly incidentId: string;
  readonly values: ViewSubmission["view"]["state"]["values"];
}

/** Registers a form about one incident; `block` carries the error when the form cannot be read. */
export function onIncidentForm(app: App, callbackId: string, block: string, handler: (req: IncidentFormRequest) => Promise<void>): void {
  app.view(callbackId, async ({ ack, body }) => {
    const submitted = incidentForm(body);
    if (!submitted) {
      await ack({ response_action: "errors", errors: { [block]: "This form could not be read. Close it and try again." } });
      return;
    }
    await handler({ ack, form: submitted.form, incidentId: submitted.incidentId, values: submitted.form.view.state.values });
  });
}
