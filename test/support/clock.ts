// A clock a test moves by hand, for deterministic documents.

import type { Clock } from "../../src/clock.ts";

export class ManualClock implements Clock {
  private t: number;
  constructor(start: string) {
    this.t = Date.parse(start);
  }
  now(): Date {
    return new Date(this.t);
  }
  /** Moves to a time of day (HH:mm, UTC) on the current day. */
  at(hhmm: string): void {
    const d = new Date(this.t);
    const [h, m] = hhmm.split(":").map(Number);
    d.setUTCHours(h as number, m, 0, 0);
    if (d.getTime() < this.t) throw new Error(`the clock does not go back (${hhmm})`);
    this.t = d.getTime();
  }
}

/** Real time, moved forward by hand (e.g. a receiver down for an hour, in seconds). */
export class ShiftedClock implements Clock {
  offset = 0;
  now(): Date {
    return new Date(Date.now() + this.offset);
  }
  forward(ms: number): void {
    this.offset += ms;
  }
}
