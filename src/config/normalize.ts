/**
 * Small conversions from what dray.yaml allows to the one form later stages use, shared by the
 * path checks and by resolution so both read a setting the same way.
 */

import { FILE_SHORT_PATTERN, LAYOUT_BASE_PATTERN } from "./patterns.js";
import type { BaseConfig, FileEntryConfig } from "./schema.js";

/** A file mapping in its long form; the short form "from:to" split at its first colon. */
export function fileParts(entry: FileEntryConfig): { from: string; to: string } {
  if (typeof entry !== "string") return entry;
  const match = FILE_SHORT_PATTERN.exec(entry);
  // The schema already required the pattern; this only satisfies the type checker.
  if (!match) throw new Error(`file mapping ${JSON.stringify(entry)} slipped past validation`);
  return { from: match[1]!, to: match[2]! };
}

/** A base in its long form, told apart by kind; paths as written. */
export type BaseForm =
  | { kind: "scratch" }
  | { kind: "layout"; layout: string; ref: string }
  | { kind: "registry"; image: string; insecure?: boolean; ca?: string };

/** The long form of a validated base: "oci:dir:ref" split, a registry reference as { image }. */
export function baseForm(base: BaseConfig): BaseForm {
  if (typeof base !== "string") {
    return "image" in base ? { kind: "registry", ...base } : { kind: "layout", ...base };
  }
  if (base === "scratch") return { kind: "scratch" };
  const match = LAYOUT_BASE_PATTERN.exec(base);
  return match ? { kind: "layout", layout: match[1]!, ref: match[2]! } : { kind: "registry", image: base };
}

/** "8080" and 8080 become "8080/tcp": the form of an image config's ExposedPorts keys. */
export function portKey(port: number | string): string {
  const text = String(port);
  return text.includes("/") ? text : `${text}/tcp`;
}

/** A string or list of strings as argv; a string is one argument, never split. */
export function argv(value: string | readonly string[]): string[] {
  return typeof value === "string" ? [value] : [...value];
}

/** A map whose values YAML may have read as numbers or booleans, as text. */
export function textMap(
  map: Readonly<Record<string, string | number | boolean>> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(map ?? {})) out[key] = String(value);
  return out;
}
