/**
 * Before the first write: one SelfSubjectAccessReview per verb and resource the deploy will use
 * (https://kubernetes.io/docs/reference/access-authn-authz/authorization/#checking-api-access),
 * so that a user who may patch Deployments but not Services learns it before anything changed,
 * with every missing permission at once and the Role that grants them.
 */
import pLimit from "p-limit";
import { stringify } from "yaml";
import { errorMessage, UserError } from "../../errors/index.js";
import type { KubeApi } from "./kube-api.js";
import { describePermission, type Rule, rbacObjects } from "./permissions.js";

/** One verb on one resource that the review denied. */
export interface Missing {
  readonly rule: Rule;
  readonly verb: string;
}

/** Asks the API server about every verb of every rule; returns the denied ones, undefined when it cannot be asked. */
export async function reviewPermissions(
  api: KubeApi,
  namespace: string,
  rules: readonly Rule[],
): Promise<Missing[] | undefined> {
  const limit = pLimit(8);
  const asks = rules.flatMap((rule) => rule.verbs.map((verb) => ({ rule, verb })));
  try {
    const answers = await Promise.all(
      asks.map((ask) =>
        limit(() => review(api, namespace, ask.rule, ask.verb).then((allowed) => ({ ask, allowed }))),
      ),
    );
    return answers.filter((a) => !a.allowed).map((a) => a.ask);
  } catch (error) {
    // A server without the authorization API, or one that refuses reviews: the writes will tell.
    if (/selfsubjectaccessreviews/.test(errorMessage(error))) return undefined;
    throw error;
  }
}

async function review(api: KubeApi, namespace: string, rule: Rule, verb: string): Promise<boolean> {
  const [resource, subresource] = rule.resource.split("/");
  const answer = (await api.request("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {
    body: {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SelfSubjectAccessReview",
      spec: {
        resourceAttributes: {
          ...(rule.cluster ? {} : { namespace }),
          verb,
          group: rule.group,
          resource,
          ...(subresource ? { subresource } : {}),
        },
      },
    },
  })) as { status?: { allowed?: boolean } };
  return answer.status?.allowed === true;
}

/** The error for permissions a deploy needs and does not have: each one, and a Role granting them. */
export function missingPermissionsError(
  api: KubeApi,
  project: string,
  namespace: string,
  missing: readonly Missing[],
): UserError {
  const list = missing.map((m) => describePermission(m.rule.group, m.rule.resource, m.verb));
  const byRule = new Map<Rule, string[]>();
  for (const m of missing) byRule.set(m.rule, [...(byRule.get(m.rule) ?? []), m.verb]);
  const grant = [...byRule].map(([rule, verbs]) => ({ ...rule, verbs }));
  const [role] = rbacObjects(
    project,
    namespace,
    grant.filter((r) => !r.cluster),
    { kind: "User", name: "-" },
  );
  const cluster = grant.filter((r) => r.cluster);
  const { source } = api;
  return new UserError(
    `not allowed to deploy to namespace ${namespace}: the user of context "${source.context}" may not ${list.join(", ")}`,
    {
      details: [
        "nothing was changed. A Role that grants what is missing:",
        stringify(role, { lineWidth: 0 }).trimEnd(),
        ...(cluster.length > 0
          ? [
              `and, cluster-wide: ${cluster.map((r) => r.verbs.map((v) => describePermission(r.group, r.resource, v)).join(", ")).join(", ")}`,
            ]
          : []),
      ].join("\n"),
      hint: `\`dray rbac\` prints the Role and RoleBinding a deploy needs; apply them with kubectl as an admin of ${source.server}. Check with kubectl auth can-i ${missing[0] ? `${missing[0].verb} ${missing[0].rule.resource}` : "--list"} -n ${namespace}.`,
    },
  );
}

/** One line for diagnostic permissions that are missing: the deploy works, a failure is explained less. */
export function diagnosticsNote(missing: readonly Missing[]): string {
  return `may not ${missing.map((m) => describePermission(m.rule.group, m.rule.resource, m.verb)).join(", ")}: a failed rollout will be explained less (\`dray rbac\` lists them)`;
}
