/**
 * The small value types of dray.yaml (names, paths, platforms, ports, file mappings), each with
 * the message a user sees when it is wrong. schema.ts assembles them into objects; bases and
 * registries have files of their own (schema-base.ts, schema-registry.ts).
 */
import * as z from "zod";
import { PLATFORMS } from "../oci/index.js";
import { describeValue } from "./issue-messages.js";
import { FILE_SHORT_PATTERN } from "./patterns.js";

/** What a custom message gets from zod: the value the user wrote. */
type Issue = { readonly input?: unknown; readonly code?: string };

/** The allowed forms of a port written as a string: "8080", "8080/tcp", "53/udp", "2905/sctp". */
export const PORT_PATTERN =
  /^(?:[1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5])(?:\/(?:tcp|udp|sctp))?$/;

export { FILE_SHORT_PATTERN, LAYOUT_BASE_PATTERN } from "./patterns.js";

/** A path on the host, written relative to `base` so that dray.yaml works on every checkout. */
export function relativePath(base: string) {
  return z
    .string()
    .regex(/^[^/]/, {
      error: (iss: Issue) =>
        iss.input === ""
          ? "must not be empty"
          : `${describeValue(iss.input)} is an absolute path — write it relative to ${base}`,
    })
    .regex(/^[^\0]*$/, {
      // The operating system cannot name such a file; caught here rather than by the first fs call.
      error: (iss: Issue) => `${describeValue(iss.input)} holds a NUL character, which no path can`,
    });
}

/** An absolute path inside the image. */
export const imagePath = z.string().regex(/^\//, {
  error: (iss: Issue) => `${describeValue(iss.input)} is not an absolute path in the image — e.g. "/app"`,
});

/** An absolute path of a file inside the image (not "/" and not ending in "/"). */
export const imageFilePath = z.string().regex(/^\/.*[^/]$/, {
  error: (iss: Issue) =>
    `${describeValue(iss.input)} is not an absolute file path in the image — e.g. "/app/api"`,
});

/** The project's name; it ends up in labels and resource names, hence DNS-label rules. */
export const projectName = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, {
    error: (iss: Issue) =>
      `${describeValue(iss.input)} is not a valid project name — use 1 to 63 lowercase letters, digits and "-", starting and ending with a letter or digit`,
  })
  .describe(
    'Name of the project: 1 to 63 lowercase letters, digits and "-", starting and ending with a letter or digit. Used in image names and in the labels that mark what dray deployed.',
  );

/** A service's name, the key under `services`. */
export const serviceName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, {
  error: (iss: Issue) =>
    `${describeValue(iss.input)} is not a valid service name — use 1 to 63 lowercase letters, digits, "-" and "_", starting with a letter or digit`,
});

/** An environment variable's name, as POSIX shells accept it. */
export const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
  error: (iss: Issue) =>
    `${describeValue(iss.input)} is not a valid variable name — use letters, digits and "_", not starting with a digit`,
});

/** A string, number or boolean; numbers and booleans are turned into text as YAML wrote them. */
export const scalar = z.union([z.string(), z.number(), z.boolean()], {
  error: (iss: Issue) => `expected a string, number or boolean, got ${describeValue(iss.input)}`,
});

/** A map of environment variables: names to values. */
export function envMap(description: string) {
  return z.record(envName, scalar).describe(description);
}

/** One word, or a list of words, given to a program as its argv. */
export const stringOrList = z.union([z.string(), z.array(z.string())], {
  error: (iss: Issue) => `expected a string or a list of strings, got ${describeValue(iss.input)}`,
});

/** One platform, "os/arch[/variant]". */
export const platform = z
  .enum(PLATFORMS, {
    error: (iss: Issue) => `${describeValue(iss.input)} is not a platform — allowed: ${PLATFORMS.join(", ")}`,
  })
  .describe('A platform as "os/arch[/variant]". 32-bit ARM needs its variant: linux/arm/v7 or linux/arm/v6.')
  .meta({ id: "platform" });

/** A list of platforms; listing one twice is a mistake (it would build the same image twice). */
export const platformList = z
  .array(platform)
  .min(1, { error: "must list at least one platform" })
  .superRefine((list, ctx) => {
    list.forEach((name, index) => {
      if (list.indexOf(name) !== index) {
        ctx.addIssue({ code: "custom", path: [index], input: name, message: `"${name}" is listed twice` });
      }
    });
  })
  .meta({ uniqueItems: true });

const notAPort = (iss: Issue) =>
  `${describeValue(iss.input)} is not a port — write a number from 1 to 65535, optionally as a string with "/tcp", "/udp" or "/sctp"`;

