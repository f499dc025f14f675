// `npm run db:generate`: generates the Prisma client into src/store/generated, offline apart from
// fetching the Prisma CLI from the npm registry (npx, pinned below). The client is committed, so no
// install — a production one least of all — needs the CLI: it is not a dependency at all, because
// @prisma/client names it as an optional peer and npm would then put the CLI (its studio, React and
// PGlite) into every production install. Run this after editing prisma/schema.prisma
// (test/unit/generated-client.test.ts fails until you do). Arguments go to `prisma generate`
// (e.g. `--schema other/schema.prisma`).
//
// `prisma generate` never runs the native schema engine but insists that one exists; the engine is a
// download these machines (and many firewalled servers) cannot make, so point it at any existing
// file. Migrations use Prisma's WebAssembly engine instead (src/store/migrate.ts).

import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const PRISMA_CLI = "prisma@7.10.1";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const npx = process.platform === "win32" ? "npx.cmd" : "npx";
// run under another npx (`npx -p node@24 -- npm test`), the inherited npm_config_package would
// stand in for the package named here: it is named explicitly and the inherited one dropped
const { npm_config_package: _outer, ...env } = process.env;
const result = spawnSync(npx, ["-y", "--package", PRISMA_CLI, "--", "prisma", "generate", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  env: {
    ...env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    CHECKPOINT_DISABLE: "1",
  },
});
process.exit(result.status ?? 1);
