/** Moving the layout's tags to the images of this build. */
import { type CacheEntry, tagsForEntry } from "../cache/index.js";
import type { Descriptor, LayoutStore } from "../oci/index.js";

/** Rewrite index.json only when some tag moves: a no-op build leaves it untouched. */
export async function moveTags(layout: LayoutStore, entries: ReadonlyMap<string, CacheEntry>): Promise<void> {
  const wanted: Record<string, Descriptor> = {};
  for (const [name, entry] of entries) Object.assign(wanted, tagsForEntry(name, entry));
  if (Object.keys(wanted).length === 0) return;
  const current = await layout.listTags();
  const moved = Object.entries(wanted).filter(([tag, d]) => current[tag]?.digest !== d.digest);
  if (moved.length > 0) await layout.tag(Object.fromEntries(moved));
}
