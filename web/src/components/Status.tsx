import type { CombinedError } from "urql";
import { explain } from "../lib/errors";

export function Loading({ what }: { what: string }) {
  return (
    <p className="status" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: React.ReactNode }) {
  return <p className="status empty">{children}</p>;
}

export function ErrorNote({ error }: { error: CombinedError | undefined | null }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {explain(error)}
    </p>
  );
}
