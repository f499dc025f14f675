// Time is injected: journeys and the scheduler ask a Clock, never `new Date()` inline, so tests and the
// planner can reason about time without waiting for it.

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
