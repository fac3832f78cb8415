import { useMemo, useState } from "react";
import { useQuery } from "urql";
import { graphql } from "../gql";
import type { DashboardQuery } from "../gql/graphql";
import { Chart } from "../components/Chart";
import { ErrorNote, Loading } from "../components/Status";
import { useSession } from "../auth/session";
import { downloadFile } from "../lib/download";
import { REQUEST_STATE, label } from "../lib/labels";

const DashboardDoc = graphql(`
  query Dashboard($programId: ID, $from: Date, $to: Date) {
    programs(first: 50) {
      nodes {
        id
        name
        status
      }
    }
    programMetrics(programId: $programId, from: $from, to: $to) {
      requestsByState {
        state
        count
      }
      timeToMatch {
        medianHours
        p90Hours
        count
      }
      proposals {
        made
        accepted
        declined
        expired
        acceptanceRate
      }
      mentorships {
        active
        completed
        endedEarly
        completionRate
      }
      mentors {
        capacity
        live
        active
        utilization
        idleMentors
        loadGini
      }
      levelProgression {
        advanced
        meanAdvance
      }
      satisfaction {
        meanRating
        ratings
        byMentor {
          meanRating
        }
        byMentee {
          meanRating
        }
      }
      checkIns {
        count
        minutes
      }
      demandSupply {
        kind
        slug
        name
        wanted
        offered
        shortfall
      }
      byMonth {
        month
        requests
        proposalsMade
        accepted
        declined
        expired
        acceptanceRate
        completed
        endedEarly
        completionRate
        meanRating
        checkIns
      }
    }
  }
`);

type Metrics = DashboardQuery["programMetrics"];

const percent = (v: number | null | undefined) => (v == null ? "–" : `${Math.round(v * 100)}%`);
const number = (v: number | null | undefined, digits = 1) => (v == null ? "–" : v.toFixed(digits));
const hours = (v: number | null | undefined) => (v == null ? "–" : v < 48 ? `${v.toFixed(1)} h` : `${(v / 24).toFixed(1)} days`);

export default function Dashboard() {
  const { session } = useSession();
  const [programId, setProgramId] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const variables = useMemo(() => ({ programId: programId || null, from: from || null, to: to || null }), [programId, from, to]);
  const [{ data, fetching, error }] = useQuery({ query: DashboardDoc, variables });
  const [exportProblem, setExportProblem] = useState<string | null>(null);
  const query = new URLSearchParams(Object.entries(variables).filter(([, v]) => v) as [string, string][]).toString();
  const download = async (what: "metrics" | "matches") => {
    if (!session) return;
    setExportProblem(await downloadFile(`/export/${what}.csv${query ? `?${query}` : ""}`, session.token, `${what}.csv`));
  };
  const m = data?.programMetrics;
  return (
    <section aria-labelledby="dashboard-heading">
      <h1 id="dashboard-heading">Mentoring figures</h1>
      <form className="card filters" onSubmit={(e) => e.preventDefault()}>
        <div>
          <label htmlFor="program">Program</label>
          <select id="program" value={programId} onChange={(e) => setProgramId(e.target.value)}>
            <option value="">All mentoring</option>
            {data?.programs.nodes.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} ({p.status.toLowerCase()})
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="from">From</label>
          <input id="from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div>
          <label htmlFor="to">To</label>
          <input id="to" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </div>
        <div className="exports">
          <button type="button" onClick={() => void download("metrics")}>
            Export figures (CSV)
          </button>
          <button type="button" onClick={() => void download("matches")}>
            Export matches (CSV)
          </button>
        </div>
      </form>
      {exportProblem && (
        <p className="error" role="alert">
          {exportProblem}
        </p>
      )}
      {fetching && !data && <Loading what="the figures" />}
      <ErrorNote error={error} />
      {m && <Figures m={m} />}
    </section>
  );
}

