// `npm run db:generate`: generates the Prisma client into src/store/generated, offline. The client is
// committed, so an install (a production one, without the Prisma CLI, included) needs no generation;
// run this after editing prisma/schema.prisma (test/unit/generated-client.test.ts fails until you do).
// Arguments go to `prisma generate` (e.g. `--schema other/schema.prisma`).
// `prisma generate` never runs the native schema engine but insists that one exists; the engine is a
// download these machines (and many firewalled servers) cannot make, so point it at any existing
// file. Migrations use Prisma's WebAssembly engine instead (src/store/migrate.ts).

import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const cli = path.join(path.dirname(require.resolve("prisma/package.json")), "build", "index.js");
const result = spawnSync(process.execPath, [cli, "generate", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    CHECKPOINT_DISABLE: "1",
  },
});
process.exit(result.status ?? 1);
