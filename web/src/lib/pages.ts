export interface Page<T> {
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
}

/** Reads a connection to its end, a page at a time; stops early when a read fails (gives undefined). */
export async function readAll<T>(read: (after: string | null) => Promise<Page<T> | undefined>): Promise<T[]> {
  const found: T[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await read(after);
    if (!page) return found;
    found.push(...page.nodes);
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return found;
    after = page.pageInfo.endCursor;
  }
}
