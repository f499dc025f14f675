// Webhooks out (Standard Webhooks). Every event is written in the transaction of the change it tells
// of, with one delivery per endpoint that wants it (private incidents only to include_private ones),
// and a durable job wakes the endpoint's dispatcher, which sends them outside the worker's slots: each
// incident's events in order, several incidents at once, so a slow receiver delays only itself. Each attempt is signed afresh (webhook-timestamp is the attempt's
// time) under the event's one webhook-id. A non-2xx answer, a timeout (10 s) or a cut connection is
// tried again with backoff for 24 hours, then given up, logged once per failure; 410 Gone pauses the
// endpoint until the bot starts again.

import { randomUUID } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { z } from "zod";
import type { Incident } from "../../domain/incident.ts";
import { givenUp, outcomeOf, recipients, retryDelayMs, type WebhookEndpoint, type WebhookEventDraft } from "../../domain/webhooks.ts";
import type { Prisma } from "../../store/generated/client.ts";
import { enqueue, type JobDraft } from "../../store/jobs.ts";
import { claimHeads, type ClaimedDelivery, endpointPaused, releaseDeliveriesOfDeadWorkers, insertWebhookEvents, markDelivered, markFailed, markRetry, nextDue, pauseEndpoint, release, resumeEndpoints } from "../../store/webhooks.ts";
import type { Ctx } from "../context.ts";
import { draft, jobType } from "../job-type.ts";
import { incidentSummary } from "../numbers/record.ts";

/** A receiver has this long to answer. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** Deliveries in flight per endpoint, each to a different incident. */
const PER_ENDPOINT = 8;
/** A delivery's lease: past it, another process (or this one) may try it again. */
const LEASE_MS = 30_000;
/** How often an idle endpoint looks for work anyway (a replica that died mid-delivery). */
const SWEEP_MS = 2_000;

/** The body of an event: `{ type, timestamp, data: { incident, … } }`. */
export function webhookBody(ctx: Ctx, incident: Incident, e: WebhookEventDraft, at: Date): string {
  return JSON.stringify({ type: e.type, timestamp: at.toISOString(), data: { incident: incidentSummary(incident, ctx.bot.userId), ...e.data } });
}

/** The durable wake-up of an endpoint (one waiting at a time), written with its events. */
function wakeDraft(endpoint: string): JobDraft {
  return draft(DELIVER_JOB, { endpoint }, { dedupeKey: `webhooks:${endpoint}` });
}

/**
 * Records the events of a change (inside its transaction), addressed to the endpoints that want
 * them, and wakes those endpoints' jobs. `sourceKey` makes a job run again record nothing new.
 */
export async function recordWebhooks(ctx: Ctx, tx: Prisma.TransactionClient, incident: Incident, events: readonly WebhookEventDraft[], at: Date, sourceKey?: string): Promise<void> {
  const endpoints = ctx.config.incident.webhooks;
  if (endpoints.length === 0 || events.length === 0) return;
  const touched = await insertWebhookEvents(
    tx,
    events.map((e, i) => ({
      id: `msg_${randomUUID().replace(/-/g, "")}`,
      incidentId: incident.id,
      type: e.type,
      body: webhookBody(ctx, incident, e, at),
      endpoints: recipients(endpoints, e.type, incident.isPrivate).map((r) => r.key),
      ...(sourceKey ? { sourceKey: `${sourceKey}:${i}` } : {}),
    })),
    at,
  );
  await enqueue(tx, [...touched].sort().map(wakeDraft), at);
}

type Attempt = { status: number | null; error?: string };