function Figures({ m }: { m: Metrics }) {
  const months = m.byMonth.map((x) => x.month);
  const trends = useMemo(
    () => ({
      volume: [
        { label: "Requests", values: m.byMonth.map((x) => x.requests), colour: "#2458a6" },
        { label: "Proposals", values: m.byMonth.map((x) => x.proposalsMade), colour: "#b3541e" },
        { label: "Accepted", values: m.byMonth.map((x) => x.accepted), colour: "#1b7f6b" },
      ],
      rates: [
        { label: "Acceptance", values: m.byMonth.map((x) => x.acceptanceRate ?? null), colour: "#1b7f6b" },
        { label: "Completion", values: m.byMonth.map((x) => x.completionRate ?? null), colour: "#7a4fb3" },
      ],
      rating: [{ label: "Mean rating", values: m.byMonth.map((x) => x.meanRating ?? null), colour: "#a3366b" }],
    }),
    [m.byMonth],
  );
  const gaps = useMemo(() => {
    const shortfalls = m.demandSupply.filter((d) => d.shortfall > 0).slice(0, 10);
    return {
      labels: shortfalls.map((d) => `${d.name} (${d.kind.toLowerCase()})`),
      series: [
        { label: "Wanted", values: shortfalls.map((d) => d.wanted), colour: "#b3541e" },
        { label: "Offered", values: shortfalls.map((d) => d.offered), colour: "#2458a6" },
      ],
    };
  }, [m.demandSupply]);
  const states = useMemo(
    () => ({
      labels: m.requestsByState.map((s) => label(REQUEST_STATE, s.state)),
      series: [{ label: "Requests", values: m.requestsByState.map((s) => s.count), colour: "#2458a6" }],
    }),
    [m.requestsByState],
  );
  return (
    <>
      <ul className="tiles" aria-label="Key figures">
        <Tile name="Median time to match" value={hours(m.timeToMatch.medianHours)} detail={`90th percentile ${hours(m.timeToMatch.p90Hours)}, ${m.timeToMatch.count} matched`} />
        <Tile name="Acceptance" value={percent(m.proposals.acceptanceRate)} detail={`${m.proposals.accepted} accepted, ${m.proposals.declined} declined, ${m.proposals.expired} expired of ${m.proposals.made}`} />
        <Tile name="Completion" value={percent(m.mentorships.completionRate)} detail={`${m.mentorships.completed} completed, ${m.mentorships.endedEarly} ended early, ${m.mentorships.active} active`} />
        <Tile name="Mentor utilization" value={percent(m.mentors.utilization)} detail={`${m.mentors.active} of ${m.mentors.capacity} seats; ${m.mentors.idleMentors} idle mentors`} />
        <Tile name="Load spread (Gini)" value={number(m.mentors.loadGini, 2)} detail="0 is perfectly even; 1 is all on one mentor" />
        <Tile name="Satisfaction" value={m.satisfaction.meanRating == null ? "–" : `${number(m.satisfaction.meanRating)} / 5`} detail={`${m.satisfaction.ratings} ratings; mentors ${number(m.satisfaction.byMentor.meanRating)}, mentees ${number(m.satisfaction.byMentee.meanRating)}`} />
        <Tile name="Levels gained" value={String(m.levelProgression.advanced)} detail={`mean advance ${number(m.levelProgression.meanAdvance)} levels`} />
        <Tile name="Check-ins" value={String(m.checkIns.count)} detail={`${Math.round(m.checkIns.minutes / 60)} hours of mentoring`} />
      </ul>
      <div className="charts">
        <Chart kind="bar" title="Requests by state" labels={states.labels} series={states.series} />
        <Chart kind="bar" title="Largest shortfalls: wanted versus offered" labels={gaps.labels} series={gaps.series} horizontal />
        <Chart kind="line" title="Requests, proposals and acceptances by month" labels={months} series={trends.volume} />
        <Chart kind="line" title="Acceptance and completion rates by month" labels={months} series={trends.rates} percent />
        <Chart kind="line" title="Mean rating by month" labels={months} series={trends.rating} />
      </div>
    </>
  );
}

function Tile({ name, value, detail }: { name: string; value: string; detail: string }) {
  return (
    <li className="tile">
      <span className="tile-name">{name}</span>
      <span className="tile-value">{value}</span>
      <span className="tile-detail">{detail}</span>
    </li>
  );
}
