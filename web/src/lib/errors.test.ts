import { CombinedError } from "urql";
import { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { explain, isUnauthenticated, problems } from "./errors";

const coded = (code: string, message = "raw message") =>
  new CombinedError({ graphQLErrors: [new GraphQLError(message, { extensions: { code } })] });

describe("errors", () => {
  it("turns codes into sentences and never shows raw JSON", () => {
    expect(explain(coded("FORBIDDEN", '{"x":1}'))).toBe("You are not allowed to do that.");
    expect(explain(coded("INTERNAL", "db exploded"))).not.toContain("db exploded");
    expect(explain(coded("SOMETHING_NEW"))).toMatch(/went wrong on our side/);
  });

  it("keeps the server's words for bad input, as a sentence", () => {
    expect(explain(coded("BAD_USER_INPUT", "goals must not be empty"))).toBe("Goals must not be empty.");
    expect(explain(coded("CONFLICT", "the proposal was already answered"))).toBe(
      "The proposal was already answered.",
    );
  });

  it("says when Tandem cannot be reached", () => {
    const offline = new CombinedError({ networkError: new Error("Failed to fetch") });
    expect(problems(offline)[0]?.code).toBe("NETWORK");
    expect(explain(offline)).toMatch(/cannot be reached/);
  });

  it("recognises an ended session", () => {
    expect(isUnauthenticated(coded("UNAUTHENTICATED"))).toBe(true);
    expect(isUnauthenticated(coded("FORBIDDEN"))).toBe(false);
  });
});
