/** The directory a command service's build command must leave behind, checked before it is packed. */
import { stat } from "node:fs/promises";
import path from "node:path";
import type { CommandService } from "../config/index.js";
import { UserError } from "../errors/index.js";

/**
 * Fails with a UserError (exit 1: the build ran and did not do its part) when the command left no
 * directory at `dir` — it wrote elsewhere, or failed without saying so — naming what was expected.
 */
export async function requireOutputDirectory(service: CommandService, dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (info?.isDirectory()) return;
  const shown = path.relative(service.context, service.output) || ".";
  throw new UserError(
    `service ${service.name}: the build command \`${service.command.join(" ")}\` left no directory ${shown}/ in ${service.context}${info ? ` (${shown} is a file)` : ""}`,
    {
      hint: `Make the command write the image's files into ${shown}/, or set \`output:\` to the directory it writes (relative to \`dir\`).`,
    },
  );
}
