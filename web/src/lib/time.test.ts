import { describe, expect, it } from "vitest";
import { formatDateTime, today } from "./time";

describe("time", () => {
  it("shows an instant in the person's timezone", () => {
    const at = "2026-03-01T23:30:00Z";
    expect(formatDateTime(at, "Europe/Berlin")).toContain("2 Mar 2026");
    expect(formatDateTime(at, "America/New_York")).toContain("1 Mar 2026");
  });

  it("falls back to the browser's zone for an unknown one", () => {
    expect(() => formatDateTime("2026-03-01T10:00:00Z", "Mars/Olympus")).not.toThrow();
  });

  it("gives today's date in the zone", () => {
    const now = new Date("2026-03-01T23:30:00Z");
    expect(today("Asia/Tokyo", now)).toBe("2026-03-02");
    expect(today("UTC", now)).toBe("2026-03-01");
  });
});
