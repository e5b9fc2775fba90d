/**
 * Images as values (OCI image spec v1.1). An image is plain data plus lazy blob openers;
 * sources (a local layout, later a registry or an engine) and sinks all speak these types.
 */

/** A content address: `sha256:` and 64 lowercase hex digits. */
export type Digest = `sha256:${string}`;

export const MediaType = {
  index: "application/vnd.oci.image.index.v1+json",
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  layerTar: "application/vnd.oci.image.layer.v1.tar",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  dockerLayerGzip: "application/vnd.docker.image.rootfs.diff.tar.gzip",
} as const;

/** https://github.com/opencontainers/image-spec/blob/main/image-index.md#image-index-property-descriptions */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** https://github.com/opencontainers/image-spec/blob/main/descriptor.md */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
}

/** Content plus its descriptor; bytes are produced only when asked for. */
export interface Blob {
  readonly descriptor: Descriptor;
  bytes(): Promise<Buffer>;
  /**
   * Bytes [start, end) as stored, not verified: for a blob too large to hold whole, whose reader
   * hashes what it reads and, when that is not the digest, throws `corrupted(actual)`.
   */
  slice?(start: number, end: number): Promise<Buffer>;
  /** The error for stored bytes that hash to `actual`, naming where the blob is and how to repair it. */
  corrupted?(actual: Digest): Error;
}

/** A layer: its compressed blob and the digest of its uncompressed tar (the diff_id, part of image identity). */
export interface Layer {
  readonly blob: Blob;
  readonly diffId: Digest;
  /** Size of the uncompressed tar, for reports. */
  readonly uncompressedSize: number;
  /** Shown in history[].created_by, e.g. "dray: app binary". */
  readonly comment: string;
}

/** The parts of the OCI image config that dray sets. https://github.com/opencontainers/image-spec/blob/main/config.md */
export interface RuntimeConfig {
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  Volumes?: Record<string, Record<string, never>>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface ImageConfigFile {
  created?: string;
  architecture: string;
  os: string;
  variant?: string;
  config?: RuntimeConfig;
  rootfs: { type: "layers"; diff_ids: Digest[] };
  history?: HistoryEntry[];
}

/** A single-platform image ready to be written: config and manifest bytes are final. */
export interface Image {
  readonly platform: Platform;
  readonly config: Blob;
  readonly manifest: Blob;
  /** Every layer the manifest names, base layers first. */
  readonly layers: Layer[];
  /** The image ID: digest of the config bytes. Identity, never the manifest digest. */
  readonly id: Digest;
}

/** What a tag points at: a single image or a multi-platform index. */
export interface ImageSet {
  readonly images: Image[];
  /** Present when there is more than one platform. */
  readonly index?: Blob;
  /** The descriptor a tag should point at (the index if present, else the only manifest). */
  readonly top: Descriptor;
}
