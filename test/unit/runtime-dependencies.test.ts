// A production install (`npm install --omit=dev`) has only the dependencies: everything the bot and
// its tools import at run time must be one of them (or Node's own). Types-only imports are erased.

import fs from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { expect, it } from "vitest";
import { ROOT } from "../support/bot-process.ts";

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string>; scripts: Record<string, string> };

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.(ts|mjs)$/.test(e.name) ? [p] : [];
  });
}

/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`). */
const packageOf = (spec: string) => (spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : (spec.split("/")[0] as string));

it("everything src/ imports at run time is a dependency, not a devDependency", () => {
  const missing = new Set<string>();
  for (const file of sources(path.join(ROOT, "src"))) {
    const text = fs.readFileSync(file, "utf8");
    // static imports that are not `import type`, and dynamic imports of string literals
    for (const m of text.matchAll(/^\s*import\s+(?!type\s)[^;]*?from\s+["']([^"'.][^"']*)["']|^\s*import\s+["']([^"'.][^"']*)["']|import\(\s*["']([^"'.][^"']*)["']\s*\)/gm)) {
      const spec = (m[1] ?? m[2] ?? m[3]) as string;
      if (spec.startsWith("node:") || builtinModules.includes(spec)) continue;
      const name = packageOf(spec);
      if (!(name in pkg.dependencies)) missing.add(`${name} (${path.relative(ROOT, file)})`);
    }
  }
  // the embedded server's binaries are imported by a computed name: the package of this platform
  expect([...missing]).toEqual([]);
});

it("the scripts a production install runs use no devDependency", () => {
  for (const script of ["postinstall", "start", "backup", "restore", "db:copy", "build"]) {
    const line = pkg.scripts[script] as string;
    expect(line, script).not.toMatch(/\btsx\b|\bprisma\b|\bvitest\b|\boxlint\b/);
  }
});
