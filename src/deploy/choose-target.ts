/** Picking the target a deploy goes to: the one named, else the first in dray.yaml. */

import type { ResolvedConfig, TargetConfig } from "../config/index.js";
import { closest } from "../config/index.js";
import { ExitCode, UserError } from "../errors/index.js";

export function chooseTarget(config: ResolvedConfig, name: string | undefined): TargetConfig {
  if (name === undefined) return config.targets[0]!;
  const target = config.targets.find((t) => t.name === name);
  if (target) return target;
  const names = config.targets.map((t) => t.name);
  const guess = closest(name, names);
  throw new UserError(
    `unknown target ${JSON.stringify(name)}${guess ? ` — did you mean ${JSON.stringify(guess)}?` : ""}`,
    {
      exitCode: ExitCode.usage,
      hint: `${config.file} defines: ${names.join(", ")}${config.targets.length === 1 && names[0] === "local" ? " (the default; add `targets:` for more)" : ""}`,
    },
  );
}
