// The playground's workspace on disk: written a moment after it changes (atomically: a new file
// renamed over the old), and read back at the next start.

import fs from "node:fs";
import path from "node:path";
import type { WorkspaceSnapshot } from "../local-slack/workspace.ts";

export class SavedWorkspace {
  private timer: NodeJS.Timeout | undefined;
  /** Changed since the file was last written. */
  private dirty = false;

  constructor(
    private readonly statePath: string | undefined,
    private readonly snapshot: () => WorkspaceSnapshot,
  ) {}

  /** The workspace changed: it is written within 300 ms. */
  changed(): void {
    this.dirty = true;
    if (this.statePath && !this.timer) this.timer = setTimeout(() => this.save(), 300);
  }

  /** Writes the workspace to its file when it changed (or always, forced). */
  save(force = false): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.statePath || !(this.dirty || force)) return;
    this.dirty = false;
    const tmp = `${this.statePath}.tmp`;
    fs.mkdirSync(path.dirname(this.statePath), { recursive: true });
    fs.writeFileSync(tmp, JSON.stringify(this.snapshot()));
    fs.renameSync(tmp, this.statePath);
  }

  static load(statePath: string): WorkspaceSnapshot | undefined {
    let text: string;
    try {
      text = fs.readFileSync(statePath, "utf8");
    } catch {
      return undefined;
    }
    const saved = JSON.parse(text) as WorkspaceSnapshot;
    if (saved.version !== 1) throw new Error(`${statePath} is not a playground workspace this version can read`);
    return saved;
  }
}
