import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ScoreBar, segments } from "./ScoreBar";

const components = [
  { criterion: "SKILLS", contribution: 30.5, weight: 0.35, raw: 0.87, explanation: "3 of 4 wanted skills" },
  { criterion: "LANGUAGE", contribution: 10, weight: 0.1, raw: 1, explanation: "both speak German" },
  { criterion: "LOAD", contribution: 0, weight: 0.05, raw: 0, explanation: "no free seat soon" },
];

describe("ScoreBar", () => {
  it("draws one segment per contributing criterion, sized by its points", () => {
    expect(segments(components)).toEqual([
      { criterion: "SKILLS", percent: 30.5 },
      { criterion: "LANGUAGE", percent: 10 },
    ]);
  });

  it("lists every criterion with its explanation", () => {
    render(<ScoreBar total={40.5} components={components} title="Jonas" />);
    expect(screen.getByText("40.5")).toBeTruthy();
    expect(screen.getByText(/3 of 4 wanted skills/)).toBeTruthy();
    expect(screen.getByText(/no free seat soon/)).toBeTruthy();
    expect(screen.getByText("Availability")).toBeTruthy();
  });
});
