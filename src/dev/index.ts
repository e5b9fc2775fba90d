/**
 * Dev mode (`dray dev`): watch the project, live-update Go services in their running containers
 * (compile on the host, copy the binary, restart through the supervisor), fall back to a rebuild
 * of one service, and report every step in the terminal and on the local dashboard.
 */
export { startDashboard } from "./dashboard/index.js";
export { createDevHub } from "./hub.js";
export { startDevLoop } from "./loop.js";
export { attachTerminal } from "./terminal.js";
