import { describe, expect, it } from "vitest";
import { readAll } from "./pages";

describe("readAll", () => {
  it("follows the cursors to the last page", async () => {
    const asked: (string | null)[] = [];
    const all = await readAll(async (after) => {
      asked.push(after);
      const start = after === null ? 0 : Number(after);
      const nodes = Array.from({ length: Math.min(100, 250 - start) }, (_, i) => start + i);
      const end = start + nodes.length;
      return { nodes, pageInfo: { hasNextPage: end < 250, endCursor: String(end) } };
    });
    expect(all).toHaveLength(250);
    expect(all[249]).toBe(249);
    expect(asked).toEqual([null, "100", "200"]);
  });

  it("keeps what it read when a page fails", async () => {
    const all = await readAll(async (after) =>
      after === null ? { nodes: [1, 2], pageInfo: { hasNextPage: true, endCursor: "2" } } : undefined,
    );
    expect(all).toEqual([1, 2]);
  });
});
