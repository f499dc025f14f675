// Reading a backup file line by line: JSON lines checked against the format, a table's COPY rows
// handed on as a stream, and the file's wholeness proven by its last line.

import type { Readable } from "node:stream";
import { z } from "zod";
import { BackupError } from "./tables.ts";

export function countNewlines(chunk: Buffer): number {
  let n = 0;
  for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
  return n;
}

/**
 * Reads a snapshot's lines from a stream of buffers: JSON lines one at a time, and each table's data
 * in bulk (forwarded as it arrives, never held whole).
 */
export class SnapshotReader {
  private pending: Buffer = Buffer.alloc(0);
  private done = false;
  private readonly iterator: AsyncIterator<Buffer>;
  line = 0;

  constructor(input: Readable) {
    this.iterator = (input as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  private async more(): Promise<boolean> {
    if (this.done) return false;
    const next = await this.iterator.next();
    if (next.done) {
      this.done = true;
      return false;
    }
    this.pending = this.pending.length === 0 ? next.value : Buffer.concat([this.pending, next.value]);
    return true;
  }

  /** The next line as JSON, checked with `schema`. */
  async json<T>(schema: z.ZodType<T>, what: string): Promise<T> {
    for (;;) {
      const nl = this.pending.indexOf(10);
      if (nl !== -1) {
        const text = this.pending.subarray(0, nl).toString("utf8");
        this.pending = this.pending.subarray(nl + 1);
        this.line++;
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          throw new BackupError(`line ${this.line}: expected ${what}, found something else (is this a Warroom backup?)`);
        }
        const parsed = schema.safeParse(value);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new BackupError(`line ${this.line}: not ${what}${issue ? ` (${issue.path.join(".") || "value"}: ${issue.message})` : ""}`);
        }
        return parsed.data;
      }
      if (this.pending.length > 1 << 20) throw new BackupError(`line ${this.line + 1}: expected ${what}, found a line over 1 MB`);
      if (!(await this.more())) throw new BackupError(`the file ends at line ${this.line} where ${what} was expected: it is cut short`);
    }
  }

  /** Hands each run of whole data lines to `sink` up to the `\.` line; returns the rows' count. */
  async data(sink: (bytes: Buffer) => Promise<void>): Promise<number> {
    let rows = 0;
    for (;;) {
      let start = 0;
      let nl = this.pending.indexOf(10);
      while (nl !== -1) {
        if (nl - start === 2 && this.pending[start] === 0x5c && this.pending[start + 1] === 0x2e) {
          if (start > 0) await sink(this.pending.subarray(0, start));
          this.pending = this.pending.subarray(nl + 1);
          this.line += rows + 1;
          return rows;
        }
        rows++;
        start = nl + 1;
        nl = this.pending.indexOf(10, start);
      }
      // everything up to the last whole line goes now; the rest waits for the next chunk
      if (start > 0) {
        await sink(this.pending.subarray(0, start));
        this.pending = this.pending.subarray(start);
      }
      if (!(await this.more())) throw new BackupError(`the file ends inside a table's rows (after line ${this.line + rows}): it is cut short`);
    }
  }
}
