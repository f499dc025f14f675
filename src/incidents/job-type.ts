// What a kind of job is: its name, the shape of its payload, what it does, and what people are told
// when it fails for good. Each journey defines the kinds it needs next to their handlers; the
// catalogue (catalogue.ts) lists them all for the worker. A payload is checked by the compiler when
// a journey drafts the job, and by zod when the worker runs it (rows written by an older release, or
// by hand, are not trusted).

import type { z } from "zod";
import type { ClaimedJob, JobDraft } from "../store/jobs.ts";
import type { Ctx } from "./context.ts";

/** Who asked for a job, when there is no incident yet to tell (a declaration still being recorded). */
export interface Asker {
  readonly userId?: string | undefined;
  readonly responseUrl?: string | undefined;
}

export interface JobType<S extends z.ZodType = z.ZodType> {
  readonly kind: string;
  readonly payload: S;
  run(ctx: Ctx, payload: z.output<S>, job: ClaimedJob): Promise<void>;
  /** Completes "I could not … INC-12": e.g. "post a message in". */
  readonly failure: string;
  /** The person to tell when the job fails for good and has no incident. */
  asker?(payload: z.output<S>): Asker;
}

export function jobType<S extends z.ZodType>(def: JobType<S>): JobType<S> {
  return def;
}

export interface DraftOptions {
  readonly incidentId?: string | undefined;
  readonly dueAt?: Date | undefined;
  readonly dedupeKey?: string | undefined;
}

/** A job of `type` to enqueue, its payload checked against the type's schema by the compiler. */
export function draft<S extends z.ZodType>(type: JobType<S>, payload: z.input<S>, opts: DraftOptions = {}): JobDraft {
  return {
    kind: type.kind,
    payload: payload as Record<string, unknown>,
    ...(opts.incidentId !== undefined ? { incidentId: opts.incidentId } : {}),
    ...(opts.dueAt !== undefined ? { dueAt: opts.dueAt } : {}),
    ...(opts.dedupeKey !== undefined ? { dedupeKey: opts.dedupeKey } : {}),
  };
}
