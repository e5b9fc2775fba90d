import { describe, expect, it } from "vitest";
import type { EngineClient, EngineRequest, EngineResponse } from "../../engine/index.js";
import type { LockHolder } from "../lock-holder.js";
import { containerLock } from "./lock.js";
import { lockImageArchive } from "./lock-image.js";

/** An engine that answers each request with the next scripted answer, and records what it was asked. */
function scriptedEngine(answers: EngineResponse[]) {
  const calls: string[] = [];
  const bodies: unknown[] = [];
  const engine = {
    address: { kind: "unix", socketPath: "/run/test.sock", text: "unix:///run/test.sock" },
    async raw(request: EngineRequest) {
      calls.push(`${request.method} ${request.path}`);
      bodies.push(request.body);
      const answer = answers.shift();
      if (!answer) throw new Error(`unexpected ${request.method} ${request.path}`);
      return answer;
    },
  } as unknown as EngineClient;
  return { engine, calls, bodies };
}

const json = (status: number, body: unknown): EngineResponse => ({
  status,
  body: Buffer.from(JSON.stringify(body)),
});
const holder: LockHolder = {
  user: "me",
  host: "here",
  pid: 1,
  project: "shop",
  target: "local",
  command: "deploy",
  since: 0,
  token: "t",
};

describe("the docker deploy lock's create", () => {
  it("is one call when the engine has the lock image: its tag is known without asking", async () => {
    const { engine, calls, bodies } = scriptedEngine([json(201, { Id: "l1" })]);
    const lock = containerLock(engine, "shop", "linux/amd64", 0);
    expect(await lock.create(holder)).toBe("l1");
    expect(calls).toEqual(["POST /containers/create"]);
    expect((bodies[0] as { Image: string }).Image).toBe(lockImageArchive("linux/amd64").tag);
  });

  it("loads the lock image when the engine lacks it, then creates again", async () => {
    const tag = lockImageArchive("linux/amd64").tag;
    const { engine, calls } = scriptedEngine([
      json(404, { message: `No such image: ${tag}` }),
      json(200, { stream: `Loaded image: ${tag}\n` }),
      json(201, { Id: "l1" }),
    ]);
    const lock = containerLock(engine, "shop", "linux/amd64", 0);
    expect(await lock.create(holder)).toBe("l1");
    expect(calls).toEqual(["POST /containers/create", "POST /images/load", "POST /containers/create"]);
  });

  it("another holder's lock is not an error: create answers undefined", async () => {
    const { engine } = scriptedEngine([
      json(409, { message: "Conflict. The container name is already in use" }),
    ]);
    expect(await containerLock(engine, "shop", "linux/amd64", 0).create(holder)).toBeUndefined();
  });
});
