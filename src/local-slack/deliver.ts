// Sends requests to the bot the way Slack does: slash commands and interactivity as form bodies,
// events as JSON, each signed (v0 HMAC-SHA256 of "v0:<timestamp>:<raw body>") over the exact bytes sent.

import { createHmac } from "node:crypto";
import type { FakeSlack } from "./server.ts";

export interface SentRequest {
  status: number;
  text: string;
  json: Record<string, unknown> | undefined;
  ms: number;
}

export interface SignOptions {
  /** Seconds to shift the timestamp by (negative = stale). */
  skewSeconds?: number;
  /** Replace the signature entirely ("" omits the header). */
  signature?: string;
  /** Sign with a different secret. */
  secret?: string;
  headers?: Record<string, string>;
}

export function sign(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

export class SlackRequests {
  /** How long to wait for the app's answer (Slack gives up after 3 s; tests may wait longer). */
  timeoutMs = 30_000;

  constructor(
    readonly url: string,
    readonly signingSecret: string,
    readonly fake: FakeSlack,
  ) {}

  async post(body: string, contentType: string, opts: SignOptions = {}): Promise<SentRequest> {
    const ts = Math.floor(Date.now() / 1000) + (opts.skewSeconds ?? 0);
    const signature = opts.signature ?? sign(opts.secret ?? this.signingSecret, ts, body);
    const headers: Record<string, string> = {
      "content-type": contentType,
      "x-slack-request-timestamp": String(ts),
      ...(signature === "" ? {} : { "x-slack-signature": signature }),
      ...opts.headers,
    };
    const started = performance.now();
    const res = await fetch(`${this.url}/slack/events`, { method: "POST", headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
    const text = await res.text();
    const ms = performance.now() - started;
    let json: Record<string, unknown> | undefined;
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json, ms };
  }

  /** A slash command, as Slack sends it. Returns the HTTP answer and the payload sent. */
  async command(
    text: string,
    opts: { user: string; channel: string; command?: string; triggerId?: string; responseUrl?: string } & SignOptions,
  ): Promise<SentRequest & { triggerId: string; responseUrl: string }> {
    const triggerId = opts.triggerId ?? this.fake.ws.newTrigger(opts.user);
    const responseUrl = opts.responseUrl ?? this.fake.responseUrl();
    const channel = this.fake.ws.conversations.get(opts.channel);
    const form = new URLSearchParams({
      token: "deprecated-verification-token",
      team_id: this.fake.ws.teamId,
      team_domain: this.fake.ws.teamDomain,
      channel_id: opts.channel,
      channel_name: channel?.name ?? "directmessage",
      user_id: opts.user,
      user_name: this.fake.ws.users.get(opts.user)?.name ?? "someone",
      command: opts.command ?? "/incident",
      text,
      api_app_id: this.fake.ws.appId,
      is_enterprise_install: "false",
      response_url: responseUrl,
      trigger_id: triggerId,
    });
    const sent = await this.post(form.toString(), "application/x-www-form-urlencoded", opts);
    return { ...sent, triggerId, responseUrl };
  }

  /** Any interactivity payload (block_actions, view_submission, message_action, …). */
  async interaction(payload: Record<string, unknown>, opts: SignOptions = {}): Promise<SentRequest> {
    const form = new URLSearchParams({ payload: JSON.stringify(payload) });
    return this.post(form.toString(), "application/x-www-form-urlencoded", opts);
  }

  /** An Events API delivery (event_callback). */
  async event(event: Record<string, unknown>, opts: SignOptions & { eventId?: string; retryNum?: number } = {}): Promise<SentRequest> {
    const body = JSON.stringify({
      token: "deprecated-verification-token",
      team_id: this.fake.ws.teamId,
      api_app_id: this.fake.ws.appId,
      type: "event_callback",
      event_id: opts.eventId ?? `Ev${Date.now()}${Math.floor(Math.random() * 1e6)}`,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: this.fake.ws.teamId, user_id: this.fake.ws.botUserId, is_bot: true }],
      event,
    });
    const headers = opts.retryNum ? { "x-slack-retry-num": String(opts.retryNum), "x-slack-retry-reason": "http_timeout" } : {};
    return this.post(body, "application/json", { ...opts, headers: { ...headers, ...opts.headers } });
  }
}
