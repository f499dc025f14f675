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
import fs from "node:fs";
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
if (result.status !== 0) process.exit(result.status ?? 1);

// The generated client imports its query compiler as a module exporting the WebAssembly as one base64
// string. An imported module stays in memory for the life of the process, its source and the string
// alike: 4.6 MB of a bot's heap, held to compile the module once. Read the same file as text instead,
// so it is garbage once the WebAssembly module is compiled.
const args = process.argv.slice(2);
const schemaAt = args.indexOf("--schema");
const schema = path.resolve(root, schemaAt >= 0 ? args[schemaAt + 1] : path.join("prisma", "schema.prisma"));
const output = /^\s*output\s*=\s*"([^"]+)"/m.exec(fs.readFileSync(schema, "utf8"))?.[1];
if (!output) throw new Error(`no generator output in ${schema}`);
const classFile = path.join(path.resolve(path.dirname(schema), output), "internal", "class.ts");
const generated = fs.readFileSync(classFile, "utf8");
const imported = /const \{ wasm \} = await import\("(@prisma\/client\/runtime\/query_compiler_\w+_bg\.\w+\.wasm-base64)\.mjs"\)\n(\s*)return await decodeBase64AsWasm\(wasm\)/;
const found = imported.exec(generated);
if (!found) throw new Error(`${classFile}: the query compiler's import is not where this script expects it (a new Prisma?)`);
const [, file, indent] = found;
const read = [
  "// read as text rather than imported (scripts/generate-prisma.mjs): an imported module is kept for good",
  "const { readFile } = await import('node:fs/promises')",
  "const { createRequire } = await import('node:module')",
  `const text = await readFile(createRequire(import.meta.url).resolve("${file}.js"), 'utf8')`,
  "return await decodeBase64AsWasm(text.slice(text.indexOf('\"') + 1, text.lastIndexOf('\"')))",
].join(`\n${indent}`);
fs.writeFileSync(classFile, generated.replace(imported, read));
