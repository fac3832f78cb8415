import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { decodeClaims, msUntilExpiry, type Claims } from "./claims";

export interface Session {
  token: string;
  claims: Claims;
  isOspo: boolean;
}

interface SessionApi {
  session: Session | null;
  /** Why the person is on the sign-in page, when they were sent there. */
  ended: "expired" | "signed-out" | null;
  /** Where to go back to after signing in again. */
  returnTo: string | null;
  signIn: (token: string) => boolean;
  signOut: (reason: "expired" | "signed-out", returnTo?: string) => void;
  /** Replaces the token after a silent renewal. */
  renew: (token: string) => void;
}

const SessionContext = createContext<SessionApi | null>(null);

function sessionOf(token: string): Session | null {
  const claims = decodeClaims(token);
  if (!claims || msUntilExpiry(claims) <= 0) return null;
  return { token, claims, isOspo: claims.roles.includes("ospo") };
}

/** Tokens live in memory only: a reload signs the person out. */
export function SessionProvider({ children, onSignOut }: { children: ReactNode; onSignOut?: () => void }) {
  const [session, setSession] = useState<Session | null>(null);
  const [ended, setEnded] = useState<SessionApi["ended"]>(null);
  const [returnTo, setReturnTo] = useState<string | null>(null);

  const signOut = useCallback(
    (reason: "expired" | "signed-out", where?: string) => {
      setSession(null);
      setEnded(reason);
      setReturnTo(reason === "expired" ? (where ?? currentPlace()) : null);
      onSignOut?.();
    },
    [onSignOut],
  );

  const signIn = useCallback((token: string) => {
    const next = sessionOf(token);
    if (!next) return false;
    setSession(next);
    setEnded(null);
    return true;
  }, []);

  const renew = useCallback((token: string) => {
    const next = sessionOf(token);
    if (next) setSession(next);
  }, []);

  // Expiry sends the person back to sign in, with their place kept.
  useEffect(() => {
    if (!session) return;
    const wait = Math.max(0, msUntilExpiry(session.claims));
    const timer = window.setTimeout(() => signOut("expired"), Math.min(wait, 2 ** 31 - 1));
    return () => window.clearTimeout(timer);
  }, [session, signOut]);

  const api = useMemo(
    () => ({ session, ended, returnTo, signIn, signOut, renew }),
    [session, ended, returnTo, signIn, signOut, renew],
  );
  return <SessionContext.Provider value={api}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const api = useContext(SessionContext);
  if (!api) throw new Error("useSession outside SessionProvider");
  return api;
}

function currentPlace(): string {
  return window.location.pathname + window.location.search;
}
