import { useState } from "react";
import { useParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import type { CohortFieldsFragment, MatchingStrategy, ProgramStatus } from "../gql/graphql";
import { ErrorNote, Loading } from "../components/Status";
import { CRITERION, label } from "../lib/labels";
import { Enroll } from "./Enroll";

export const CohortFields = graphql(`
  fragment CohortFields on CohortMatchingResult {
    strategy
    dryRun
    objective
    blockingPairs
    policyVersion
    assignments {
      matchId
      mentee {
        id
        displayName
      }
      mentor {
        id
        displayName
      }
      score {
        total
      }
    }
    unmatched {
      reason
      mentee {
        id
        displayName
      }
    }
  }
`);

const ProgramDoc = graphql(`
  query Program($id: ID!) {
    program(id: $id) {
      id
      name
      status
      startsOn
      endsOn
      description
      mentors: enrolled(role: MENTOR) {
        id
        displayName
      }
      mentees: enrolled(role: MENTEE) {
        id
        displayName
      }
      policy {
        version
        minScore
        strategy
        proposalSlaHours
        weights {
          skills
          projects
          foundations
          maturity
          topics
          timezone
          language
          load
        }
      }
    }
  }
`);

const SetStatus = graphql(`
  mutation SetProgramStatus($id: ID!, $status: ProgramStatus!) {
    setProgramStatus(id: $id, status: $status) {
      id
      status
    }
  }
`);

const RunCohort = graphql(`
  mutation RunCohortMatching($input: CohortMatchingInput!) {
    runCohortMatching(input: $input) {
      ...CohortFields
    }
  }
`);

const Preview = graphql(`
  query PreviewPolicy($input: MatchingPolicyInput!, $menteeId: ID) {
    previewMatchingPolicy(input: $input, menteeId: $menteeId, first: 5) {
      current {
        mentor {
          id
          displayName
        }
        score {
          total
        }
      }
      candidate {
        mentor {
          id
          displayName
        }
        score {
          total
        }
      }
      currentCohort {
        ...CohortFields
      }
      candidateCohort {
        ...CohortFields
      }
    }
  }
`);

const SavePolicy = graphql(`
  mutation SetMatchingPolicy($input: MatchingPolicyInput!) {
    setMatchingPolicy(input: $input) {
      version
    }
  }
`);

const STATUSES: ProgramStatus[] = ["DRAFT", "OPEN", "MATCHING", "RUNNING", "CLOSED"];
const CRITERIA = ["skills", "projects", "foundations", "maturity", "topics", "timezone", "language", "load"] as const;
type Weights = Record<(typeof CRITERIA)[number], number>;

const UNMATCHED: Record<string, string> = {
  NO_ALLOWED_PAIR: "no enrolled mentor is allowed",
  BELOW_MINIMUM_SCORE: "every allowed mentor scores below the minimum",
  MENTORS_FULL: "every suitable mentor is full",
};

export default function ProgramDetail() {
  const { id = "" } = useParams();
  const [{ data, fetching, error }, refetch] = useQuery({ query: ProgramDoc, variables: { id } });
  const [statusResult, setStatus] = useMutation(SetStatus);
  const reload = () => refetch({ requestPolicy: "network-only" });
  const program = data?.program;
  if (fetching && !data) return <Loading what="the program" />;
  if (!program) return <ErrorNote error={error} />;
  return (
    <section aria-labelledby="program-heading">
      <h1 id="program-heading">
        {program.name} <span className={`badge state-${program.status.toLowerCase()}`}>{program.status.toLowerCase()}</span>
      </h1>
      <p className="meta">
        {program.startsOn} to {program.endsOn} · {program.mentors.length} mentors and {program.mentees.length} mentees enrolled
      </p>
      {program.description && <p>{program.description}</p>}
      <details className="history">
        <summary>Who is enrolled</summary>
        <div className="side-by-side">
          <div>
            <h2>Mentors</h2>
            <ul>
              {program.mentors.map((p) => (
                <li key={p.id}>{p.displayName}</li>
              ))}
            </ul>
          </div>
          <div>
            <h2>Mentees</h2>
            <ul>
              {program.mentees.map((p) => (
                <li key={p.id}>{p.displayName}</li>
              ))}
            </ul>
          </div>
        </div>
      </details>
      <div className="actions" role="group" aria-label="Move the program">
        {STATUSES.filter((s) => s !== program.status).map((s) => (
          <button
            key={s}
            type="button"
            disabled={statusResult.fetching}
            onClick={async () => {
              await setStatus({ id: program.id, status: s });
              reload();
            }}
          >
            Move to {s.toLowerCase()}
          </button>
        ))}
      </div>
      <ErrorNote error={statusResult.error} />
      <Enroll programId={program.id} onEnrolled={reload} />
      <Cohort programId={program.id} onCommitted={reload} />
      {/* A new status starts a fresh policy form: a preview asked before a commit would re-run against the running program. */}
      <Policy key={program.status} programId={program.id} policy={program.policy} mentees={program.mentees} onSaved={reload} />
    </section>
  );
}

function Cohort({ programId, onCommitted }: { programId: string; onCommitted: () => void }) {
  const [strategy, setStrategy] = useState<MatchingStrategy>("OPTIMAL");
  const [result, run] = useMutation(RunCohort);
  const [other, runOther] = useMutation(RunCohort);
  const dry = async () => {
    const otherStrategy: MatchingStrategy = strategy === "OPTIMAL" ? "STABLE" : "OPTIMAL";
    await Promise.all([
      run({ input: { programId, strategy, dryRun: true } }),
      runOther({ input: { programId, strategy: otherStrategy, dryRun: true } }),
    ]);
  };
  const commit = async () => {
    if (!window.confirm("Propose every assignment to its mentor and start the program? This cannot be undone.")) return;
    const answer = await run({ input: { programId, strategy, dryRun: false } });
    if (!answer.error) onCommitted();
  };
  const shown = result.data?.runCohortMatching;
  const compared = other.data?.runCohortMatching;
  return (
    <section className="card" aria-labelledby="cohort-heading">
      <h2 id="cohort-heading">Cohort matching</h2>
      <label htmlFor="strategy">Strategy</label>
      <select id="strategy" value={strategy} onChange={(e) => setStrategy(e.target.value as MatchingStrategy)}>
        <option value="OPTIMAL">Optimal (highest total score)</option>
        <option value="STABLE">Stable (no pair would rather swap)</option>
      </select>
      <div className="actions">
        <button type="button" onClick={() => void dry()} disabled={result.fetching}>
          Dry run
        </button>
        <button type="button" className="primary" onClick={() => void commit()} disabled={result.fetching || !shown?.dryRun}>
          Commit
        </button>
      </div>
      <ErrorNote error={result.error ?? other.error} />
      {shown && <CohortResult result={shown} compared={compared} />}
    </section>
  );
}

function CohortResult({ result, compared }: { result: CohortFieldsFragment; compared?: CohortFieldsFragment }) {
  return (
    <div className="cohort" aria-live="polite">
      <p className="notice" role="status">
        {result.dryRun ? "Dry run" : "Committed"} ({result.strategy.toLowerCase()}): {result.assignments.length} assigned,{" "}
        {result.unmatched.length} unmatched, total score {result.objective.toFixed(1)}, {result.blockingPairs} blocking pairs.
        {compared &&
          ` The ${compared.strategy.toLowerCase()} strategy would assign ${compared.assignments.length} for a total of ${compared.objective.toFixed(1)} with ${compared.blockingPairs} blocking pairs.`}
      </p>
      <table>
        <caption>Assignments</caption>
        <thead>
          <tr>
            <th scope="col">Mentee</th>
            <th scope="col">Mentor</th>
            <th scope="col">Score</th>
          </tr>
        </thead>
        <tbody>
          {result.assignments.map((a) => (
            <tr key={a.mentee.id}>
              <td>{a.mentee.displayName}</td>
              <td>{a.mentor.displayName}</td>
              <td>{a.score.total.toFixed(1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {result.unmatched.length > 0 && (
        <>
          <h3>Unmatched</h3>
          <ul>
            {result.unmatched.map((u) => (
              <li key={u.mentee.id}>
                {u.mentee.displayName}: {UNMATCHED[u.reason] ?? u.reason.toLowerCase()}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function Policy({
  programId,
  policy,
  mentees,
  onSaved,
}: {
  programId: string;
  policy: { version: number; minScore: number; strategy: MatchingStrategy; proposalSlaHours: number; weights: Weights };
  mentees: { id: string; displayName: string }[];
  onSaved: () => void;
}) {
  const [weights, setWeights] = useState<Weights>(() => {
    const { skills, projects, foundations, maturity, topics, timezone, language, load } = policy.weights;
    return { skills, projects, foundations, maturity, topics, timezone, language, load };
  });
  const [minScore, setMinScore] = useState(String(policy.minScore));
  const [menteeId, setMenteeId] = useState(mentees[0]?.id ?? "");
  const [asked, setAsked] = useState(false);
  const input = { programId, weights, minScore: Number(minScore), strategy: policy.strategy, proposalSlaHours: policy.proposalSlaHours };
  const [preview] = useQuery({ query: Preview, variables: { input, menteeId: menteeId || null }, pause: !asked });
  const [saved, save] = useMutation(SavePolicy);
  const p = preview.data?.previewMatchingPolicy;
  return (
    <section className="card" aria-labelledby="policy-heading">
      <h2 id="policy-heading">Matching policy (version {policy.version})</h2>
      <div className="weights">
        {CRITERIA.map((c) => (
          <div key={c}>
            <label htmlFor={`weight-${c}`}>{label(CRITERION, c.toUpperCase())}</label>
            <input
              id={`weight-${c}`}
              type="number"
              min={0}
              max={1}
              step={0.05}
              value={weights[c]}
              onChange={(e) => {
                setWeights({ ...weights, [c]: Number(e.target.value) });
                setAsked(false);
              }}
            />
          </div>
        ))}
        <div>
          <label htmlFor="min-score">Minimum score</label>
          <input id="min-score" type="number" min={0} max={100} value={minScore} onChange={(e) => setMinScore(e.target.value)} />
        </div>
      </div>
      <label htmlFor="preview-mentee">Preview for mentee</label>
      <select id="preview-mentee" value={menteeId} onChange={(e) => setMenteeId(e.target.value)}>
        {mentees.map((m) => (
          <option key={m.id} value={m.id}>
            {m.displayName}
          </option>
        ))}
      </select>
      <div className="actions">
        <button type="button" onClick={() => setAsked(true)}>
          Preview
        </button>
        <button
          type="button"
          className="primary"
          disabled={saved.fetching}
          onClick={async () => {
            const answer = await save({ input });
            if (!answer.error) onSaved();
          }}
        >
          Save policy
        </button>
      </div>
      <ErrorNote error={preview.error ?? saved.error} />
      {saved.data && (
        <p className="notice" role="status">
          Saved as version {saved.data.setMatchingPolicy.version}.
        </p>
      )}
      {asked && preview.fetching && <Loading what="the preview" />}
      {p && (
        <div className="side-by-side">
          <div>
            <h3>Current policy</h3>
            <ol>
              {p.current.map((r) => (
                <li key={r.mentor.id}>
                  {r.mentor.displayName} ({r.score.total.toFixed(1)})
                </li>
              ))}
            </ol>
            {p.currentCohort && <CohortResult result={p.currentCohort} />}
          </div>
          <div>
            <h3>Candidate policy</h3>
            <ol>
              {p.candidate.map((r) => (
                <li key={r.mentor.id}>
                  {r.mentor.displayName} ({r.score.total.toFixed(1)})
                </li>
              ))}
            </ol>
            {p.candidateCohort && <CohortResult result={p.candidateCohort} />}
          </div>
        </div>
      )}
    </section>
  );
}