/** One attempt: POSTed, signed per Standard Webhooks, answered within 10 s. */
async function send(endpoint: WebhookEndpoint, d: ClaimedDelivery, now: Date): Promise<Attempt> {
  const signature = new Webhook(endpoint.secret).sign(d.eventId, now, d.body);
  try {
    const res = await fetch(endpoint.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "Warroom-Webhooks/1",
        "webhook-id": d.eventId,
        "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
        "webhook-signature": signature,
      },
      body: d.body,
      redirect: "manual",
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    await res.body?.cancel().catch(() => undefined);
    return { status: res.status };
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string; message?: string }; message?: string };
    if (e.name === "TimeoutError" || e.name === "AbortError") return { status: null, error: `no answer within ${DELIVERY_TIMEOUT_MS / 1000} s` };
    return { status: null, error: e.cause?.code ?? e.cause?.message ?? e.message ?? "the connection failed" };
  }
}

function where(endpoint: WebhookEndpoint): string {
  try {
    const u = new URL(endpoint.url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return endpoint.key;
  }
}

async function deliverOne(ctx: Ctx, endpoint: WebhookEndpoint, d: ClaimedDelivery, worker: string): Promise<"ok" | "gone" | "failed"> {
  const now = ctx.clock.now();
  const attempt = await send(endpoint, d, now);
  const outcome = attempt.status === null ? "retry" : outcomeOf(attempt.status);
  const what = { endpoint: where(endpoint), event: d.eventId, type: d.type, incident: d.incidentId, attempt: d.attempts, status: attempt.status, error: attempt.error };
  if (outcome === "delivered") {
    await markDelivered(ctx.db, d.id, worker, attempt.status as number, ctx.clock.now());
    ctx.metrics.webhookDeliveries.inc({ outcome: "delivered" });
    return "ok";
  }
  const error = attempt.error ?? `answered HTTP ${attempt.status}`;
  if (outcome === "gone") {
    ctx.metrics.webhookDeliveries.inc({ outcome: "gone" });
    // paused before the delivery is given back, so nothing claims it in between
    const paused = await pauseEndpoint(ctx.db, endpoint.key, endpoint.url, "answered 410 Gone", now);
    await release(ctx.db, d.id, worker);
    if (paused) ctx.log.error(what, "a webhook endpoint answered 410 Gone: deliveries to it are paused until the bot starts again (nothing is dropped)");
    return "gone";
  }
  if (givenUp(d.firstAttemptAt ?? now, now)) {
    await markFailed(ctx.db, d.id, worker, attempt.status, error);
    ctx.metrics.webhookDeliveries.inc({ outcome: "failed" });
    ctx.log.error(what, "gave up delivering a webhook after 24 hours of failures");
    return "failed";
  }
  const delay = retryDelayMs(d.attempts, 0.8 + Math.random() * 0.4);
  await markRetry(ctx.db, d.id, worker, new Date(now.getTime() + delay), attempt.status, error);
  ctx.metrics.webhookDeliveries.inc({ outcome: "retry" });
  ctx.log.warn({ ...what, retryInMs: delay }, "a webhook delivery failed; will retry");
  return "failed";
}

/**
 * Sends each configured endpoint's deliveries from this process, outside the worker's job slots (a
 * receiver answering in 2 s must not hold a slot the rest of the bot needs): per endpoint a loop
 * claims due heads (leased under the worker's id, so replicas share the work and a dead process's are
 * taken over at once), up to PER_ENDPOINT at once, and sleeps until it is poked (a new event, through
 * the durable DELIVER_JOB), its next retry is due, or SWEEP_MS passed.
 */
export class WebhookDispatcher {
  private readonly loops = new Map<string, { wake: () => void; done: Promise<void> }>();
  private stopped = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private holder = "";
  private sweep: NodeJS.Timeout | undefined;

  constructor(private readonly ctx: Ctx) {}

  /**
   * Starts an endpoint loop each, leasing deliveries as `holder`: the worker's id, whose liveness
   * lock tells other processes it is alive (a dead one's deliveries are taken over at once).
   */
  start(holder: string): void {
    this.holder = holder;
    for (const endpoint of this.ctx.config.incident.webhooks) this.loops.set(endpoint.key, this.loop(endpoint));
    if (this.loops.size === 0) return;
    const takeOver = async () => {
      const freed = await releaseDeliveriesOfDeadWorkers(this.ctx.db, holder, this.ctx.clock.now()).catch(() => 0);
      if (freed > 0) {
        this.ctx.log.warn({ deliveries: freed }, "taking over webhook deliveries a stopped bot process left in flight");
        this.pokeAll();
      }
    };
    void takeOver();
    this.sweep = setInterval(() => void takeOver(), SWEEP_MS);
  }

  /** Something is waiting for `endpoint` now. */
  poke(endpointKey: string): void {
    this.loops.get(endpointKey)?.wake();
  }

  /** Something may be waiting (this process just saved a change): each endpoint looks once. */
  pokeAll(): void {
    for (const l of this.loops.values()) l.wake();
  }

  /** Stops claiming; waits for the deliveries in flight (at most their 10 s timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweep);
    for (const l of this.loops.values()) l.wake();
    await Promise.all([...this.loops.values()].map((l) => l.done));
    await Promise.allSettled(this.inFlight);
  }

  private loop(endpoint: WebhookEndpoint): { wake: () => void; done: Promise<void> } {
    let poked = false;
    let wakeUp: () => void = () => {
      poked = true;
    };
    const poke = () => wakeUp();
    const run = async () => {
      const worker = this.holder;
      const mine = new Set<Promise<unknown>>();
      let paused = false;
      while (!this.stopped) {
        poked = false;
        let claimed = 0;
        try {
          if (!paused) paused = await endpointPaused(this.ctx.db, endpoint.key);
          if (!paused && mine.size < PER_ENDPOINT) {
            const now = this.ctx.clock.now();
            const heads = await claimHeads(this.ctx.db, endpoint.key, worker, now, new Date(now.getTime() + LEASE_MS), PER_ENDPOINT - mine.size);
            claimed = heads.length;
            for (const d of heads) {
              const sending = (async () => {
                try {
                  if ((await deliverOne(this.ctx, endpoint, d, worker)) === "gone") paused = true;
                } catch (err) {
                  // its lease runs out and it is tried again
                  this.ctx.log.error({ err, event: d.eventId }, "could not record a webhook delivery's outcome");
                }
              })();
              mine.add(sending);
              this.inFlight.add(sending);
              void sending.finally(() => {
                mine.delete(sending);
                this.inFlight.delete(sending);
                wakeUp();
              });
            }
          }
        } catch (err) {
          this.ctx.log.warn({ err, endpoint: where(endpoint) }, "could not claim webhook deliveries; trying again shortly");
        }
        if (claimed > 0 && mine.size < PER_ENDPOINT) continue;
        if (this.stopped) break;
        // sleep until poked, a delivery finished, the next retry is due, or the sweep
        let ms = SWEEP_MS;
        if (!paused && mine.size < PER_ENDPOINT) {
          const next = await nextDue(this.ctx.db, endpoint.key).catch(() => undefined);
          if (next) ms = Math.min(ms, Math.max(0, next.getTime() - this.ctx.clock.now().getTime()));
        }
        if (poked || ms === 0) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, ms);
          function done() {
            clearTimeout(timer);
            resolve();
          }
          wakeUp = () => {
            poked = true;
            done();
          };
        });
        wakeUp = () => {
          poked = true;
        };
      }
    };
    return { wake: poke, done: run() };
  }
}

/** The durable wake-up of an endpoint, written with the events: this process's dispatcher is poked. */
export const DELIVER_JOB = jobType({
  kind: "webhooks.deliver",
  payload: z.object({ endpoint: z.string() }),
  failure: "deliver webhooks for",
  async run(ctx, p) {
    ctx.webhooks?.poke(p.endpoint);
  },
});

/** At start: configured endpoints enabled again (a restart is how an operator says "try again"). */
export async function resumeWebhooks(ctx: Ctx): Promise<void> {
  const endpoints = ctx.config.incident.webhooks;
  if (endpoints.length === 0) return;
  const resumed = await resumeEndpoints(ctx.db, endpoints);
  for (const url of resumed) ctx.log.info({ endpoint: url }, "a webhook endpoint paused by a 410 is enabled again");
}
