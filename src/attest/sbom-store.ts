/**
 * SBOMs in the OCI layout: each is an artifact manifest whose `subject` is the image it describes,
 * tagged "<service>.sbom" (and "<service>.<os>-<arch>.sbom" for the platform images of an index), so
 * that the layout's garbage collection keeps exactly the current ones. A tag whose annotations name
 * the same image, input key, format and dray version is reused as it is: an SBOM is written once per image.
 */
import type { CacheEntry } from "../cache/index.js";
import { platformTag } from "../cache/index.js";
import type { ResolvedConfig } from "../config/index.js";
import type { BlobSource, Descriptor, LayoutStore } from "../oci/index.js";
import { type Artifact, artifactManifest } from "../registry/index.js";
import { cycloneDxDocument } from "./cyclonedx.js";
import { readImageContents } from "./image-files.js";
import { readInputFiles } from "./inputs.js";
import { SBOM_MEDIA_TYPE, type SbomFormat } from "./media-types.js";
import { createdAt, type SbomImage, sbomImage } from "./sbom-model.js";
import { spdxDocument } from "./spdx.js";
import { type AttestationSubject, subjectsOf } from "./subjects.js";

/** An SBOM of one subject: its document and the artifact that carries it. */
export interface StoredSbom {
  subject: AttestationSubject;
  format: SbomFormat;
  document: Buffer;
  artifact: Artifact;
}

/** What writing a service's SBOMs needs. */
export interface SbomOptions {
  config: ResolvedConfig;
  service: string;
  entry: CacheEntry;
  format: SbomFormat;
  /** The layout the SBOMs are kept in; its blobs are read for the image's files. */
  layout: LayoutStore;
  /** Where the images' blobs are read (the layout, with a build's documents in front). */
  source: BlobSource;
  /** The Go main module's path, for Go services. */
  mainModule: string | undefined;
  drayVersion: string;
  /**
   * The same images as built, whose layers are read for the files when `entry` is their
   * distribution form: the build's layers are in the layout, their gzipped forms may be only in the
   * registry. Same configs, so the same files.
   */
  contents?: CacheEntry;
}

/** The manifest of `platform`'s image as built, when given: its layers are the ones in the layout. */
function builtManifest(
  options: SbomOptions,
  platform: CacheEntry["platforms"][number],
): Descriptor | undefined {
  const built = options.contents?.platforms.find((p) => p.platform === platform.platform);
  return built && built.imageId === platform.imageId ? built.manifest : undefined;
}

const SUBJECT = "dray.sbom.subject";
const KEY = "dray.sbom.key";
const TOOL = "dray.sbom.tool";

/** The layout tag of a subject's SBOM. */
export function sbomTag(service: string, subject: AttestationSubject, entry: CacheEntry): string {
  const base =
    subject.platform && entry.platforms.length > 1 ? platformTag(service, subject.platform) : service;
  return `${base}.sbom`;
}

/** The SBOMs of every subject of the service's image, from the layout, or written into it when missing. */
export async function ensureSboms(options: SbomOptions): Promise<StoredSbom[]> {
  const { service, entry, layout, format } = options;
  const subjects = subjectsOf(service, entry);
  const found = await Promise.all(subjects.map((subject) => storedSbom(layout, service, subject, options)));
  if (found.every((s): s is StoredSbom => s !== undefined)) return found;

  const images = await Promise.all(
    entry.platforms.map(async (platform) => {
      const [contents, inputs] = await Promise.all([
        readImageContents(options.source, layout, platform.manifest, builtManifest(options, platform)),
        readInputFiles(options.config.root, service, platform),
      ]);
      return sbomImage(platform, { files: contents.files, inputs, mainModule: options.mainModule });
    }),
  );
  const created = createdAt(options.config.sourceDateEpoch);
  const sboms = subjects.map((subject) => {
    const covered =
      subject.platform === undefined ? images : images.filter((i) => i.platform === subject.platform);
    const document = render(format, {
      service,
      title: subject.name,
      subject: subject.descriptor,
      isIndex: subject.platform === undefined,
      images: covered as SbomImage[],
      created,
      tool: { name: "dray", version: options.drayVersion },
    });
    const artifact = artifactManifest({
      artifactType: SBOM_MEDIA_TYPE[format],
      subject: subject.descriptor,
      blob: { mediaType: SBOM_MEDIA_TYPE[format], bytes: document },
    });
    return { subject, format, document, artifact };
  });
  for (const sbom of sboms) {
    for (const blob of sbom.artifact.blobs) {
      await layout.writeBlob({ descriptor: blob.descriptor, bytes: async () => blob.bytes });
    }
    await layout.writeBlob({
      descriptor: sbom.artifact.descriptor,
      bytes: async () => sbom.artifact.manifest,
    });
  }
  const tags: Record<string, Descriptor> = {};
  for (const sbom of sboms) {
    const { mediaType, digest, size } = sbom.artifact.descriptor;
    tags[sbomTag(service, sbom.subject, entry)] = {
      mediaType,
      digest,
      size,
      annotations: {
        [SUBJECT]: sbom.subject.descriptor.digest,
        [KEY]: entry.key,
        [TOOL]: `dray-${options.drayVersion}`,
      },
    };
  }
  await layout.tag(tags);
  return sboms;
}

function render(format: SbomFormat, doc: Parameters<typeof spdxDocument>[0]): Buffer {
  return format === "cyclonedx" ? cycloneDxDocument(doc) : spdxDocument(doc);
}

/** The SBOM the layout holds for `subject`, if it is of this image, key and format. */
async function storedSbom(
  layout: LayoutStore,
  service: string,
  subject: AttestationSubject,
  options: SbomOptions,
): Promise<StoredSbom | undefined> {
  const tagged = await layout.resolve(sbomTag(service, subject, options.entry));
  if (
    tagged?.annotations?.[SUBJECT] !== subject.descriptor.digest ||
    tagged.annotations[KEY] !== options.entry.key ||
    tagged.annotations[TOOL] !== `dray-${options.drayVersion}`
  ) {
    return undefined;
  }
  try {
    const manifest = await layout.readBlob(tagged.digest);
    const parsed = JSON.parse(manifest.toString("utf8")) as {
      artifactType?: string;
      config?: Descriptor;
      layers?: Descriptor[];
    };
    const layer = parsed.layers?.[0];
    const empty = parsed.config;
    if (!layer || !empty || parsed.artifactType !== SBOM_MEDIA_TYPE[options.format]) return undefined;
    const [document, emptyBytes] = await Promise.all([
      layout.readBlob(layer.digest),
      layout.readBlob(empty.digest),
    ]);
    const { mediaType, digest, size } = tagged;
    return {
      subject,
      format: options.format,
      document,
      artifact: {
        descriptor: { mediaType, digest, size, artifactType: parsed.artifactType },
        manifest,
        blobs: [
          { descriptor: empty, bytes: emptyBytes },
          { descriptor: layer, bytes: document },
        ],
      },
    };
  } catch {
    // A blob gone or broken: written again.
    return undefined;
  }
}
