// A webhook receiver over real HTTP on loopback, for the webhooks suites: it keeps every request it
// got (headers, raw body, time), answers as it is told (200, an error status, a slow answer, no answer,
// a cut connection, 410 Gone), and can be switched between behaviours mid-test. Verifying signatures
// is left to the test, with the Standard Webhooks reference library.

import http from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly at: number;
  /** What it was answered (0: cut or left unanswered). */
  status: number;
}

export type Behaviour = { kind: "ok" } | { kind: "status"; status: number } | { kind: "slow"; ms: number } | { kind: "hang" } | { kind: "cut" };

export class WebhookReceiver {
  readonly received: Received[] = [];
  private behaviour: Behaviour = { kind: "ok" };
  /** Behaviours for the next requests, before the standing one. */
  private queue: Behaviour[] = [];
  private readonly hung = new Set<http.ServerResponse>();
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  url = "";
  /** Runs when a request has been read, before it is answered (e.g. to kill the bot at that instant); may say how to answer it. */
  onRequest: ((r: Received) => Behaviour | undefined) | undefined;

  async start(path = "/hook"): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const r of this.hung) r.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** From now on, answer like this. */
  behave(b: Behaviour): void {
    this.behaviour = b;
    this.queue = [];
  }

  /** The next requests, one behaviour each, then the standing one again. */
  next(...b: Behaviour[]): void {
    this.queue.push(...b);
  }

  /** Requests answered 2xx, with their parsed bodies. */
  delivered(): { headers: Record<string, string>; body: Record<string, any>; raw: string }[] {
    return this.received.filter((r) => r.status >= 200 && r.status < 300).map((r) => ({ headers: r.headers, body: JSON.parse(r.body) as Record<string, any>, raw: r.body }));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
    const r: Received = { headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now(), status: 0 };
    this.received.push(r);
    const b = this.onRequest?.(r) ?? this.queue.shift() ?? this.behaviour;
    switch (b.kind) {
      case "hang":
        this.hung.add(res);
        return;
      case "cut":
        req.socket.destroy();
        return;
      case "slow":
        await new Promise((resolve) => setTimeout(resolve, b.ms));
        r.status = 200;
        res.writeHead(200).end("ok");
        return;
      case "status":
        r.status = b.status;
        res.writeHead(b.status).end("no");
        return;
      case "ok":
        r.status = 200;
        res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    }
  }
}

export async function startReceiver(path?: string): Promise<WebhookReceiver> {
  return new WebhookReceiver().start(path);
}
