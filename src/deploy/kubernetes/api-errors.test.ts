import { describe, expect, it } from "vitest";
import { RemoteError, UserError } from "../../errors/errors.js";
import { describeRequest, isNotFound, responseError } from "./api-errors.js";

const source = { server: "https://k8s.test:6443", context: "prod", kubeconfig: "/home/me/.kube/config" };

describe("describeRequest", () => {
  const cases = [
    {
      method: "PATCH",
      path: "/apis/apps/v1/namespaces/shop/deployments/api",
      text: "patch deployments api in namespace shop",
    },
    {
      method: "GET",
      path: "/apis/apps/v1/namespaces/shop/deployments",
      text: "list deployments in namespace shop",
    },
    {
      method: "GET",
      path: "/api/v1/namespaces/shop/pods/api-1/log",
      text: "get pods/log api-1 in namespace shop",
    },
    { method: "DELETE", path: "/api/v1/namespaces/shop", text: "delete namespaces shop" },
    { method: "GET", path: "/apis/apps/v1", text: "list /apis/apps/v1" },
  ];
  it.each(cases)("$method $path", ({ method, path, text }) => {
    expect(describeRequest(method, path)).toBe(text);
  });
});

describe("responseError", () => {
  it("403 is the user's to fix and names the verb and resource", () => {
    const error = responseError(source, "PATCH", "/apis/apps/v1/namespaces/shop/deployments/api", 403, {
      message: 'deployments.apps "api" is forbidden',
    });
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(
      'not allowed to patch deployments api in namespace shop: deployments.apps "api" is forbidden',
    );
    expect(error.hint).toContain('context "prod"');
  });

  it("404 for a namespace that does not exist says so, with how to create it", () => {
    const error = responseError(source, "PATCH", "/api/v1/namespaces/shop/services/api", 404, {
      kind: "Status",
      message: 'namespaces "shop" not found',
      reason: "NotFound",
      details: { name: "shop", kind: "namespaces" },
      code: 404,
    });
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(
      'could not patch services api in namespace shop: namespace "shop" does not exist on https://k8s.test:6443',
    );
    expect(error.hint).toContain("kubectl create namespace shop");
  });

  it("a server error may be retried, a missing object is recognisable", () => {
    const busy = responseError(source, "GET", "/apis/apps/v1/namespaces/shop/deployments", 503, "busy");
    expect(busy).toBeInstanceOf(RemoteError);
    expect((busy as RemoteError).retryable).toBe(true);
    expect(isNotFound(responseError(source, "GET", "/api/v1/namespaces/shop/services/api", 404, {}))).toBe(
      true,
    );
  });
});
