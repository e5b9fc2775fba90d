/** `dray rbac [-t TARGET]`: the Role and RoleBinding a deploy to a kubernetes target needs, as YAML for kubectl apply. */
import type { KubernetesTargetConfig } from "../../config/index.js";
import type { Subject } from "../../deploy/index.js";
import { ExitCode, type ExitCodeValue, UserError } from "../../errors/index.js";
import type { GlobalOptions } from "../global-options.js";
import { loadProjectConfig } from "../load-project.js";

interface RbacFlags extends GlobalOptions {
  target?: string;
  user?: string;
  group?: string;
  serviceAccount?: string;
}

export async function runRbac(flags: RbacFlags): Promise<ExitCodeValue> {
  const config = await loadProjectConfig(flags);
  const { chooseTarget, rbacManifests } = await import("../../deploy/index.js");
  const target = flags.target
    ? chooseTarget(config, flags.target)
    : config.targets.find((t) => t.kind === "kubernetes");
  if (target?.kind !== "kubernetes") {
    throw new UserError(
      target
        ? `dray rbac writes Kubernetes RBAC objects, and target ${target.name} is a ${target.kind} target`
        : "dray.yaml has no kubernetes target",
      { exitCode: ExitCode.usage, hint: "Name a kubernetes target with --target." },
    );
  }
  process.stdout.write(await rbacManifests(target, config.project, subjectOf(flags, target)));
  return ExitCode.ok;
}

function subjectOf(flags: RbacFlags, target: KubernetesTargetConfig): Subject {
  const given = [flags.user, flags.group, flags.serviceAccount].filter((v) => v !== undefined);
  if (given.length > 1)
    throw new UserError("give one of --user, --group and --service-account", { exitCode: ExitCode.usage });
  if (flags.user) return { kind: "User", name: flags.user };
  if (flags.group) return { kind: "Group", name: flags.group };
  const account = flags.serviceAccount ?? "dray";
  const [namespace, name] = account.includes("/") ? account.split("/", 2) : [target.namespace, account];
  return { kind: "ServiceAccount", name: name!, namespace: namespace! };
}
