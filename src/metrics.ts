// The bot's Prometheus metrics (prom-client), one registry per running bot (tests run several in one
// process). Counters and histograms are moved where their thing happens; the gauges that describe the
// database (open incidents, pending jobs) are read when scraped. Numbers only: labels are severities,
// kinds, Slack methods and outcomes, never titles, names or ids.

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export interface AssistantMetrics {
  readonly requests: Counter<"feature" | "outcome">;
  readonly duration: Histogram<"feature">;
  readonly tokens: Counter<"kind">;
}

/** What the scrape reads from the database. */
export interface MetricsSource {
  openBySeverity(): Promise<Record<string, number>>;
  jobs(now: Date): Promise<{ pending: number; oldestDueSeconds: number }>;
}

export class Metrics {
  readonly registry = new Registry();
  readonly incidentsDeclared = new Counter({ name: "warroom_incidents_declared_total", help: "Incidents declared, by severity (drills included).", labelNames: ["severity"], registers: [this.registry] });
  readonly remindersSent = new Counter({ name: "warroom_reminders_sent_total", help: "Reminders posted, by kind.", labelNames: ["kind"], registers: [this.registry] });
  readonly reminderLateness = new Histogram({
    name: "warroom_reminder_lateness_seconds",
    help: "How long after it was due a reminder was posted.",
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  readonly slackRequests = new Counter({ name: "warroom_slack_requests_total", help: "Slack Web API calls, by method and outcome (ok, or the error code).", labelNames: ["method", "outcome"], registers: [this.registry] });
  readonly slackDuration = new Histogram({
    name: "warroom_slack_request_duration_seconds",
    help: "How long Slack Web API calls took, by method.",
    labelNames: ["method"],
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly slackRateLimited = new Counter({ name: "warroom_slack_rate_limited_total", help: "Slack calls answered 429 (ratelimited), by method.", labelNames: ["method"], registers: [this.registry] });
  readonly jobsFailed = new Counter({ name: "warroom_jobs_failed_total", help: "Jobs that failed for good (after their attempts).", registers: [this.registry] });
  readonly ackDuration = new Histogram({
    name: "warroom_ack_duration_seconds",
    help: "From a request's arrival to its acknowledgement, by surface (slack, api, hooks).",
    labelNames: ["surface"],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3],
    registers: [this.registry],
  });
  readonly webhookDeliveries = new Counter({ name: "warroom_webhook_deliveries_total", help: "Webhook delivery attempts, by outcome (delivered, retry, gone, failed).", labelNames: ["outcome"], registers: [this.registry] });
  private source: MetricsSource | undefined;

  constructor(private readonly now: () => Date = () => new Date()) {
    collectDefaultMetrics({ register: this.registry });
    const source = () => this.source;
    new Gauge({
      name: "warroom_incidents_open",
      help: "Incidents not yet resolved, by severity.",
      labelNames: ["severity"],
      registers: [this.registry],
      async collect() {
        this.reset();
        const open = (await source()?.openBySeverity()) ?? {};
        for (const [severity, n] of Object.entries(open)) this.set({ severity }, n);
      },
    });
    let jobs: Promise<{ pending: number; oldestDueSeconds: number }> | undefined;
    // both job gauges come from one query per scrape
    const readJobs = () => (jobs ??= (source()?.jobs(this.now()) ?? Promise.resolve({ pending: 0, oldestDueSeconds: 0 })).finally(() => setTimeout(() => (jobs = undefined), 0)));
    new Gauge({
      name: "warroom_jobs_pending",
      help: "Jobs waiting to run (due or not).",
      registers: [this.registry],
      async collect() {
        this.set((await readJobs()).pending);
      },
    });
    new Gauge({
      name: "warroom_jobs_oldest_due_seconds",
      help: "How long the oldest due job has been waiting (0: none is late).",
      registers: [this.registry],
      async collect() {
        this.set((await readJobs()).oldestDueSeconds);
      },
    });
  }

  /** Where the scrape reads the database's numbers (set once the database is up). */
  readFrom(source: MetricsSource): void {
    this.source = source;
  }

  private ai: AssistantMetrics | undefined;

  /** The assistant's metrics, registered the first time they are asked for (only when it is on). */
  assistant(): AssistantMetrics {
    this.ai ??= {
      requests: new Counter({ name: "warroom_ai_requests_total", help: "Requests to the assistant's model, by feature (catchup, update, postmortem) and outcome (ok, timeout, rate_limited, http_error, unreachable, malformed, empty).", labelNames: ["feature", "outcome"], registers: [this.registry] }),
      duration: new Histogram({
        name: "warroom_ai_request_duration_seconds",
        help: "How long the model took to answer, by feature.",
        labelNames: ["feature"],
        buckets: [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60],
        registers: [this.registry],
      }),
      tokens: new Counter({ name: "warroom_ai_tokens_total", help: "Tokens the model's API reported using, by kind (prompt, completion).", labelNames: ["kind"], registers: [this.registry] }),
    };
    return this.ai;
  }

  /** A Slack call's outcome and duration. */
  slackCall(method: string, outcome: string, seconds: number): void {
    this.slackRequests.inc({ method, outcome });
    this.slackDuration.observe({ method }, seconds);
    if (outcome === "ratelimited") this.slackRateLimited.inc({ method });
  }
}
