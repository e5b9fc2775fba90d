/** `dray schema`: the JSON Schema of dray.yaml, for editors. */
import { ExitCode, type ExitCodeValue } from "../../errors/index.js";
import type { GlobalOptions } from "../global-options.js";
import { runReported } from "../run-reported.js";

/** Run `dray schema`. */
export async function runSchema(flags: GlobalOptions): Promise<ExitCodeValue> {
  return runReported(
    "schema",
    flags,
    async (tracer) => {
      const { configJsonSchema } = await import("../../config/index.js");
      const schema = await tracer.span("json schema", async () => configJsonSchema());
      process.stdout.write(`${JSON.stringify(schema, null, 2)}\n`);
      return ExitCode.ok;
    },
    { summaryOnRequest: true },
  );
}
