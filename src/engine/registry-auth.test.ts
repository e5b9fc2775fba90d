import { describe, expect, it } from "vitest";
import { staticCredentialSource } from "../registry/credentials.js";
import { encodeRegistryAuth, pullHeaders, registryOf } from "./registry-auth.js";

describe("X-Registry-Auth for engine pulls", () => {
  it("finds the registry host of a reference, and none for a bare name or an image ID", () => {
    expect(registryOf("127.0.0.1:5000/shop/api@sha256:abc")).toBe("127.0.0.1:5000");
    expect(registryOf("registry.example/shop/api:1")).toBe("registry.example");
    expect(registryOf("localhost/api")).toBe("localhost");
    expect(registryOf("shop/api")).toBeUndefined();
    expect(registryOf("sha256:abc")).toBeUndefined();
  });

  it("encodes the credential as URL-safe, padded base64 JSON with the server address, as the Engine API expects", () => {
    const header = encodeRegistryAuth({ username: "dray", password: "p+/=?" }, "127.0.0.1:5000");
    expect(header).not.toMatch(/[+/]/);
    expect(header.length % 4).toBe(0);
    expect(JSON.parse(Buffer.from(header, "base64url").toString("utf8"))).toEqual({
      username: "dray",
      password: "p+/=?",
      serveraddress: "127.0.0.1:5000",
    });
    const token = encodeRegistryAuth({ identityToken: "refresh" }, "r.example");
    expect(JSON.parse(Buffer.from(token, "base64url").toString("utf8"))).toEqual({
      identitytoken: "refresh",
      serveraddress: "r.example",
    });
  });

  it("sends a header only when the user's files hold a login for that registry", async () => {
    const source = staticCredentialSource({ "127.0.0.1:5000": { username: "u", password: "p" } });
    expect(Object.keys(await pullHeaders("127.0.0.1:5000/shop/api@sha256:abc", source))).toEqual([
      "X-Registry-Auth",
    ]);
    expect(await pullHeaders("127.0.0.1:6000/shop/api@sha256:abc", source)).toEqual({});
    expect(await pullHeaders("sha256:abc", source)).toEqual({});
  });
});
