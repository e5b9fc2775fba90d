import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { sourceStack } from "./stack-sources.js";

const bundle = path.resolve(import.meta.dirname, "..", "..", "dist", "cli", "main.js");
const source = path.resolve(import.meta.dirname, "..", "cli", "main.ts");

describe("an internal error's stack, as the sources read", () => {
  it("puts a frame of the bundle back at its src/ file and line", () => {
    expect(existsSync(`${bundle}.map`), "the bundle is built by `npm run build` (npm test runs it)").toBe(
      true,
    );
    // A frame at the bundle's `async function main(`, as Node would print it.
    const lines = readFileSync(bundle, "utf8").split("\n");
    const line = lines.findIndex((l) => l.includes("async function main("));
    expect(line).toBeGreaterThan(-1);
    const column = lines[line]!.indexOf("async function main(");
    const url = pathToFileURL(bundle).href;
    const stack = `Error: boom\n    at main (${url}:${line + 1}:${column + 1})\n    at node:internal/x:1:1`;

    const mapped = sourceStack(stack);
    const frame = /at main \((.+):(\d+):(\d+)\)/.exec(mapped)!;
    expect(frame[1]).toBe(source);
    expect(readFileSync(source, "utf8").split("\n")[Number(frame[2]) - 1]).toContain("function main(");
    expect(mapped).toContain("at node:internal/x:1:1");
  });

  it("leaves a frame it has no map for as it was", () => {
    const stack = "Error: x\n    at f (file:///nowhere/at/all.js:3:4)";
    expect(sourceStack(stack)).toBe(stack);
  });
});
