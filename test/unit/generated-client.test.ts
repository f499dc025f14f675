// The Prisma client is committed (an install needs no Prisma CLI); this keeps it what
// prisma/schema.prisma generates. On a failure: `npm run db:generate`, and commit the result.

import { spawnSync } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { ROOT } from "../support/bot-process.ts";

const COMMITTED = path.join(ROOT, "src", "store", "generated");
let dir: string | undefined;
afterAll(async () => {
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

async function files(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await fs.readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out.set(path.relative(root, full), await fs.readFile(full, "utf8"));
  }
  return out;
}

it("src/store/generated is what prisma/schema.prisma generates", async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-generate-"));
  // the schema's output is relative to it: a copy two levels down writes into dir/src/store/generated
  await fs.mkdir(path.join(dir, "prisma"));
  await fs.copyFile(path.join(ROOT, "prisma", "schema.prisma"), path.join(dir, "prisma", "schema.prisma"));
  const result = spawnSync(process.execPath, [path.join(ROOT, "scripts", "generate-prisma.mjs"), "--schema", path.join(dir, "prisma", "schema.prisma")], { cwd: ROOT, encoding: "utf8" });
  expect(result.status, result.stderr).toBe(0);
  const fresh = await files(path.join(dir, "src", "store", "generated"));
  const committed = await files(COMMITTED);
  expect([...committed.keys()].sort()).toEqual([...fresh.keys()].sort());
  for (const [name, text] of fresh) expect(committed.get(name), `src/store/generated/${name} (run npm run db:generate)`).toBe(text);
}, 60_000);
