// The layering rule, checked on the sources rather than by eye: every import runs from the edge down
// to the domain. A folder may import its own files and any layer below it, never one above. And the
// house kept in rooms: no two files import each other, however far round (types included), no
// hand-written file is over 400 lines, and no folder holds more than 20 files.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/bot-process.ts";

/** Highest first. Top-level files of src/ are named by their file name. */
const LAYERS: readonly (readonly string[])[] = [
  ["main.ts", "warroom.ts", "deps.ts", "cli", "playground"],
  // the stand-in for Slack the playground (and the tests) run the bot against: nothing of the bot uses it
  ["local-slack"],
  ["edge"],
  ["incidents"],
  ["postmortem"],
  ["scheduler"],
  ["slack", "statuspage", "trackers", "assistant", "pages"],
  ["store"],
  ["config", "log.ts", "clock.ts", "metrics.ts", "foreground.ts"],
  ["domain"],
];

const SRC = path.join(ROOT, "src");

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "generated" ? [] : sources(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

/** The unit a file belongs to: its first folder under src/, or its own name at the top. */
function unitOf(file: string): string {
  const rel = path.relative(SRC, file).split(path.sep);
  return rel.length > 1 ? (rel[0] as string) : (rel[0] as string);
}

function layerOf(unit: string): number {
  const i = LAYERS.findIndex((l) => l.includes(unit));
  if (i === -1) throw new Error(`src/${unit} is in no layer: add it to LAYERS in test/unit/architecture.test.ts`);
  return i;
}

function imports(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  return [...text.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) => path.resolve(path.dirname(file), m[1] as string));
}

const FILES = sources(SRC);

describe("the layers", () => {
  it("puts every source file in a layer", () => {
    for (const f of FILES) expect(() => layerOf(unitOf(f))).not.toThrow();
  });

  it("has every import run down (or within a folder), never up", () => {
    const upward: string[] = [];
    for (const f of FILES) {
      const from = layerOf(unitOf(f));
      for (const target of imports(f)) {
        if (!target.startsWith(SRC)) continue;
        const to = layerOf(unitOf(target));
        if (to < from || (to === from && unitOf(target) !== unitOf(f) && LAYERS[from]?.length === 1)) {
          upward.push(`${path.relative(SRC, f)} -> ${path.relative(SRC, target)}`);
        }
      }
    }
    expect(upward).toEqual([]);
  });

  it("keeps the domain free of I/O, frameworks and the clock", () => {
    const impure = FILES.filter((f) => unitOf(f) === "domain").flatMap((f) => {
      const text = fs.readFileSync(f, "utf8");
      const bad = [...text.matchAll(/from\s+["']([^"'.][^"']*)["']/g)].map((m) => m[1] as string).filter((m) => !["luxon", "zod"].includes(m));
      if (/\bDate\.now\(\)|new Date\(\)/.test(text)) bad.push("reads the clock");
      return bad.map((b) => `${path.relative(SRC, f)}: ${b}`);
    });
    expect(impure).toEqual([]);
  });

  it("catches an upward import (the check itself works)", () => {
    const from = layerOf("store");
    const to = layerOf("incidents");
    expect(to < from).toBe(true);
  });
});

/** The circles in an import graph (Tarjan's strongly connected components of more than one file, or a file importing itself). */
export function circles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index += 1;
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

/** Every import of src/, `import type` included, resolved to the file it names. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const f of FILES) graph.set(path.relative(SRC, f), imports(f).filter((t) => t.startsWith(SRC)).map((t) => path.relative(SRC, t)));
  return graph;
}

/** The project's own files (tracked or new, not ignored), relative to the root. */
function projectFiles(): string[] {
  const out = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" });
  return out.split("\n").filter((f) => f !== "" && fs.existsSync(path.join(ROOT, f)));
}

/** Written by hand: code under src/, test/, bench/ and scripts/, not generated, not test data. */
function handWritten(files: readonly string[]): string[] {
  return files.filter((f) => /^(src|test|bench|scripts)\//.test(f) && /\.(ts|js|mjs|css)$/.test(f) && !f.includes("/generated/") && !f.startsWith("test/fixtures/"));
}

const MAX_LINES = 400;
const MAX_FILES = 20;

describe("the house", () => {
  it("has no import circle, types included", () => {
    expect(circles(importGraph())).toEqual([]);
  });

  it("finds a circle when there is one (the check itself works)", () => {
    const graph = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
      ["d.ts", ["a.ts"]],
      ["e.ts", ["e.ts"]],
    ]);
    expect(circles(graph)).toEqual([["a.ts", "b.ts", "c.ts"], ["e.ts"]]);
    expect(circles(new Map([["a.ts", ["b.ts"]], ["b.ts", []]]))).toEqual([]);
  });

  it(`keeps every hand-written file at ${MAX_LINES} lines or fewer`, () => {
    const long = handWritten(projectFiles())
      .map((f) => ({ f, lines: fs.readFileSync(path.join(ROOT, f), "utf8").split("\n").length - 1 }))
      .filter((x) => x.lines > MAX_LINES)
      .map((x) => `${x.f}: ${x.lines} lines`);
    expect(long).toEqual([]);
  });

  it(`keeps every folder at ${MAX_FILES} files or fewer (sub-folders instead)`, () => {
    const perFolder = new Map<string, number>();
    for (const f of handWritten(projectFiles())) perFolder.set(path.dirname(f), (perFolder.get(path.dirname(f)) ?? 0) + 1);
    const crowded = [...perFolder].filter(([, n]) => n > MAX_FILES).map(([d, n]) => `${d}: ${n} files`);
    expect(crowded).toEqual([]);
  });
});
