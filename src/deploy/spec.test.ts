import { describe, expect, it } from "vitest";
import { kubernetesTarget } from "../../test/support/deploy-fixtures.js";
import type { ResolvedConfig, ResolvedService, TargetConfig } from "../config/types.js";
import { deploySpec, specDigest } from "./spec.js";

const service = {
  name: "api",
  image: {
    entrypoint: ["/app/api"],
    args: undefined,
    env: { PORT: "8080" },
    ports: ["8080/tcp"],
    user: "65532:65532",
    labels: { team: "edge" },
    workdir: undefined,
  },
  deploy: { replicas: 1, publish: [], health: undefined, restart: "unless-stopped", env: {} },
} as unknown as ResolvedService;
const config = { project: "shop" } as ResolvedConfig;
const local: TargetConfig = {
  name: "local",
  kind: "docker",
  host: undefined,
  network: "shop",
  bind: "127.0.0.1",
};

const cluster: TargetConfig = kubernetesTarget();

describe("deploy-spec digest", () => {
  const base = specDigest(deploySpec(config, service), local);

  it("is the same for the same settings, whatever the target is called or where its engine is", () => {
    expect(
      specDigest(deploySpec(config, service), { ...local, name: "other", host: "unix:///run/podman.sock" }),
    ).toBe(base);
  });

  it("on Kubernetes moves with podSecurity, not with the kubeconfig, context or createNamespace", () => {
    const spec = deploySpec(config, service);
    const digest = specDigest(spec, cluster);
    expect(
      specDigest(spec, { ...cluster, kubeconfig: "~/.kube/config", context: "x", createNamespace: false }),
    ).toBe(digest);
    expect(specDigest(spec, { ...cluster, podSecurity: "none" })).not.toBe(digest);
  });

  it("moves with env, ports, replicas, the image's command and the target's network or bind address", () => {
    const variants: ResolvedService[] = [
      { ...service, image: { ...service.image, env: { PORT: "9090" } } },
      { ...service, image: { ...service.image, args: ["--verbose"] } },
      { ...service, deploy: { ...service.deploy, replicas: 2 } },
      { ...service, deploy: { ...service.deploy, env: { LOG: "debug" } } },
      { ...service, deploy: { ...service.deploy, publish: [{ host: 1, container: 2, protocol: "tcp" }] } },
    ];
    for (const variant of variants) expect(specDigest(deploySpec(config, variant), local)).not.toBe(base);
    expect(specDigest(deploySpec(config, service), { ...local, bind: "0.0.0.0" })).not.toBe(base);
    expect(specDigest(deploySpec(config, service), { ...local, network: "other" })).not.toBe(base);
  });

  it("ignores image labels, which live in the image and so in the image ID", () => {
    const relabelled = { ...service, image: { ...service.image, labels: { team: "core" } } };
    expect(specDigest(deploySpec(config, relabelled), local)).toBe(base);
  });
});
