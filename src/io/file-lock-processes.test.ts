/**
 * The lock between processes: several `node` processes race for a stale lock; exactly one may win.
 * Each round's winner exits holding the lock, which leaves it stale for the next round.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileForNode } from "../../test/support/node-module.js";
import { parseLockRecord } from "./file-lock.js";

const ROUNDS = 6;
const CONTENDERS = 4;

/** Says "ready" once loaded, tries the lock on "go", says "won" or "lost", and exits (never releasing) when stdin ends. */
const CONTENDER = (moduleUrl: string) => `
import { createInterface } from "node:readline";
const { acquireFileLock } = await import(${JSON.stringify(moduleUrl)});
const lines = createInterface({ input: process.stdin });
process.stdout.write("ready\\n");
for await (const line of lines) {
  if (line !== "go") continue;
  const attempt = await acquireFileLock(process.argv[2], { timeoutMs: 0 });
  process.stdout.write(attempt.acquired ? "won\\n" : "lost\\n");
}
`;

let dir: string;
let script: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "dray-lock-processes-"));
  const compiled = await compileForNode(path.join(import.meta.dirname, "file-lock.ts"), path.join(dir, "js"));
  script = path.join(dir, "contender.mjs");
  await writeFile(script, CONTENDER(pathToFileURL(compiled).href));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Resolves with each next line the child prints. */
function lineReader(child: { stdout: Readable; pid?: number | undefined }): () => Promise<string> {
  const iterator = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return async () => {
    const next = await iterator.next();
    if (next.done) throw new Error(`contender ${child.pid} exited early`);
    return next.value;
  };
}

describe("file lock across processes", () => {
  it("lets exactly one process take over a stale lock, round after round", async () => {
    const locks = path.join(dir, "locks");
    await mkdir(locks);
    const lock = path.join(locks, "x.lock");
    await writeFile(lock, JSON.stringify({ pid: 4_194_999, host: os.hostname(), token: "dead" }));

    for (let round = 0; round < ROUNDS; round++) {
      const children = Array.from({ length: CONTENDERS }, () =>
        spawn(process.execPath, [script, lock], { stdio: ["pipe", "pipe", "inherit"] }),
      );
      const exited = children.map((child) => new Promise((resolve) => child.once("exit", resolve)));
      try {
        const readers = children.map(lineReader);
        expect(await Promise.all(readers.map((read) => read()))).toEqual(children.map(() => "ready"));
        // Everyone is loaded: start them together, then wait for every answer while all are alive.
        for (const child of children) child.stdin.write("go\n");
        const answers = await Promise.all(readers.map((read) => read()));
        expect(
          answers.filter((a) => a === "won"),
          `round ${round}: ${answers}`,
        ).toHaveLength(1);
        const winner = children[answers.indexOf("won")]!;
        expect(parseLockRecord(await readFile(lock, "utf8"))?.pid).toBe(winner.pid);
        expect(await readdir(locks)).toEqual(["x.lock"]);
      } finally {
        for (const child of children) child.stdin.end();
        await Promise.all(exited);
      }
    }
  }, 60_000);
});
