import { describe, expect, it } from "vitest";
import { decodeClaims, msUntilExpiry } from "./claims";

function token(payload: object): string {
  const part = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${part({ alg: "HS256" })}.${part(payload)}.signature`;
}

describe("claims", () => {
  it("reads sub, name, roles and exp", () => {
    const claims = decodeClaims(token({ sub: "u1", name: "Ada", roles: ["ospo"], exp: 2_000_000_000 }));
    expect(claims).toEqual({ sub: "u1", name: "Ada", roles: ["ospo"], exp: 2_000_000_000 });
  });

  it("reads roles given as one string", () => {
    expect(decodeClaims(token({ sub: "u", exp: 1, roles: "ospo admin" }))?.roles).toEqual(["ospo", "admin"]);
  });

  it("reads non-ASCII names", () => {
    const payload = { sub: "u", exp: 1, name: "Zoë Ødegård" };
    const bytes = new TextEncoder().encode(JSON.stringify(payload));
    const b64 = btoa(String.fromCharCode(...bytes)).replace(/=+$/, "");
    expect(decodeClaims(`x.${b64}.y`)?.name).toBe("Zoë Ødegård");
  });

  it("refuses what is not a token", () => {
    expect(decodeClaims("garbage")).toBeNull();
    expect(decodeClaims("a.b.c")).toBeNull();
    expect(decodeClaims(token({ name: "no sub", exp: 1 }))).toBeNull();
  });

  it("counts down to expiry", () => {
    const claims = { sub: "u", roles: [], exp: 100 };
    expect(msUntilExpiry(claims, 90_000)).toBe(10_000);
    expect(msUntilExpiry(claims, 101_000)).toBeLessThan(0);
  });
});
