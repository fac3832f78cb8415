import type { CombinedError } from "urql";
import { explain } from "./errors";

/**
 * Which form field a refusal is about: the `field` extension when the API
 * gives one, else the first known field name the message starts with or
 * names ("capacity must be 1 to 10", "skills lists rust twice").
 */
export function fieldOf(error: CombinedError, fields: string[]): string | null {
  const first = error.graphQLErrors[0];
  if (!first || first.extensions?.code !== "BAD_USER_INPUT") return null;
  const given = first.extensions?.field;
  if (typeof given === "string") {
    const root = given.split(/[.[]/)[0] ?? "";
    if (fields.includes(root)) return root;
  }
  const message = first.message.toLowerCase();
  const words = message.split(/[^a-z_]+/).filter(Boolean);
  for (const word of words) {
    const hit = fields.find((f) => f.toLowerCase() === word || toWords(f) === word);
    if (hit) return hit;
  }
  return null;
}

/** Each field's sentence, and the rest as one form-level sentence. */
export function placeErrors(error: CombinedError | undefined, fields: string[]): { field: string | null; text: string } | null {
  if (!error) return null;
  return { field: fieldOf(error, fields), text: explain(error) };
}

function toWords(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
