/** Dates and times in the person's own timezone (their profile's, else the browser's). */

export function formatDateTime(iso: string, timeZone?: string | null): string {
  return new Intl.DateTimeFormat("en-GB", {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: validZone(timeZone),
  }).format(new Date(iso));
}

export function formatDate(iso: string, timeZone?: string | null): string {
  return new Intl.DateTimeFormat("en-GB", {
    dateStyle: "medium",
    timeZone: validZone(timeZone),
  }).format(new Date(iso));
}

/** Today's date as `YYYY-MM-DD` in `timeZone`. */
export function today(timeZone?: string | null, now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    timeZone: validZone(timeZone),
  }).format(now);
  return parts;
}

function validZone(timeZone?: string | null): string | undefined {
  if (!timeZone) return undefined;
  try {
    new Intl.DateTimeFormat("en", { timeZone });
    return timeZone;
  } catch {
    return undefined;
  }
}
