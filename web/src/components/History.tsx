import { formatDateTime } from "../lib/time";

interface Entry {
  at: string;
  from?: string | null;
  to: string;
  reason?: string | null;
  actor?: { displayName: string } | null;
}

/** A record's history as a list: when, who, from which state to which. */
export function History({ entries, timeZone }: { entries: Entry[]; timeZone?: string | null }) {
  return (
    <details className="history">
      <summary>History</summary>
      <ol>
        {entries.map((e, i) => (
          <li key={i}>
            <time dateTime={e.at}>{formatDateTime(e.at, timeZone)}</time>: {e.from ? `${e.from} → ` : ""}
            {e.to} by {e.actor?.displayName ?? "Tandem"}
            {e.reason ? ` (${e.reason})` : ""}
          </li>
        ))}
      </ol>
    </details>
  );
}
