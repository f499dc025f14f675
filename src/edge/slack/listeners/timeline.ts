// The "Add to incident timeline" message shortcut, and (in Socket Mode) the events that add messages
// to the timeline and open the App Home. In HTTP mode events take the recorded path in ../events.ts.

import type { App, MessageShortcut as BoltMessageShortcut } from "@slack/bolt";
import { incidentRef } from "../../../domain/incident.ts";
import type { Ctx } from "../../../incidents/context.ts";
import { captureMessage } from "../../../incidents/war-room/timeline.ts";
import { incidentInChannel } from "../../../incidents/lookup.ts";
import { interactionFailed } from "../failures.ts";
import { CALLBACK } from "../../../slack/ids.ts";
import { messageShortcut } from "../payloads.ts";

export function registerTimelineListeners(app: App, ctx: Ctx): void {
  app.shortcut<BoltMessageShortcut>(CALLBACK.addToTimeline, async ({ ack, body, respond }) => {
    const parsed = messageShortcut.safeParse(body);
    if (!parsed.success) {
      await ack();
      await respond({ response_type: "ephemeral", text: ":warning: That message could not be read; nothing was added." });
      return;
    }
    const { channel, message, user } = parsed.data;
    let outcome: Awaited<ReturnType<typeof captureMessage>>;
    let incident: Awaited<ReturnType<typeof incidentInChannel>>;
    try {
      incident = await incidentInChannel(ctx, channel.id);
      if (!incident) {
        await ack();
        await respond({ response_type: "ephemeral", text: ":warning: That message is not in an incident channel, so there is no timeline to add it to." });
        return;
      }
      outcome = await captureMessage(ctx, incident.id, { channel: channel.id, ts: message.ts, author: message.user ?? message.bot_id ?? null, text: message.text }, "shortcut", user.id);
    } catch (err) {
      await ack();
      await interactionFailed(ctx.log, respond, { what: "adding the message to the timeline", err, context: { channel: channel.id } });
      return;
    }
    await ack();
    await respond({
      response_type: "ephemeral",
      text: outcome === "added" ? `:pushpin: Added to the timeline of ${incidentRef(incident)}, at the message's own time.` : `That message is already on the timeline of ${incidentRef(incident)}.`,
    });
  });
}
