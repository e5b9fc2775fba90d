/**
 * TEST HELPER: a tiny image with a static Go HTTP server, built with the real Go toolchain and dray's own
 * layer and image functions, and a way to run an image from a registry in Docker's engine and GET it.
 */
import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { assembleImage, assembleImageSet } from "../../src/oci/image.js";
import { createLayer } from "../../src/oci/layer.js";
import type { ImageSet, Platform } from "../../src/oci/types.js";

const run = promisify(execFile);

/** What the server answers to GET /. */
export const GREETING = "hello from a pushed image\n";

const SERVER = `package main

import (
	"net/http"
	"os"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(${JSON.stringify(GREETING)}))
	})
	if err := http.ListenAndServe(":"+port, nil); err != nil {
		os.Exit(1)
	}
}
`;

/** The host's platform in OCI terms (Docker runs only these without emulation). */
export function hostPlatform(): Platform {
  const architecture = { x64: "amd64", arm64: "arm64" }[process.arch as string];
  if (!architecture) throw new Error(`no Go server image for ${process.arch}`);
  return { os: "linux", architecture };
}

/** Compiles the server (CGO off, static, no module proxy) and packs it as a FROM-scratch image. */
export async function buildGoServerImage(dir: string): Promise<ImageSet> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "main.go"), SERVER);
  const platform = hostPlatform();
  await run(
    "go",
    ["build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid=", "-o", "server", "main.go"],
    {
      cwd: dir,
      env: {
        ...process.env,
        CGO_ENABLED: "0",
        GOOS: platform.os,
        GOARCH: platform.architecture,
        GOTOOLCHAIN: "local",
        GOPROXY: "off",
        GOFLAGS: "",
      },
      timeout: 180_000,
    },
  );
  const binary = await readFile(path.join(dir, "server"));
  const layer = await createLayer([{ path: "server", type: "file", mode: 0o755, data: binary }], {
    mtime: 0,
    uid: 0,
    gid: 0,
    comment: "dray: server",
  });
  const image = assembleImage({
    platform,
    layers: [layer],
    config: { Entrypoint: ["/server"], ExposedPorts: { "8080/tcp": {} }, User: "65534" },
    created: 0,
  });
  return assembleImageSet([image]);
}

/**
 * `docker pull ref`, run it with port 8080 published on 127.0.0.1, GET / and return the answer; the
 * container and the image are removed afterwards whatever happens. Docker allows plain HTTP to a
 * registry on 127.0.0.0/8 without configuration.
 */
export async function runImageInDocker(ref: string, name: string): Promise<string> {
  try {
    await run("docker", ["pull", "--quiet", ref], { timeout: 120_000 });
    await run("docker", ["run", "-d", "--name", name, "-p", "127.0.0.1::8080", ref], { timeout: 60_000 });
    const { stdout } = await run("docker", ["port", name, "8080/tcp"]);
    const address = stdout.trim().split("\n")[0]!;
    return await getWithRetries(`http://${address}/`);
  } finally {
    await run("docker", ["rm", "-f", name]).catch(() => undefined);
    await run("docker", ["rmi", "-f", ref]).catch(() => undefined);
  }
}

/** The server needs a moment to listen: up to 100 tries, 100 ms apart. */
async function getWithRetries(url: string): Promise<string> {
  let last: unknown;
  for (let i = 0; i < 100; i++) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return await response.text();
      last = new Error(`HTTP ${response.status}`);
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer`, { cause: last });
}
