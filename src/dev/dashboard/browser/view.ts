/** The page's copy of the dev session, which every panel renders from. */
import type { LogLine, ServiceState, UpdateRecord } from "../../events.js";

/** What the page knows: replaced by every `snapshot` (sent again on each reconnect), then kept up by events. */
export interface View {
  project: string;
  /** In the order the dev loop listed them. */
  services: Map<string, ServiceState>;
  /** Oldest first, bounded. */
  updates: UpdateRecord[];
  /** Oldest first, bounded. */
  logs: LogLine[];
  /** Services whose Rebuild button was pressed a moment ago. */
  readonly requested: Set<string>;
}

/** Each service's latest update. */
export function lastUpdates(view: View): Map<string, UpdateRecord> {
  const last = new Map<string, UpdateRecord>();
  for (const update of view.updates) last.set(update.service, update);
  return last;
}

/** Services in the order the loop listed them, then any that only appear in updates or logs. */
export function serviceNames(view: View): string[] {
  const names = [...view.services.keys()];
  for (const item of [...view.updates, ...view.logs]) {
    if (!names.includes(item.service)) names.push(item.service);
  }
  return names;
}
