import { useId, useState } from "react";

export interface Item {
  slug: string;
  name: string;
  group?: string | null;
}

export interface Grade {
  value: string;
  label: string;
}

/**
 * Picks items from a catalog, each with a grade (a proficiency, a
 * priority, a role), or without one when `grades` is empty. A filter box
 * narrows long catalogs; the chosen ones stay listed first.
 */
export function Picker({
  legend,
  items,
  chosen,
  onChange,
  grades = [],
  gradeLabel = "",
  error,
}: {
  legend: string;
  items: Item[];
  chosen: Map<string, string>;
  onChange: (next: Map<string, string>) => void;
  grades?: Grade[];
  gradeLabel?: string;
  error?: string | null;
}) {
  const id = useId();
  const [filter, setFilter] = useState("");
  const needle = filter.trim().toLowerCase();
  const shown = items
    .filter((i) => chosen.has(i.slug) || !needle || i.name.toLowerCase().includes(needle) || i.slug.includes(needle))
    .sort((a, b) => Number(chosen.has(b.slug)) - Number(chosen.has(a.slug)));
  const toggle = (slug: string, on: boolean) => {
    const next = new Map(chosen);
    if (on) next.set(slug, grades[0]?.value ?? "");
    else next.delete(slug);
    onChange(next);
  };
  const grade = (slug: string, value: string) => onChange(new Map(chosen).set(slug, value));
  return (
    <fieldset className="picker" aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{legend}</legend>
      {items.length > 8 && (
        <>
          <label htmlFor={`${id}-filter`} className="visually-hidden">
            Filter {legend.toLowerCase()}
          </label>
          <input
            id={`${id}-filter`}
            type="search"
            placeholder={`Filter ${legend.toLowerCase()}`}
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
          />
        </>
      )}
      <ul>
        {shown.map((item) => {
          const on = chosen.has(item.slug);
          return (
            <li key={item.slug}>
              <input
                type="checkbox"
                id={`${id}-${item.slug}`}
                checked={on}
                onChange={(e) => toggle(item.slug, e.target.checked)}
              />
              <label htmlFor={`${id}-${item.slug}`} className="inline">
                {item.name}
                {item.group ? <span className="meta"> · {item.group}</span> : null}
              </label>
              {on && grades.length > 0 && (
                <select
                  aria-label={`${gradeLabel} for ${item.name}`}
                  value={chosen.get(item.slug)}
                  onChange={(e) => grade(item.slug, e.target.value)}
                >
                  {grades.map((g) => (
                    <option key={g.value} value={g.value}>
                      {g.label}
                    </option>
                  ))}
                </select>
              )}
            </li>
          );
        })}
      </ul>
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}