/** A port the image exposes: 8080, "8080", "8080/tcp", "53/udp", "2905/sctp". */
export const port = z
  .union(
    [
      z.int({ error: notAPort }).min(1, { error: notAPort }).max(65535, { error: notAPort }),
      z.string().regex(PORT_PATTERN, { error: notAPort }),
    ],
    { error: notAPort },
  )
  .describe('A port: a number 1-65535 (TCP), or a string "N/tcp", "N/udp" or "N/sctp".')
  .meta({ id: "port" });

/** A host file or directory copied into the image as a layer of its own. */
export const fileEntry = z
  .union(
    [
      z
        .string()
        .regex(FILE_SHORT_PATTERN, {
          error: (iss: Issue) =>
            `${describeValue(iss.input)} is not a file mapping — write "from:to" with an absolute "to", e.g. "config/app.json:/etc/app.json"`,
        })
        .describe('Short form "from:to", e.g. "config/app.json:/etc/app.json".'),
      z
        .strictObject({
          from: relativePath("the service's context").describe(
            "A file or directory on the host, relative to the service's context.",
          ),
          to: imagePath.describe("Absolute path in the image; a directory's contents go below it."),
        })
        .describe("A host file or directory and where it goes in the image."),
    ],
    {
      error: (iss: Issue) => `expected "from:to" or { from, to }, got ${describeValue(iss.input)}`,
    },
  )
  .describe("A host file or directory (inside the service's context) copied into the image as its own layer.")
  .meta({ id: "file" });

/** The largest user or group id: ids are 32 bits, and 4294967295 ((uid_t)-1) means "no change" to setuid(2). */
export const MAX_ID = 4_294_967_294;

const USER_PART = "[A-Za-z0-9_][A-Za-z0-9_.-]*\\$?";
/** A user, optionally with a group: each a name or a numeric id (OCI image config `User`). */
export const USER_PATTERN = new RegExp(`^${USER_PART}(?::${USER_PART})?$`);

const USER_FORMS =
  'a user name or id, optionally with ":" and a group name or id, e.g. "65532:65532" or "app"';

/** What is wrong with one side of "user:group"; undefined when it is a valid name or id. */
function userPartProblem(part: string, what: "user" | "group"): string | undefined {
  if (/^\d+$/.test(part)) {
    return Number(part) <= MAX_ID
      ? undefined
      : `${what} id ${part} is too large — ids go from 0 to ${MAX_ID}`;
  }
  if (!new RegExp(`^${USER_PART}$`).test(part)) {
    return `${JSON.stringify(part)} is not a ${what} name — names are letters, digits, "_", "." and "-", not starting with "." or "-"`;
  }
  return part.length > 32 ? `${what} name ${JSON.stringify(part)} is longer than 32 characters` : undefined;
}

/**
 * What is wrong with a `user:` value, or undefined. The forms are those of the OCI image config's
 * `User` (https://github.com/opencontainers/image-spec/blob/main/config.md#properties): user, uid,
 * user:group, uid:gid, uid:group, user:gid.
 */
export function userProblem(value: unknown): string | undefined {
  if (typeof value === "number") {
    if (Number.isInteger(value) && value >= 0 && value <= MAX_ID) return undefined;
    return `${describeValue(value)} is not a user id — ids are whole numbers from 0 to ${MAX_ID}`;
  }
  if (typeof value !== "string")
    return `expected a user like "65532:65532" or a user id, got ${describeValue(value)}`;
  const parts = value.split(":");
  if (value === "" || parts.length > 2 || parts.includes("")) {
    return `${describeValue(value)} is not a user — write ${USER_FORMS}`;
  }
  return (
    userPartProblem(parts[0]!, "user") ??
    (parts[1] === undefined ? undefined : userPartProblem(parts[1], "group"))
  );
}

const userError = (iss: Issue) =>
  userProblem(iss.input) ?? `expected ${USER_FORMS}, got ${describeValue(iss.input)}`;

/** The user (and group) a container runs as: "65532:65532", "app", 65532. */
export const imageUser = z
  .union(
    [
      z
        .string()
        // abort: the refinement below would only say the same again.
        .regex(USER_PATTERN, { error: userError, abort: true })
        .refine((text) => userProblem(text) === undefined, { error: userError }),
      z.int({ error: userError }).min(0, { error: userError }).max(MAX_ID, { error: userError }),
    ],
    { error: userError },
  )
  .describe(
    'User (and group) the container runs as: a name or numeric id, optionally ":" and a group name or id — "65532:65532", "app:app" or 65532.',
  );
