// The layering rule, checked on the sources rather than by eye: every import runs from the edge down
// to the domain. A folder may import its own files and any layer below it, never one above.

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
  ["slack", "statuspage"],
  ["store"],
  ["config", "log.ts", "clock.ts", "metrics.ts"],
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
