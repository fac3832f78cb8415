/** What the app reads from a token: never verified here (the server does). */
export interface Claims {
  sub: string;
  name?: string;
  roles: string[];
  /** Seconds since the epoch. */
  exp: number;
}

export function decodeClaims(token: string): Claims | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(payload.length / 4) * 4, "="));
    const raw = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
    if (typeof raw.sub !== "string" || typeof raw.exp !== "number") return null;
    const roles = Array.isArray(raw.roles)
      ? raw.roles.filter((r): r is string => typeof r === "string")
      : typeof raw.roles === "string"
        ? raw.roles.split(/[ ,]+/).filter(Boolean)
        : [];
    return {
      sub: raw.sub,
      name: typeof raw.name === "string" ? raw.name : undefined,
      roles,
      exp: raw.exp,
    };
  } catch {
    return null;
  }
}

/** Milliseconds until the token expires (negative once it has). */
export function msUntilExpiry(claims: Claims, now: number = Date.now()): number {
  return claims.exp * 1000 - now;
}
