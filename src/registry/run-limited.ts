/** Running one task per item with a concurrency limit, stopping early on the first failure. */
import pLimit from "p-limit";

/**
 * Runs `task` for every item, at most `concurrency` at a time, and returns the results in item order.
 * After the first failure no new task starts; the ones already running are awaited (so nothing is left
 * in flight when this returns) and then the first error is thrown.
 */
export async function runLimited<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a whole number of at least 1, got ${concurrency}`);
  }
  const limit = pLimit(concurrency);
  let failure: { error: unknown } | undefined;
  const settled = await Promise.allSettled(
    items.map((item, index) =>
      limit(async () => {
        // p-limit's clearQueue would leave the skipped promises pending forever; a flag lets them settle.
        if (failure) return undefined as R;
        try {
          return await task(item, index);
        } catch (error) {
          failure ??= { error };
          throw error;
        }
      }),
    ),
  );
  if (failure) throw failure.error;
  return settled.map((result) => (result as PromiseFulfilledResult<R>).value);
}
