/** index.json of an OCI image layout: https://github.com/opencontainers/image-spec/blob/main/image-layout.md#indexjson-file */
import { ExitCode, UserError } from "../errors/index.js";
import { writeFileAtomic } from "../io/index.js";
import { canonicalJson, compareBytes } from "./canonical-json.js";
import { Annotation } from "./image.js";
import { type Descriptor, MediaType } from "./types.js";

/** index.json as dray reads it; unknown top-level fields of a foreign index are kept. */
export interface IndexJson {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

/** An index.json with no entries. */
export function emptyIndex(): IndexJson {
  return { schemaVersion: 2, mediaType: MediaType.index, manifests: [] };
}

/** Writes index.json atomically, entries sorted by ref name (then digest) so its bytes do not depend on tagging order. */
export async function writeIndex(indexPath: string, index: IndexJson): Promise<void> {
  const manifests = [...index.manifests].sort(
    (a, b) => compareBytes(refName(a) ?? "", refName(b) ?? "") || compareBytes(a.digest, b.digest),
  );
  const document = { ...index, schemaVersion: 2, mediaType: MediaType.index, manifests };
  await writeFileAtomic(indexPath, canonicalJson(document));
}

/** The entry's `org.opencontainers.image.ref.name`, if it has one. */
export function refName(entry: Descriptor): string | undefined {
  return entry.annotations?.[Annotation.refName];
}

/** The descriptor a tag points at, without the annotation that names the tag. */
export function withoutRefName(entry: Descriptor): Descriptor {
  const { [Annotation.refName]: _name, ...rest } = entry.annotations ?? {};
  const { annotations: _all, ...descriptor } = entry;
  return Object.keys(rest).length > 0 ? { ...descriptor, annotations: rest } : descriptor;
}

// ref ::= component ("/" component)*; component ::= alphanum (separator alphanum)*;
// alphanum ::= [A-Za-z0-9]+; separator ::= [-._:@+] | "--"   (annotations.md, ref.name)
const COMPONENT = "[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*";
const REF_NAME = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);

/** Throws a UserError for a tag the OCI ref.name grammar does not allow. */
export function checkRefName(name: string): void {
  if (!REF_NAME.test(name)) {
    throw new UserError(`invalid tag ${JSON.stringify(name)}`, {
      exitCode: ExitCode.usage,
      hint: "tags are letters and digits, separated by one of - . _ : @ + or --, in /-separated components",
    });
  }
}
