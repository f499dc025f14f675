// Where the app's answers land, as Slack shows them: a response_url post or the HTTP answer to a
// command becomes an ephemeral message, replaces or deletes the message it came from, or is posted
// in the channel.

import type { SentRequest } from "../local-slack/deliver.ts";
import type { FakeSlack, ResponseUrlPost } from "../local-slack/server.ts";

type Json = Record<string, unknown>;

/** Sends a request to the app; a failure in the words Slack's client uses. */
export async function deliver(send: () => Promise<SentRequest>): Promise<{ ok: true; res: SentRequest } | { ok: false; error: string }> {
  try {
    const res = await send();
    if (res.status >= 500) return { ok: false, error: "dispatch_failed" };
    return { ok: true, res };
  } catch (err) {
    const name = (err as Error).name;
    return { ok: false, error: name === "TimeoutError" || name === "AbortError" ? "operation_timeout" : "dispatch_failed" };
  }
}

/** Where an interaction happened, so its answers land there. */
export interface ResponseContext {
  channel: string;
  user: string;
  original?: { kind: "message" | "ephemeral"; ts: string };
}

export class Responses {
  private readonly contexts = new Map<string, ResponseContext>();

  constructor(
    private readonly fake: FakeSlack,
    private readonly changed: () => void,
  ) {}

  private get ws() {
    return this.fake.ws;
  }

  /** A response_url for this interaction, remembered so its posts land where they belong. */
  urlFor(ctx: ResponseContext): string {
    const url = this.fake.responseUrl();
    this.contexts.set(url.split("/").pop() as string, ctx);
    // Slack's response_urls last 30 minutes
    if (this.contexts.size > 5000) this.contexts.delete(this.contexts.keys().next().value as string);
    return url;
  }

  /** The app's HTTP answer to a command: a message in its body shows as Slack shows it. */
  answered(res: SentRequest, ctx: ResponseContext): void {
    if (res.status !== 200) {
      this.ephemeral(ctx.channel, ctx.user, `/incident failed with the error "${res.status === 401 ? "invalid_signature" : "dispatch_failed"}"`);
      return;
    }
    if (res.json && (typeof res.json.text === "string" || Array.isArray(res.json.blocks))) this.respond(res.json, ctx);
  }

  onResponse(post: ResponseUrlPost): void {
    const ctx = this.contexts.get(post.id);
    if (ctx) this.respond(post.body, ctx);
  }

  /** A response_url post, as Slack acts on it. */
  private respond(body: Json, ctx: ResponseContext): void {
    const text = typeof body.text === "string" ? body.text : "";
    const blocks = Array.isArray(body.blocks) ? (body.blocks as unknown[]) : undefined;
    const original = ctx.original;
    if (body.delete_original === true && original) {
      if (original.kind === "ephemeral") this.ws.dropEphemeral(original.ts);
      else {
        const c = this.ws.conversations.get(ctx.channel);
        if (c) c.messages = c.messages.filter((m) => m.ts !== original.ts);
      }
    } else if ((body.replace_original === true || body.replace_original === "true") && original) {
      if (original.kind === "ephemeral") {
        const e = this.ws.ephemerals.find((x) => x.ts === original.ts);
        if (e) Object.assign(e, { text, blocks });
      } else {
        const m = this.ws.message(ctx.channel, original.ts);
        if (m) Object.assign(m, { text, blocks, edited: true });
      }
    } else if (body.response_type === "in_channel") {
      if (this.ws.conversations.has(ctx.channel)) this.ws.addAppMessage(ctx.channel, text, { blocks });
    } else {
      const e = this.ephemeral(ctx.channel, ctx.user, text, blocks);
      // a command's own answer is what its response_url's replace_original replaces
      if (e.ts) ctx.original ??= { kind: "ephemeral", ts: e.ts };
    }
    this.changed();
  }

  ephemeral(channel: string, user: string, text: string, blocks?: unknown[]): { ts?: string | undefined } {
    const e = this.ws.addEphemeral(channel, user, text, blocks);
    this.changed();
    return e;
  }
}
