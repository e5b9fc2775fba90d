/**
 * The timestamp every image carries when dray.yaml sets no sourceDateEpoch: SOURCE_DATE_EPOCH
 * from the environment (https://reproducible-builds.org/specs/source-date-epoch/), else 0.
 */
import type { Problem } from "./problems.js";

/** The epoch, or the problem with the environment variable. */
export type EpochResult = { ok: true; value: number } | { ok: false; problem: Problem };

/**
 * Reads SOURCE_DATE_EPOCH. An empty variable counts as unset, as CI templates often leave it so.
 * (The file's own sourceDateEpoch wins over this: what dray.yaml says is reviewed with the project.)
 */
export function sourceDateEpochFromEnv(env: NodeJS.ProcessEnv): EpochResult {
  const text = env.SOURCE_DATE_EPOCH?.trim();
  if (text === undefined || text === "") return { ok: true, value: 0 };
  // The spec asks for decimal digits only: no sign, no exponent, no fraction.
  if (/^\d+$/.test(text) && Number.isSafeInteger(Number(text))) return { ok: true, value: Number(text) };
  const message = `${JSON.stringify(text)} is not a whole number of seconds since 1970 (read because dray.yaml sets no sourceDateEpoch)`;
  return { ok: false, problem: { where: { kind: "environment", variable: "SOURCE_DATE_EPOCH" }, message } };
}
