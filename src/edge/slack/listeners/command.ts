// The `/incident` router: validate the payload, parse the text, hand the typed command to its handler.
// Help and parse errors are answered in the acknowledgement itself (no extra Slack call). Any
// unexpected failure is logged once with a correlation id and the user gets a short apology.

import type { App, RespondFn, SlackCommandMiddlewareArgs } from "@slack/bolt";
import { type Command, type CommandKind, parseCommand } from "../../../domain/commands.ts";
import type { SeverityLadder } from "../../../domain/severity.ts";
import type { Clock } from "../../../clock.ts";
import { apology, logFailure } from "../failures.ts";
import type { Logger } from "../../../log.ts";
import { helpMessage } from "../../../slack/blocks/help.ts";
import { errorMessage } from "../../../slack/blocks/replies.ts";
import { type SlashCommand, slashCommand } from "../payloads.ts";

export type Reply = { text: string; blocks?: unknown[] };

/** How long after a command arrived it is acknowledged empty if its handler has not answered (Bolt's own timeout is 2.8 s). */
export const LATE_ACK_MS = 2_300;

export interface CommandRequest<K extends CommandKind = CommandKind> {
  readonly payload: SlashCommand;
  readonly command: Extract<Command, { kind: K }>;
  /** When the request arrived (the injected clock's milliseconds), for work that must finish within its trigger's 3 s. */
  readonly receivedAt: number;
  /** Names this invocation (its trigger), so a second delivery of it changes nothing. */
  readonly requestKey: string;
  /** Acknowledge with an ephemeral reply (or nothing). Must be called once, within 3 s. */
  ack(reply?: Reply): Promise<void>;
  /** Ephemeral follow-up after the ack, through the command's response_url. */
  respond(reply: Reply): Promise<void>;
}

export type CommandHandlers = { [K in CommandKind]?: (req: CommandRequest<K>) => Promise<void> };

export function ephemeralBody(reply: Reply) {
  return { response_type: "ephemeral" as const, text: reply.text, ...(reply.blocks ? { blocks: reply.blocks as never } : {}) };
}

export function registerCommand(app: App, ladder: SeverityLadder, handlers: CommandHandlers, log: Logger, clock: Clock): void {
  // any command name: a team may rename /incident in its manifest
  app.command(/.*/, async ({ command: raw, ack, respond }: SlackCommandMiddlewareArgs) => {
    const receivedAt = clock.now().getTime();
    const arrived = performance.now();
    const parsed = slashCommand.safeParse(raw);
    if (!parsed.success) {
      log.warn({ issues: parsed.error.issues.map((i) => i.path.join(".")) }, "malformed slash command payload");
      await ack(ephemeralBody(errorMessage("Slack sent a command this bot could not read. Please try again.")));
      return;
    }
    const payload = parsed.data;
    const result = parseCommand(payload.text, ladder);
    if (!result.ok) {
      await ack(ephemeralBody(errorMessage(result.error, result.usage)));
      return;
    }
    const command = result.command;
    if (command.kind === "help") {
      await ack(ephemeralBody(helpMessage(ladder)));
      return;
    }
    const handler = handlers[command.kind] as ((req: CommandRequest) => Promise<void>) | undefined;
    if (!handler) {
      await ack(ephemeralBody(errorMessage(`\`/incident ${command.kind}\` is not available in this version.`)));
      return;
    }
    await runCommand(handler, payload, command, ack, respond, log, receivedAt, arrived);
  });
}

async function runCommand(
  handler: (req: CommandRequest) => Promise<void>,
  payload: SlashCommand,
  command: Command,
  ack: SlackCommandMiddlewareArgs["ack"],
  respond: RespondFn,
  log: Logger,
  receivedAt: number,
  arrived: number,
): Promise<void> {
  let acked = false;
  // A journey slower than Slack's 3 s (a loaded database) must not end in Slack's "dispatch_failed":
  // shortly before the deadline the command is acknowledged with nothing, and the answer it was
  // going to carry follows through the response_url instead. Nothing was promised by the empty ack.
  let late = false;
  const lateAck = setTimeout(
    () => {
      if (acked) return;
      acked = true;
      late = true;
      ack().catch((e: unknown) => log.warn({ err: e }, "could not acknowledge a slow command"));
    },
    Math.max(0, arrived + LATE_ACK_MS - performance.now()),
  );
  const req: CommandRequest = {
    payload,
    command,
    receivedAt,
    requestKey: `cmd:${payload.team_id}:${payload.trigger_id}`,
    async ack(reply) {
      if (late) {
        late = false;
        // the work is done: a response_url that does not answer must not turn it into "nothing was changed"
        if (reply) await respond(ephemeralBody(reply)).catch((e: unknown) => log.warn({ err: e }, "could not send a slow command's answer through its response_url"));
        return;
      }
      if (acked) return;
      acked = true;
      await ack(reply ? ephemeralBody(reply) : undefined);
    },
    async respond(reply) {
      await respond(ephemeralBody(reply));
    },
  };
  try {
    await handler(req);
    if (!acked) await req.ack();
  } catch (err) {
    const what = `\`/incident ${command.kind}\``;
    const ref = logFailure(log, { what, err, context: { command: command.kind, user: payload.user_id, channel: payload.channel_id } });
    const reply = { text: apology(what, ref) };
    if (!acked) await req.ack(reply);
    else await req.respond(reply).catch((e: unknown) => log.warn({ err: e, ref }, "could not tell the user about the failure"));
  } finally {
    clearTimeout(lateAck);
  }
}
