import { describe, expect, it } from "vitest";
import { sourceNames } from "../log-source.js";
import { splitDetails } from "./logs.js";

describe("splitDetails", () => {
  it("takes the context the engine puts before each line, values URL-decoded", () => {
    const { context, text } = splitDetails(
      "com.docker.swarm.node.id=n1,com.docker.swarm.service.id=s1,com.docker.swarm.task.id=t%2C1 talker: first line",
    );
    expect(Object.fromEntries(context)).toEqual({
      "com.docker.swarm.node.id": "n1",
      "com.docker.swarm.service.id": "s1",
      "com.docker.swarm.task.id": "t,1",
    });
    expect(text).toBe("talker: first line");
  });

  it("keeps an empty line empty and a line without context as it is", () => {
    expect(splitDetails("com.docker.swarm.task.id=t1").text).toBe("");
    expect(splitDetails("no context here").text).toBe("no context here");
  });
});

describe("sourceNames", () => {
  it("names one source after the service, several by number", () => {
    expect(sourceNames("api", 1)).toEqual(["api"]);
    expect(sourceNames("api", 3)).toEqual(["api.1", "api.2", "api.3"]);
  });
});
