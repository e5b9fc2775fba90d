import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "./objects.js";
import { renderManifests } from "./render-manifests.js";

const object = (kind: string, name: string, namespace?: string): KubeObject => ({
  apiVersion: kind === "Deployment" ? "apps/v1" : "v1",
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
});

describe("renderManifests", () => {
  it("writes one document per object, dependencies first, then by kind and name", () => {
    const objects = [
      object("Deployment", "web"),
      object("Service", "web"),
      object("Deployment", "api"),
      object("ConfigMap", "settings"),
      object("Namespace", "shop"),
    ];
    const text = renderManifests(objects);
    const documents = parseAllDocuments(text).map((d) => d.toJS() as KubeObject);
    expect(documents.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      "Namespace/shop",
      "ConfigMap/settings",
      "Service/web",
      "Deployment/api",
      "Deployment/web",
    ]);
    expect(renderManifests([...objects].reverse())).toBe(text);
  });

  it("keeps long strings on one line so digests stay greppable", () => {
    const long = {
      ...object("ConfigMap", "c"),
      data: { image: `registry.example/x@sha256:${"a".repeat(64)}`.repeat(3) },
    };
    expect(renderManifests([long])).toContain(`image: ${long.data.image}`);
  });
});
