/** Readable digests for fixtures. */
import type { Digest } from "../../src/oci/types.js";

/** "sha256:" and the character repeated: a digest that reads as its letter. */
export const digest = (c: string): Digest => `sha256:${c.repeat(64)}`;
