import { CombinedError } from "urql";
import { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { fieldOf } from "./fields";

const bad = (message: string, extensions: Record<string, unknown> = {}) =>
  new CombinedError({ graphQLErrors: [new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT", ...extensions } })] });

const FIELDS = ["capacity", "skills", "timezone", "displayName"];

describe("fieldOf", () => {
  it("prefers the field extension", () => {
    expect(fieldOf(bad("anything", { field: "skills[2].proficiency" }), FIELDS)).toBe("skills");
  });

  it("finds the field a message names", () => {
    expect(fieldOf(bad("capacity must be between 1 and 10"), FIELDS)).toBe("capacity");
    expect(fieldOf(bad("skills lists rust twice"), FIELDS)).toBe("skills");
    expect(fieldOf(bad("unknown timezone: Mars/Base"), FIELDS)).toBe("timezone");
  });

  it("gives none for other codes or unknown fields", () => {
    expect(fieldOf(bad("the weather is bad"), FIELDS)).toBeNull();
    const forbidden = new CombinedError({ graphQLErrors: [new GraphQLError("capacity", { extensions: { code: "FORBIDDEN" } })] });
    expect(fieldOf(forbidden, FIELDS)).toBeNull();
  });
});
