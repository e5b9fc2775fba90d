/** The public face of src/engine: what other stages may use. */
export { type EngineAddress, engineAddress } from "./address.js";
export type { EngineClient, EngineRequest, EngineResponse } from "./client.js";
export { createEngineClient, engineError, engineMessage } from "./client.js";
export type { ContainerFile } from "./container-files.js";
export { execInContainer, putFiles, statPath } from "./container-files.js";
export { engineHasImage, loadImage, loadProblem } from "./load.js";
export { type LogLine, logLines } from "./log-frames.js";
export { demultiplexLog, lastLogLines } from "./logs.js";
export { buildForEngine, readEngineInfo } from "./platform.js";
export { pullHeaders } from "./registry-auth.js";
