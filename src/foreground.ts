// Requests first. The bot answers Slack (and the API, and alerts) on the same event loop that runs
// its background jobs, and a declaration's background work costs tens of milliseconds of CPU: in a
// burst, an acknowledgement would queue behind other incidents' steps. So while a request is being
// answered, and for a moment after (the next one of a burst is usually on its way), background work
// waits at its next step: a job before it starts, before each Slack call and each statement it sends
// on its own through store/sql.ts. While the requests last, the waiting steps go one at a time, one
// every `stepEveryMs` (oldest first): background work slows during a burst, it never stops. When
// they end, every waiting step goes at once.

import { AsyncLocalStorage } from "node:async_hooks";

export interface ForegroundOptions {
  /** After the last request is answered, background work waits this much longer for the next one. */
  graceMs?: number;
  /** While requests are being answered, one waiting step of background work goes this often. */
  stepEveryMs?: number;
}

const background = new AsyncLocalStorage<Foreground>();

export class Foreground {
  private active = 0;
  private lastLeft = Number.NEGATIVE_INFINITY;
  /** Steps of background work waiting, oldest first. */
  private readonly steps: (() => void)[] = [];
  /** Others waiting for the requests to end (with their own time limit). */
  private readonly quietWaiters = new Set<() => void>();
  private drip: NodeJS.Timeout | undefined;
  private releaseTimer: NodeJS.Timeout | undefined;
  readonly graceMs: number;
  readonly stepEveryMs: number;

  constructor(opts: ForegroundOptions = {}) {
    this.graceMs = opts.graceMs ?? 5;
    this.stepEveryMs = opts.stepEveryMs ?? 50;
  }

  /** A request is being answered until the returned function is called (once is enough; more do nothing). */
  enter(): () => void {
    this.active++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.active--;
      this.lastLeft = performance.now();
      if (this.active === 0) this.releaseAfterGrace();
    };
  }

  /** Whether background work should wait now. */
  get busy(): boolean {
    return this.active > 0 || performance.now() - this.lastLeft < this.graceMs;
  }

  /** How many steps of background work are waiting. */
  get waiting(): number {
    return this.steps.length;
  }

  /** Runs background work: its steps (`step()`) wait their turn while requests are being answered. */
  background<T>(work: () => Promise<T>): Promise<T> {
    return background.run(this, work);
  }

  /** A step of background work: resolves at once when nothing is being answered, else in its turn. */
  takeStep(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => {
      this.steps.push(resolve);
      this.drip ??= setInterval(() => {
        this.steps.shift()?.();
        if (this.steps.length === 0) this.stopDrip();
      }, this.stepEveryMs);
      if (this.active === 0) this.releaseAfterGrace();
    });
  }

  /** Resolves when no request is being answered (after the grace), or after `maxWaitMs`. */
  whenQuiet(maxWaitMs: number): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.quietWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, maxWaitMs);
      this.quietWaiters.add(done);
      if (this.active === 0) this.releaseAfterGrace();
    });
  }

  private stopDrip(): void {
    clearInterval(this.drip);
    this.drip = undefined;
  }

  private releaseAfterGrace(): void {
    if (this.releaseTimer || (this.steps.length === 0 && this.quietWaiters.size === 0)) return;
    const left = Math.max(0, this.graceMs - (performance.now() - this.lastLeft));
    this.releaseTimer = setTimeout(() => {
      this.releaseTimer = undefined;
      if (this.busy) {
        // a request came meanwhile: its end schedules the release
        if (this.active === 0) this.releaseAfterGrace();
        return;
      }
      this.stopDrip();
      for (const go of this.steps.splice(0)) go();
      for (const done of this.quietWaiters) done();
    }, left + 1);
  }
}

/**
 * A step of background work (work run by `Foreground.background`): resolves when no request is being
 * answered, or in its turn. Nothing to wait for, or not background work: undefined, at once.
 */
export function step(): Promise<void> | undefined {
  const fg = background.getStore();
  return fg?.busy ? fg.takeStep() : undefined;
}
