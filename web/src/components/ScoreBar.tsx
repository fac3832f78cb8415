import { CRITERION, label } from "../lib/labels";

export interface Contribution {
  criterion: string;
  contribution: number;
  weight: number;
  raw: number;
  explanation: string;
}

/** One colour per criterion, in the API's order; readable on white. */
const COLOURS: Record<string, string> = {
  SKILLS: "#2458a6",
  PROJECTS: "#1b7f6b",
  FOUNDATIONS: "#7a4fb3",
  MATURITY: "#b3541e",
  TOPICS: "#a3366b",
  TIMEZONE: "#4d6b1f",
  LANGUAGE: "#8a6d00",
  LOAD: "#5a5a5a",
};

/** The segments' widths as percentages of 100 points, each at least 0. */
export function segments(components: Contribution[]): { criterion: string; percent: number }[] {
  return components
    .filter((c) => c.contribution > 0)
    .map((c) => ({ criterion: c.criterion, percent: Math.max(0, Math.min(100, c.contribution)) }));
}

/**
 * A score out of 100 as a stacked bar of its criteria's contributions, with
 * each criterion's explanation listed beneath (the bar is decoration for
 * screen readers; the list carries the same facts).
 */
export function ScoreBar({ total, components, title }: { total: number; components: Contribution[]; title: string }) {
  return (
    <figure className="score">
      <figcaption>
        <span className="score-total">{total.toFixed(1)}</span> / 100 <span className="visually-hidden">for {title}</span>
      </figcaption>
      <div className="score-bar" aria-hidden="true">
        {segments(components).map((s) => (
          <span
            key={s.criterion}
            className="score-segment"
            style={{ width: `${s.percent}%`, backgroundColor: COLOURS[s.criterion] ?? "#333" }}
            title={`${label(CRITERION, s.criterion)}: ${s.percent.toFixed(1)}`}
          />
        ))}
      </div>
      <ul className="score-reasons">
        {components.map((c) => (
          <li key={c.criterion}>
            <span className="swatch" style={{ backgroundColor: COLOURS[c.criterion] ?? "#333" }} aria-hidden="true" />
            <strong>{label(CRITERION, c.criterion)}</strong> +{c.contribution.toFixed(1)}: {c.explanation}
          </li>
        ))}
      </ul>
    </figure>
  );
}
