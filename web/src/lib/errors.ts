import type { CombinedError } from "urql";

/** What a person reads for each `extensions.code`; never raw JSON. */
const SENTENCES: Record<string, string> = {
  UNAUTHENTICATED: "Your session has ended. Please sign in again.",
  FORBIDDEN: "You are not allowed to do that.",
  NOT_FOUND: "That no longer exists, or you cannot see it.",
  CONFLICT: "Someone changed this at the same time. It has been reloaded; please try again.",
  INTERNAL: "Something went wrong on our side. Please try again in a moment.",
  GRAPHQL_PARSE_FAILED: "The app sent a request the server did not understand. Please reload the page.",
  GRAPHQL_VALIDATION_FAILED: "The app is out of date. Please reload the page.",
};

export interface Problem {
  code: string;
  /** A sentence for the person. */
  text: string;
}

/** The person-readable problems in an urql error. */
export function problems(error: CombinedError): Problem[] {
  if (error.networkError && error.graphQLErrors.length === 0) {
    return [{ code: "NETWORK", text: "Tandem cannot be reached. Check your connection and try again." }];
  }
  return error.graphQLErrors.map((e) => {
    const code = typeof e.extensions?.code === "string" ? e.extensions.code : "INTERNAL";
    // BAD_USER_INPUT and CONFLICT messages are written for people; keep them.
    if (code === "BAD_USER_INPUT" || (code === "CONFLICT" && e.message)) {
      return { code, text: sentence(e.message) };
    }
    return { code, text: SENTENCES[code] ?? SENTENCES.INTERNAL! };
  });
}

/** The first problem as one sentence. */
export function explain(error: CombinedError): string {
  return problems(error)[0]?.text ?? SENTENCES.INTERNAL!;
}

export function isUnauthenticated(error: CombinedError): boolean {
  return error.graphQLErrors.some((e) => e.extensions?.code === "UNAUTHENTICATED") ||
    (error.response as Response | undefined)?.status === 401;
}

function sentence(message: string): string {
  const trimmed = message.trim();
  if (!trimmed) return SENTENCES.INTERNAL!;
  const first = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}
