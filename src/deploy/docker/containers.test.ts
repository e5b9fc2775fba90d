import { describe, expect, it } from "vitest";
import type { EngineClient, EngineRequest, EngineResponse } from "../../engine/index.js";
import { createContainer, startContainer } from "./containers.js";

/** An engine that answers each request with the next scripted answer, and records what it was asked. */
function scriptedEngine(answers: EngineResponse[]) {
  const calls: string[] = [];
  const engine = {
    async raw(request: EngineRequest) {
      calls.push(`${request.method} ${request.path}${request.query?.name ? ` ${request.query.name}` : ""}`);
      const answer = answers.shift();
      if (!answer) throw new Error(`unexpected ${request.method} ${request.path}`);
      return answer;
    },
  } as unknown as EngineClient;
  return { engine, calls };
}

const json = (status: number, body: unknown): EngineResponse => ({
  status,
  body: Buffer.from(JSON.stringify(body)),
});
const created = json(201, { Id: "c1" });
const noNetwork = json(404, { message: "network shop not found" });

describe("createContainer", () => {
  it("is one call when the name is free and the network exists", async () => {
    const { engine, calls } = scriptedEngine([created]);
    let made = 0;
    const id = await createContainer(engine, "shop-api.next", { Image: "sha256:a" }, "api", async () => {
      made++;
    });
    expect(id).toBe("c1");
    expect(calls).toEqual(["POST /containers/create shop-api.next"]);
    expect(made).toBe(0);
  });

  it("removes a leftover of the same name only when the engine says the name is taken", async () => {
    const { engine, calls } = scriptedEngine([
      json(409, { message: 'Conflict. The container name "/shop-api.next" is already in use' }),
      { status: 204, body: Buffer.alloc(0) },
      created,
    ]);
    expect(await createContainer(engine, "shop-api.next", {}, "api", async () => {})).toBe("c1");
    expect(calls).toEqual([
      "POST /containers/create shop-api.next",
      "DELETE /containers/shop-api.next",
      "POST /containers/create shop-api.next",
    ]);
  });

  it("makes the network when the engine reports it missing, then creates again", async () => {
    const { engine, calls } = scriptedEngine([noNetwork, created]);
    let made = 0;
    await createContainer(engine, "shop-api.next", {}, "api", async () => {
      made++;
    });
    expect(made).toBe(1);
    expect(calls).toHaveLength(2);
  });

  it("reads Podman's answer to a missing network (500 at create) the same way", async () => {
    const podman = json(500, {
      cause: "network not found",
      message: "container create: unable to find network with name or ID shop: network not found",
      response: 500,
    });
    const { engine, calls } = scriptedEngine([podman, created]);
    let made = 0;
    expect(
      await createContainer(engine, "shop-api.next", {}, "api", async () => {
        made++;
      }),
    ).toBe("c1");
    expect(made).toBe(1);
    expect(calls).toHaveLength(2);
  });

  it("a missing image is still a missing image, not a network to make", async () => {
    const { engine } = scriptedEngine([json(404, { message: "No such image: sha256:a" })]);
    let made = 0;
    await expect(
      createContainer(engine, "shop-api.next", { Image: "sha256:a" }, "api", async () => {
        made++;
      }),
    ).rejects.toThrow("api: the engine does not have the image sha256:a");
    expect(made).toBe(0);
  });
});

describe("startContainer", () => {
  it("makes the network when the engine reports it missing at start, then starts again", async () => {
    const { engine, calls } = scriptedEngine([noNetwork, { status: 204, body: Buffer.alloc(0) }]);
    let made = 0;
    await startContainer(engine, "c1", "api", "dray.yaml:3:5", async () => {
      made++;
    });
    expect(made).toBe(1);
    expect(calls).toEqual(["POST /containers/c1/start", "POST /containers/c1/start"]);
  });

  it("a network that cannot be made fails the start with the engine's words", async () => {
    const { engine } = scriptedEngine([noNetwork, noNetwork]);
    await expect(startContainer(engine, "c1", "api", "dray.yaml:3:5", async () => {})).rejects.toThrow(
      "network shop not found",
    );
  });
});
