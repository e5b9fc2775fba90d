import { describe, expect, it } from "vitest";
import { firstCause, type RolloutFacts } from "./failure-cause.js";
import { parseWarnings } from "./warnings.js";

const none: RolloutFacts = { deploymentConditions: [], replicaSetConditions: [], containers: [], events: [] };
const podSecurity =
  'pods "api-7c9f8d6b5-x2x4q" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "api" must set securityContext.allowPrivilegeEscalation=false)';

describe("firstCause", () => {
  const cases: { description: string; facts: Partial<RolloutFacts>; cause: string | undefined }[] = [
    { description: "nothing known", facts: {}, cause: undefined },
    {
      description: "Pod Security refuses the pods (Deployment condition)",
      facts: {
        deploymentConditions: [
          { type: "Progressing", status: "True", reason: "ReplicaSetUpdated" },
          { type: "ReplicaFailure", status: "True", reason: "FailedCreate", message: podSecurity },
        ],
      },
      cause: `FailedCreate: ${podSecurity}`,
    },
    {
      description: "a quota refuses the pods (ReplicaSet condition)",
      facts: {
        replicaSetConditions: [
          {
            type: "ReplicaFailure",
            status: "True",
            reason: "FailedCreate",
            message:
              'pods "api-1" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2',
          },
        ],
      },
      cause:
        'FailedCreate: pods "api-1" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2',
    },
    {
      description: "an image that cannot be pulled, with the kubelet's event",
      facts: {
        containers: [
          {
            name: "api",
            state: {
              waiting: { reason: "ImagePullBackOff", message: 'Back-off pulling image "r/api@sha256:1"' },
            },
          },
        ],
        events: [
          { type: "Warning", reason: "Failed", message: 'Failed to pull image "r/api@sha256:1": not found' },
        ],
      },
      cause:
        'container "api" cannot pull its image (ImagePullBackOff): Failed to pull image "r/api@sha256:1": not found',
    },
    {
      description: "a crash loop, with the last exit code",
      facts: {
        containers: [
          {
            name: "api",
            restartCount: 4,
            state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 40s" } },
            lastState: { terminated: { exitCode: 2, reason: "Error" } },
          },
        ],
      },
      cause: 'container "api" keeps exiting (CrashLoopBackOff; exit code 2, Error, restarted 4 times)',
    },
    {
      description: "a readiness probe that fails",
      facts: {
        containers: [{ name: "api", ready: false, state: {} }],
        events: [
          {
            type: "Warning",
            reason: "Unhealthy",
            message: "Readiness probe failed: HTTP probe failed with statuscode: 503",
          },
        ],
      },
      cause: "Readiness probe failed: HTTP probe failed with statuscode: 503",
    },
    {
      description: "a pod that cannot be scheduled",
      facts: {
        events: [
          {
            type: "Warning",
            reason: "FailedScheduling",
            message: "0/3 nodes are available: 3 Insufficient cpu.",
            involvedObject: { kind: "Pod", name: "api-1" },
          },
        ],
      },
      cause: "FailedScheduling (pod/api-1): 0/3 nodes are available: 3 Insufficient cpu.",
    },
  ];
  it.each(cases)("$description", ({ facts, cause }) => {
    expect(firstCause({ ...none, ...facts })).toBe(cause);
  });
});

describe("parseWarnings", () => {
  it("reads each Warning header's text, unescaping quotes, several per header too", () => {
    expect(
      parseWarnings([
        '299 - "would violate PodSecurity \\"restricted:latest\\": runAsNonRoot != true"',
        '299 - "apps/v1beta1 Deployment is deprecated", 299 - "second, with a comma"',
      ]),
    ).toEqual([
      'would violate PodSecurity "restricted:latest": runAsNonRoot != true',
      "apps/v1beta1 Deployment is deprecated",
      "second, with a comma",
    ]);
  });
});
