/** dray's version, as `dray --version` prints it and as dray names itself to servers (User-Agent). */
export const DRAY_VERSION = "0.1.0";

/** "dray/0.1.0": the User-Agent of dray's requests; an API server names the field manager of an update without one after it. */
export const USER_AGENT = `dray/${DRAY_VERSION}`;
