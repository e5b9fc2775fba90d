/**
 * TEST FAKE support: the Pod Security admission checks of the `restricted` profile that matter to
 * dray's generated pods, with the real messages (https://kubernetes.io/docs/concepts/security/pod-security-standards/).
 * A real v1.28 server, for a Deployment applied into a namespace labelled
 * `pod-security.kubernetes.io/warn: restricted`, answers with the header
 * `Warning: 299 - "would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false (container \"api\" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container \"api\" must set securityContext.capabilities.drop=[\"ALL\"]), runAsNonRoot != true (pod or container \"api\" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container \"api\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")"`;
 * with `enforce: restricted` the ReplicaSet controller's pod creates fail with
 * `pods "api-7c9f8d6b5-x2x4q" is forbidden: violates PodSecurity "restricted:latest": …`.
 */

interface SecurityContext {
  allowPrivilegeEscalation?: boolean;
  capabilities?: { drop?: string[] };
  runAsNonRoot?: boolean;
  runAsUser?: number;
  seccompProfile?: { type?: string };
}

interface PodSpec {
  securityContext?: SecurityContext;
  containers?: { name: string; securityContext?: SecurityContext }[];
}

/** The violations of `restricted` by `spec`, as the admission message lists them; empty when it passes. */
export function restrictedViolations(spec: PodSpec): string[] {
  const containers = spec.containers ?? [];
  const pod = spec.securityContext ?? {};
  const names = (list: { name: string }[]) =>
    `${list.length === 1 ? "container" : "containers"} ${list.map((c) => `"${c.name}"`).join(", ")}`;
  const podOr = (list: { name: string }[]) => `pod or ${names(list)}`;
  const out: string[] = [];
  const escalating = containers.filter((c) => c.securityContext?.allowPrivilegeEscalation !== false);
  if (escalating.length > 0)
    out.push(
      `allowPrivilegeEscalation != false (${names(escalating)} must set securityContext.allowPrivilegeEscalation=false)`,
    );
  const capable = containers.filter((c) => !(c.securityContext?.capabilities?.drop ?? []).includes("ALL"));
  if (capable.length > 0)
    out.push(
      `unrestricted capabilities (${names(capable)} must set securityContext.capabilities.drop=["ALL"])`,
    );
  const rootish = containers.filter((c) => (c.securityContext?.runAsNonRoot ?? pod.runAsNonRoot) !== true);
  if (rootish.length > 0)
    out.push(`runAsNonRoot != true (${podOr(rootish)} must set securityContext.runAsNonRoot=true)`);
  const root = containers.filter((c) => (c.securityContext?.runAsUser ?? pod.runAsUser) === 0);
  if (root.length > 0) out.push(`runAsUser=0 (${names(root)} must not set runAsUser=0)`);
  const profile = (c: { securityContext?: SecurityContext }) =>
    c.securityContext?.seccompProfile?.type ?? pod.seccompProfile?.type;
  const unconfined = containers.filter((c) => !["RuntimeDefault", "Localhost"].includes(profile(c) ?? ""));
  if (unconfined.length > 0)
    out.push(
      `seccompProfile (${podOr(unconfined)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`,
    );
  return out;
}

/** The level a namespace's label sets for `mode` ("enforce", "warn"), if restricted. */
export function restrictedBy(labels: Record<string, string> | undefined, mode: "enforce" | "warn"): boolean {
  return labels?.[`pod-security.kubernetes.io/${mode}`] === "restricted";
}

/** `violates PodSecurity "restricted:latest": …`, or `would violate …` for a warning. */
export function podSecurityMessage(violations: readonly string[], would = false): string {
  return `${would ? "would violate" : "violates"} PodSecurity "restricted:latest": ${violations.join(", ")}`;
}
