/**
 * One update per service at a time. Work that arrives while a service is busy waits, merged into
 * a single next update (files unioned, a rebuild request kept), so however many edits come in,
 * the last one is always built after it was made — never a stale binary left running.
 */

/** What a service has to take in: changed files since `firstAt`, or a forced rebuild. */
export interface Work {
  files: Set<string>;
  /** performance.now() of the first file event behind this work: where "detect" starts. */
  firstAt: number;
  /** Set by the dashboard's button or by dray.yaml: rebuild and redeploy, with this reason. */
  rebuild?: string;
}

export interface WorkQueue {
  enqueue(service: string, work: Work): void;
  /** Resolves when no service has work in hand or waiting. */
  idle(): Promise<void>;
}

export function createWorkQueue(
  run: (service: string, work: Work) => Promise<void>,
  onError: (service: string, error: unknown) => void,
): WorkQueue {
  const next = new Map<string, Work>();
  const busy = new Map<string, Promise<void>>();

  const drain = async (service: string) => {
    for (let work = next.get(service); work; work = next.get(service)) {
      next.delete(service);
      await run(service, work).catch((error: unknown) => onError(service, error));
    }
    busy.delete(service);
  };

  return {
    enqueue(service, work) {
      const waiting = next.get(service);
      if (waiting) {
        for (const file of work.files) waiting.files.add(file);
        waiting.rebuild ??= work.rebuild;
      } else
        next.set(service, {
          files: new Set(work.files),
          firstAt: work.firstAt,
          ...(work.rebuild ? { rebuild: work.rebuild } : {}),
        });
      if (!busy.has(service)) busy.set(service, drain(service));
    },
    async idle() {
      while (busy.size > 0) await Promise.all(busy.values());
    },
  };
}
