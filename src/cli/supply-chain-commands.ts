/** The supply-chain commands of `dray`: SBOMs, provenance and signatures (each imported lazily). */
import type { Command } from "commander";

/** Registers `dray sbom`, `dray provenance` and `dray verify-signature` on `cli`. */
export function addSupplyChainCommands(cli: Command): void {
  cli
    .command("sbom")
    .description("print a service's SBOM (SPDX 2.3, or CycloneDX with sbom: cyclonedx), as pushed with it")
    .argument("<service>", "the service")
    .option("--platform <platform>", "the SBOM of one platform's image (default: the image the tag names)")
    .action(async (service: string, opts, cmd: Command) => {
      const { runSbom } = await import("./commands/supply-chain.js");
      process.exitCode = await runSbom(service, { ...cmd.optsWithGlobals(), ...opts });
    });

  cli
    .command("provenance")
    .description("print a service's provenance (in-toto statement, SLSA v1 predicate), as pushed with it")
    .argument("<service>", "the service")
    .option(
      "--platform <platform>",
      "the statement about one platform's image (default: the image the tag names)",
    )
    .action(async (service: string, opts, cmd: Command) => {
      const { runProvenance } = await import("./commands/supply-chain.js");
      process.exitCode = await runProvenance(service, { ...cmd.optsWithGlobals(), ...opts });
    });

  cli
    .command("verify-signature")
    .description("check that an image in a registry is signed by a key (cosign's format), without cosign")
    .argument("<reference>", "HOST[:PORT]/REPOSITORY[:TAG|@DIGEST]")
    .requiredOption("--key <file>", "the PEM public key (cosign.pub)")
    .option("--insecure", "plain HTTP without TLS verification (loopback registries need not say so)")
    .option("--json", "print the result as JSON")
    .action(async (reference: string, opts, cmd: Command) => {
      const { runVerifySignature } = await import("./commands/supply-chain.js");
      process.exitCode = await runVerifySignature(reference, { ...cmd.optsWithGlobals(), ...opts });
    });
}
