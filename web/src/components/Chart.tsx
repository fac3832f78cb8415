import { useEffect, useRef } from "react";
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart as ChartJs,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from "chart.js";

ChartJs.register(BarController, BarElement, CategoryScale, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip);

export interface Series {
  label: string;
  values: (number | null)[];
  colour: string;
}

/**
 * A bar or line chart, with the same figures in a table beneath it for
 * screen readers and for reading exact values.
 */
export function Chart({
  kind,
  title,
  labels,
  series,
  horizontal = false,
  percent = false,
}: {
  kind: "bar" | "line";
  title: string;
  labels: string[];
  series: Series[];
  horizontal?: boolean;
  percent?: boolean;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const config: ChartConfiguration = {
      type: kind,
      data: {
        labels,
        datasets: series.map((s) => ({
          label: s.label,
          data: s.values,
          backgroundColor: s.colour,
          borderColor: s.colour,
          spanGaps: true,
        })),
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: series.length > 1 } },
        scales: percent ? { y: { min: 0, max: 1, ticks: { format: { style: "percent" } } } } : undefined,
      },
    };
    const chart = new ChartJs(canvas.current, config);
    return () => chart.destroy();
  }, [kind, labels, series, horizontal, percent]);
  const show = (v: number | null) => (v === null ? "–" : percent ? `${Math.round(v * 100)}%` : String(Math.round(v * 100) / 100));
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div className={horizontal ? "chart-area tall" : "chart-area"}>
        <canvas ref={canvas} role="img" aria-label={`${title}: chart; the figures are in the table that follows`} />
      </div>
      <details>
        <summary>Show the figures</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">{horizontal ? "Item" : "Month"}</th>
              {series.map((s) => (
                <th key={s.label} scope="col">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {labels.map((label, i) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                {series.map((s) => (
                  <td key={s.label}>{show(s.values[i] ?? null)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
