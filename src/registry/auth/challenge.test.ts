import { describe, expect, it } from "vitest";
import {
  mergeScopes,
  parseWwwAuthenticate,
  pickChallenge,
  repositoryScope,
  scopeGrants,
} from "./challenge.js";

describe("parseWwwAuthenticate", () => {
  const cases = [
    {
      why: "Basic with realm",
      header: 'Basic realm="Registry Realm"',
      out: [{ scheme: "basic", params: { realm: "Registry Realm" } }],
    },
    {
      why: "Bearer with realm, service and scope (commas inside quotes)",
      header:
        'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"',
      out: [
        {
          scheme: "bearer",
          params: {
            realm: "https://auth.example/token",
            service: "registry.example",
            scope: "repository:a/b:pull,push",
          },
        },
      ],
    },
    {
      why: "error param from an insufficient scope",
      header: 'Bearer realm="https://a/t",error="insufficient_scope",scope="repository:x:push"',
      out: [
        {
          scheme: "bearer",
          params: { realm: "https://a/t", error: "insufficient_scope", scope: "repository:x:push" },
        },
      ],
    },
    {
      why: "scheme case and spaces around =",
      header: 'BEARER Realm = "https://a/t" , Service=reg',
      out: [{ scheme: "bearer", params: { realm: "https://a/t", service: "reg" } }],
    },
    {
      why: "escaped quote in a value",
      header: 'Basic realm="say \\"hi\\""',
      out: [{ scheme: "basic", params: { realm: 'say "hi"' } }],
    },
    {
      why: "two challenges in one header",
      header: 'Basic realm="r1", Bearer realm="https://a/t",service="s"',
      out: [
        { scheme: "basic", params: { realm: "r1" } },
        { scheme: "bearer", params: { realm: "https://a/t", service: "s" } },
      ],
    },
    {
      why: "token68 challenge followed by another",
      header: "Negotiate abc123==, Basic realm=x",
      out: [
        { scheme: "negotiate", params: {} },
        { scheme: "basic", params: { realm: "x" } },
      ],
    },
    { why: "empty header", header: "", out: [] },
  ];
  it.each(cases)("parses $why", ({ header, out }) => {
    expect(parseWwwAuthenticate(header)).toEqual(out);
  });

  it("prefers Bearer to Basic and ignores schemes dray cannot answer", () => {
    expect(pickChallenge(parseWwwAuthenticate('Basic realm=x, Bearer realm="y"'))?.scheme).toBe("bearer");
    expect(pickChallenge(parseWwwAuthenticate("Negotiate abc"))).toBeUndefined();
  });
});

describe("scopes", () => {
  it("builds, splits and merges repository scopes", () => {
    expect(repositoryScope("shop/api", ["pull", "push"])).toBe("repository:shop/api:pull,push");
    expect(scopeGrants("repository:a:pull,push")).toEqual(["repository:a:pull", "repository:a:push"]);
    expect(
      mergeScopes(["repository:b:pull", "repository:a:push", "repository:a:pull", "repository:b:pull"]),
    ).toEqual(["repository:a:pull,push", "repository:b:pull"]);
  });
});
