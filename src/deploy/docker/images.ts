/** Making a service's image available to a docker engine: already there, loaded from the layout, or pulled by digest. */

import type { EngineClient } from "../../engine/index.js";
import { engineHasImage, loadImage, loadProblem, pullHeaders } from "../../engine/index.js";
import { UserError } from "../../errors/index.js";
import type { Descriptor, LayoutStore } from "../../oci/index.js";
import type { CredentialSource } from "../../registry/index.js";
import type { DesiredService } from "../types.js";

/** Where an image comes from when the engine lacks it. */
export type ImageSource =
  | { kind: "layout"; layout: LayoutStore; manifest: Descriptor; tag: string }
  | { kind: "registry"; credentials: CredentialSource }
  /** Only what the engine holds already: a rollback to an image loaded by an earlier deploy. */
  | { kind: "engine" };

/** Returns what was done: "present", "loaded" or "pulled". */
export async function ensureImage(
  engine: EngineClient,
  desired: DesiredService,
  source: ImageSource,
): Promise<"present" | "loaded" | "pulled"> {
  // From a registry the container is created by reference, so that reference must exist, not just
  // an image with the same ID (loaded earlier without a registry, or pulled under another name).
  if (await engineHasImage(engine, source.kind === "registry" ? desired.image : desired.imageId))
    return "present";
  if (source.kind === "engine")
    throw new UserError(`${desired.name}: the engine no longer has the image ${desired.imageId}`, {
      hint: "It was removed since it ran (docker image prune?). Check out the commit it was built from and `dray deploy` it instead.",
    });
  if (source.kind === "layout") {
    // Not cancelled by Ctrl-C: a load in flight finishes (it changes nothing that runs); the
    // caller starts no further ones.
    await loadImage(engine, source.layout, source.manifest, source.tag).catch((error: unknown) => {
      // A broken blob names itself; say whose image it broke.
      if (!(error instanceof UserError)) throw error;
      throw new UserError(`${desired.name}: cannot load its image: ${error.message}`, {
        exitCode: error.exitCode,
        ...(error.details ? { details: error.details } : {}),
        ...(error.hint ? { hint: error.hint } : {}),
        cause: error,
      });
    });
    return "loaded";
  }
  // The engine pulls with the login the user's Docker/Podman files hold for that registry, if any.
  const headers = await pullHeaders(desired.image, source.credentials);
  const res = await engine.raw({
    method: "POST",
    path: "/images/create",
    query: { fromImage: desired.image },
    headers,
  });
  const problem = loadProblem(res.status, res.body);
  if (problem)
    throw new UserError(`${desired.name}: the engine cannot pull ${desired.image}: ${problem}`, {
      hint: "Check that the image was pushed (dray push), that the engine can reach the registry, and that it trusts it (TLS or insecure-registries in the engine's daemon.json).",
    });
  if (!(await engineHasImage(engine, desired.imageId)))
    throw new UserError(
      `${desired.name}: pulled ${desired.image}, but the engine has no image ${desired.imageId}`,
      {
        hint: "The engine chose another platform of the image than dray expected; check the service's `platforms`.",
      },
    );
  return "pulled";
}
