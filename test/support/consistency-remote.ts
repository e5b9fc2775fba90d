/**
 * TEST HELPER: the consistency checks of what dray changes outside the project, after a fault.
 *
 * - registry: every tag of every repository resolves to a complete image — each manifest, config and
 *   layer there, of the size and digest its descriptor says (image-walk.ts). Blobs uploaded without a
 *   manifest (a push killed half-way) are allowed: nothing names them.
 * - engine: the project's containers (label dray.project) all belong to a known service and run the
 *   image their dray.image-id label names; at most one per service is running. Once settled (after a
 *   follow-up deploy), there is exactly one container per service, running the wanted image.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { imageWalker, sha256 } from "./image-walk.js";

const run = promisify(execFile);

const MANIFEST_ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

async function get(
  url: string,
  accept?: string,
): Promise<{ status: number; body: Buffer; headers: Headers }> {
  const res = await fetch(url, {
    headers: accept ? { accept } : {},
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

/** Problems of the plain-HTTP registry at `address` ("127.0.0.1:PORT"). */
export async function checkRegistry(address: string): Promise<string[]> {
  const problems: string[] = [];
  const base = `http://${address}/v2`;
  const catalog = await get(`${base}/_catalog?n=100`);
  if (catalog.status !== 200) return [`GET /v2/_catalog answered ${catalog.status}`];
  const { repositories = [] } = JSON.parse(catalog.body.toString()) as { repositories?: string[] };
  for (const repo of repositories) {
    const list = await get(`${base}/${repo}/tags/list`);
    // A repository with uploads but no manifest yet has no tags: nothing points at an incomplete image.
    if (list.status === 404) continue;
    if (list.status !== 200) {
      problems.push(`${repo}: tags/list answered ${list.status}`);
      continue;
    }
    const { tags } = JSON.parse(list.body.toString()) as { tags?: string[] | null };
    const walker = imageWalker({
      async read(digest, as) {
        const res = await get(
          `${base}/${repo}/${as}s/${digest}`,
          as === "manifest" ? MANIFEST_ACCEPT : undefined,
        );
        return res.status === 200 ? res.body : undefined;
      },
    });
    for (const tag of tags ?? []) {
      const res = await get(`${base}/${repo}/manifests/${tag}`, MANIFEST_ACCEPT);
      if (res.status !== 200) {
        problems.push(`${repo}:${tag}: manifest answered ${res.status}`);
        continue;
      }
      const digest = res.headers.get("docker-content-digest") ?? sha256(res.body);
      if (digest !== sha256(res.body))
        problems.push(
          `${repo}:${tag}: Docker-Content-Digest ${digest} is not the body's ${sha256(res.body)}`,
        );
      const mediaType = (res.headers.get("content-type") ?? "").split(";")[0]!;
      await walker.walk({ mediaType, digest, size: res.body.length }, `${repo}:${tag}`, problems);
    }
  }
  return problems;
}

/** The digest a tag of `repo` points at in the registry, or undefined. */
export async function registryTagDigest(
  address: string,
  repo: string,
  tag: string,
): Promise<string | undefined> {
  const res = await get(`http://${address}/v2/${repo}/manifests/${tag}`, MANIFEST_ACCEPT);
  return res.status === 200 ? sha256(res.body) : undefined;
}

/**
 * The image IDs (config digests, sorted) a tag of `repo` reaches in the registry: one per platform.
 * A push sends an image's distribution form (gzip layers), so its manifest digests are not the
 * layout's, but the images — these IDs — are the same.
 */
export async function registryTagImageIds(address: string, repo: string, tag: string): Promise<string[]> {
  const base = `http://${address}/v2/${repo}/manifests`;
  const top = await get(`${base}/${tag}`, MANIFEST_ACCEPT);
  if (top.status !== 200) return [];
  const document = JSON.parse(top.body.toString()) as {
    manifests?: { digest: string }[];
    config?: { digest: string };
  };
  if (!document.manifests) return [document.config!.digest];
  const ids: string[] = [];
  for (const manifest of document.manifests) {
    const res = await get(`${base}/${manifest.digest}`, MANIFEST_ACCEPT);
    ids.push((JSON.parse(res.body.toString()) as { config: { digest: string } }).config.digest);
  }
  return ids.sort();
}

interface ContainerFacts {
  Id: string;
  Name: string;
  Image: string;
  State: { Running: boolean; Status: string };
  Config: { Labels: Record<string, string> | null };
}

/** Every container of `project` (running or not), as `docker inspect` shows it. */
export async function projectContainers(project: string): Promise<ContainerFacts[]> {
  const { stdout } = await run("docker", ["ps", "-aq", "--filter", `label=dray.project=${project}`]);
  const ids = stdout.split("\n").filter(Boolean);
  if (ids.length === 0) return [];
  // A container removed between ps and inspect is simply gone.
  const { stdout: json } = await run("docker", ["inspect", ...ids]).catch((error: { stdout?: string }) => ({
    stdout: error.stdout ?? "[]",
  }));
  return JSON.parse(json) as ContainerFacts[];
}

/**
 * Problems of `project`'s containers. `settled`: service → the image ID it must run, after a deploy
 * that completed; then each service has exactly one container, running that image.
 */
export async function checkEngine(
  project: string,
  options: { services: readonly string[]; settled?: Record<string, string> },
): Promise<string[]> {
  const problems: string[] = [];
  const running = new Map<string, number>();
  const all = new Map<string, ContainerFacts[]>();
  for (const c of await projectContainers(project)) {
    const labels = c.Config.Labels ?? {};
    const service = labels["dray.service"] ?? "";
    const name = `container ${c.Name} (${c.Id.slice(0, 12)}, ${c.State.Status})`;
    if (!options.services.includes(service))
      problems.push(`${name}: service label ${JSON.stringify(service)}`);
    if (labels["dray.image-id"] !== c.Image)
      problems.push(`${name}: runs ${c.Image} but is labelled ${labels["dray.image-id"]}`);
    if (!/^sha256:[0-9a-f]{64}$/.test(labels["dray.spec-digest"] ?? ""))
      problems.push(`${name}: no dray.spec-digest label`);
    all.set(service, [...(all.get(service) ?? []), c]);
    if (c.State.Running) running.set(service, (running.get(service) ?? 0) + 1);
  }
  for (const [service, count] of running)
    if (count > 1) problems.push(`service ${service}: ${count} containers running`);
  for (const [service, imageId] of Object.entries(options.settled ?? {})) {
    const list = all.get(service) ?? [];
    const shown = list.map((c) => `${c.Name} ${c.State.Status} ${c.Image.slice(7, 19)}`).join(", ");
    if (list.length !== 1 || !list[0]!.State.Running || list[0]!.Image !== imageId)
      problems.push(
        `service ${service}: wanted one running container of ${imageId.slice(7, 19)}, found [${shown}]`,
      );
  }
  return problems;
}
