import { describe, expect, it } from "vitest";
import { createFakeTransport } from "../../../test/support/fake-transport.js";
import { UserError } from "../../errors/errors.js";
import { staticCredentialSource } from "../credentials.js";
import type { Credential } from "../types.js";
import { createAuthorizer } from "./authorizer.js";

const REGISTRY = "reg.example:5000";
const BEARER = 'Bearer realm="https://auth.example/token",service="reg.example"';
const pull = "repository:shop/api:pull";
const push = "repository:shop/api:pull,push";

/** An authorizer over a fake token endpoint that numbers its tokens, with a clock the test moves. */
function setup(credential: Credential | undefined, reply: { expires_in?: number } = {}) {
  let clock = 1_000_000;
  let issued = 0;
  const transport = createFakeTransport(() => ({
    status: 200,
    body: { token: `tok-${++issued}`, ...reply },
  }));
  const authorizer = createAuthorizer({
    registry: REGISTRY,
    credentials: staticCredentialSource(credential ? { [REGISTRY]: credential } : {}),
    transport,
    now: () => clock,
  });
  return {
    authorizer,
    transport,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe("bearer tokens", () => {
  it("asks the realm with service, scope and Basic auth, then reuses the token until shortly before expiry", async () => {
    const { authorizer, transport, advance } = setup({ username: "u", password: "p" });
    expect(await authorizer.authorization([pull])).toBeUndefined();
    expect(await authorizer.challenged(BEARER, [pull], undefined)).toBe("Bearer tok-1");
    const asked = transport.requests[0]!;
    expect(asked.method).toBe("GET");
    expect(asked.url.href).toBe(
      "https://auth.example/token?service=reg.example&scope=repository%3Ashop%2Fapi%3Apull",
    );
    expect(asked.headers?.["Authorization"]).toBe(`Basic ${Buffer.from("u:p").toString("base64")}`);
    // No expires_in: 60 s by the spec's default, used until 10 s before the end.
    advance(49_000);
    expect(await authorizer.authorization([pull])).toBe("Bearer tok-1");
    advance(2_000);
    expect(await authorizer.authorization([pull])).toBe("Bearer tok-2");
    expect(transport.requests).toHaveLength(2);
  });

  it("shares one token request among requests challenged at the same time", async () => {
    const { authorizer, transport } = setup({ username: "u", password: "p" });
    const all = await Promise.all([1, 2, 3].map(() => authorizer.challenged(BEARER, [pull], undefined)));
    expect(all).toEqual(["Bearer tok-1", "Bearer tok-1", "Bearer tok-1"]);
    expect(transport.requests).toHaveLength(1);
  });

  it("honours expires_in", async () => {
    const { authorizer, advance } = setup({ username: "u", password: "p" }, { expires_in: 300 });
    authorizer.learn(BEARER);
    expect(await authorizer.authorization([pull])).toBe("Bearer tok-1");
    advance(289_000);
    expect(await authorizer.authorization([pull])).toBe("Bearer tok-1");
    advance(2_000);
    expect(await authorizer.authorization([pull])).toBe("Bearer tok-2");
  });

  it("lets a push token serve later pulls, but not the other way round", async () => {
    const { authorizer, transport } = setup({ username: "u", password: "p" });
    authorizer.learn(BEARER);
    expect(await authorizer.authorization([pull])).toBe("Bearer tok-1");
    expect(await authorizer.authorization([push])).toBe("Bearer tok-2");
    expect(await authorizer.authorization([pull])).toBe("Bearer tok-1");
    authorizer.learn(BEARER);
    expect(transport.requests).toHaveLength(2);
  });

  it("asks for the challenge's scope together with the request's", async () => {
    const { authorizer, transport } = setup({ username: "u", password: "p" });
    await authorizer.challenged(`${BEARER},scope="repository:base/img:pull"`, [push], undefined);
    expect(transport.requests[0]!.url.searchParams.getAll("scope")).toEqual([
      "repository:base/img:pull",
      "repository:shop/api:pull,push",
    ]);
  });

  it("drops a refused token and fetches a fresh one", async () => {
    const { authorizer } = setup({ username: "u", password: "p" });
    authorizer.learn(BEARER);
    expect(await authorizer.authorization([pull])).toBe("Bearer tok-1");
    expect(await authorizer.challenged(`${BEARER},error="invalid_token"`, [pull], "Bearer tok-1")).toBe(
      "Bearer tok-2",
    );
    expect(await authorizer.authorization([pull])).toBe("Bearer tok-2");
  });

  it("exchanges an identity token with a POST of the refresh token", async () => {
    const { authorizer, transport } = setup({ identityToken: "refresh-me" });
    await authorizer.challenged(BEARER, [push], undefined);
    const asked = transport.requests[0]!;
    expect(asked.method).toBe("POST");
    expect(asked.headers?.["Authorization"]).toBeUndefined();
    expect(Object.fromEntries(new URLSearchParams(asked.body!.toString()))).toEqual({
      grant_type: "refresh_token",
      refresh_token: "refresh-me",
      client_id: "dray",
      service: "reg.example",
      scope: push,
    });
  });

  it("refuses to send credentials to a plain-HTTP realm off loopback", async () => {
    const { authorizer } = setup({ username: "u", password: "p" });
    const error = await authorizer
      .challenged('Bearer realm="http://auth.example/token"', [pull], undefined)
      .catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(/over plain HTTP; dray refuses to send them/);
  });
});

describe("basic auth and refusals", () => {
  it("answers Basic with the stored password and reports a refused one", async () => {
    const { authorizer } = setup({ username: "u", password: "p" });
    const basic = `Basic ${Buffer.from("u:p").toString("base64")}`;
    expect(await authorizer.challenged('Basic realm="r"', [pull], undefined)).toBe(basic);
    expect(await authorizer.authorization([pull])).toBe(basic);
    await expect(authorizer.challenged('Basic realm="r"', [pull], basic)).rejects.toThrow(
      `registry ${REGISTRY} rejected the stored credentials`,
    );
  });

  it("says credentials are missing when none are stored", async () => {
    const { authorizer } = setup(undefined);
    await expect(authorizer.challenged('Basic realm="r"', [pull], undefined)).rejects.toThrow(
      /requires authentication and no credentials are stored/,
    );
    expect((await authorizer.refused(BEARER, [pull])).message).toMatch(/no credentials are stored/);
  });

  it("says which scope was not granted", async () => {
    const { authorizer } = setup({ username: "u", password: "p" });
    const header = `${BEARER},error="insufficient_scope"`;
    await expect(authorizer.challenged(header, [push], "Bearer old")).rejects.toThrow(
      `registry ${REGISTRY} did not grant repository:shop/api:pull,push to the stored credentials`,
    );
  });

  it("names a 401 without a usable challenge", async () => {
    const { authorizer } = setup(undefined);
    await expect(authorizer.challenged(undefined, [pull], undefined)).rejects.toThrow(/without a challenge/);
  });
});
