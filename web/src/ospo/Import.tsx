import { useState } from "react";
import { useMutation } from "urql";
import { graphql } from "../gql";
import { ErrorNote } from "../components/Status";

const ImportDoc = graphql(`
  mutation ImportPeople($csv: String!, $dryRun: Boolean) {
    importPeople(csv: $csv, dryRun: $dryRun) {
      dryRun
      rows
      created
      updated
      unchanged
      errors {
        line
        column
        reason
      }
    }
  }
`);

/** The HR system's CSV: checked first (a dry run), then imported. */
export function Import() {
  const [csv, setCsv] = useState<string | null>(null);
  const [fileName, setFileName] = useState("");
  const [result, run] = useMutation(ImportDoc);
  const report = result.data?.importPeople;
  return (
    <section className="card" aria-labelledby="import-heading">
      <h2 id="import-heading">Import people from the HR export</h2>
      <label htmlFor="import-file">CSV file (columns in the README: email, name, department, …)</label>
      <input
        id="import-file"
        type="file"
        accept=".csv,text/csv"
        onChange={async (e) => {
          const file = e.target.files?.[0];
          setFileName(file?.name ?? "");
          setCsv(file ? await file.text() : null);
        }}
      />
      <div className="actions">
        <button type="button" disabled={!csv || result.fetching} onClick={() => csv && void run({ csv, dryRun: true })}>
          Check
        </button>
        <button
          type="button"
          className="primary"
          disabled={!csv || result.fetching || !report?.dryRun || report.errors.length > 0}
          onClick={() => csv && void run({ csv, dryRun: false })}
        >
          Import
        </button>
      </div>
      <ErrorNote error={result.error} />
      {report && (
        <div role="status">
          <p className={report.errors.length ? "error" : "notice"}>
            {report.dryRun ? `Checked ${fileName}` : `Imported ${fileName}`}: {report.rows} rows; {report.created}{" "}
            {report.dryRun ? "would be created" : "created"}, {report.updated} {report.dryRun ? "would be updated" : "updated"},{" "}
            {report.unchanged} unchanged{report.errors.length ? `; ${report.errors.length} rows refused (nothing is imported until they are fixed)` : "."}
          </p>
          {report.errors.length > 0 && (
            <ul>
              {report.errors.map((e, i) => (
                <li key={i}>
                  Line {e.line}
                  {e.column ? `, ${e.column}` : ""}: {e.reason}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
