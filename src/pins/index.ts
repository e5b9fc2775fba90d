/**
 * The pins stage: dray.lock pins every registry base's tag to a digest, so builds never resolve
 * a tag on their own. `updateBases` is `dray update-base`; builds call `readPins` and
 * `requirePins`, then pull each base by `pinnedDigest`.
 */
export {
  type BasePins,
  digestInPins,
  PINS_FILE,
  type PinnedBase,
  pinnedDigest,
  pinsFilePath,
  readPins,
  registryBases,
  requirePins,
  unpinnedBases,
  writePins,
} from "./pin-file.js";
export { PINS_HINT, parsePins, renderPins } from "./pin-format.js";
export { type UpdateBasesOptions, type UpdateBasesResult, updateBases } from "./update-base.js";
