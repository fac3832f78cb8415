import { useEffect, useState } from "react";
import { useMutation, useQuery, useSubscription } from "urql";
import { graphql } from "../gql";
import type { MatchesQuery } from "../gql/graphql";
import { History } from "../components/History";
import { ScoreBar } from "../components/ScoreBar";
import { Empty, ErrorNote, Loading } from "../components/Status";
import { DECLINE_REASON, MATCH_STATE, label } from "../lib/labels";
import { formatDateTime, today } from "../lib/time";

const MatchesQueryDoc = graphql(`
  query Matches {
    me {
      id
      timezone
    }
    live: myMatches(states: [PROPOSED, ACTIVE], first: 10) {
      nodes {
        id
        state
        proposedAt
        expiresAt
        finishedAt
        declineReason
        endReason
        mentor {
          id
          displayName
        }
        mentee {
          id
          displayName
          osmmLevel
        }
        request {
          id
          goals
        }
        score {
          total
          components {
            criterion
            raw
            weight
            contribution
            explanation
          }
        }
        checkIns(first: 5) {
          nodes {
            id
            date
            minutes
            notes
            author {
              id
              displayName
            }
          }
        }
        history {
          at
          from
          to
          reason
          actor {
            id
            displayName
          }
        }
      }
    }
    past: myMatches(states: [COMPLETED, ENDED_EARLY, DECLINED, EXPIRED, CANCELLED], first: 10) {
      nodes {
        id
        state
        feedbackGiven
        proposedAt
        finishedAt
        declineReason
        endReason
        mentor {
          id
          displayName
        }
        mentee {
          id
          displayName
        }
        request {
          id
          goals
        }
      }
    }
  }
`);

const MatchEvents = graphql(`
  subscription MatchEvents {
    myMatchEvents {
      state
      match {
        id
        state
      }
    }
  }
`);

const Accept = graphql(`
  mutation AcceptProposal($matchId: ID!) {
    acceptProposal(matchId: $matchId) {
      id
      state
    }
  }
`);

const Decline = graphql(`
  mutation DeclineProposal($input: DeclineProposalInput!) {
    declineProposal(input: $input) {
      id
      state
    }
  }
`);

const CheckIn = graphql(`
  mutation LogCheckIn($input: CheckInInput!) {
    logCheckIn(input: $input) {
      id
    }
  }
`);

const Milestone = graphql(`
  mutation RecordMilestone($input: MilestoneInput!) {
    recordMilestone(input: $input) {
      id
      kind
      newLevel
    }
  }
`);

const MILESTONES: Record<string, string> = {
  FIRST_CONTRIBUTION: "First contribution",
  BECAME_COMMITTER: "Became a committer",
  BECAME_MAINTAINER: "Became a maintainer",
  TALK_GIVEN: "Gave a talk",
  EVENT_ORGANIZED: "Organized an event",
  PROJECT_LAUNCHED: "Launched a project",
  JOINED_WORKING_GROUP: "Joined a working group",
  LEVEL_UP: "Reached a new open-source level",
};

const Complete = graphql(`
  mutation CompleteMatch($input: CompleteMatchInput!) {
    completeMatch(input: $input) {
      id
      state
    }
  }
`);

const EndEarly = graphql(`
  mutation EndMatchEarly($input: EndMatchInput!) {
    endMatchEarly(input: $input) {
      id
      state
    }
  }
`);

const Feedback = graphql(`
  mutation GiveFeedback($input: FeedbackInput!) {
    giveFeedback(input: $input) {
      rating
    }
  }
`);

type Match = MatchesQuery["live"]["nodes"][number];
type PastMatch = MatchesQuery["past"]["nodes"][number];

export function Matches() {
  const [{ data, fetching, error }, refetch] = useQuery({ query: MatchesQueryDoc });
  const [event] = useSubscription({ query: MatchEvents });
  const latest = event.data?.myMatchEvents;
  // A proposal or an answer arrives live: read the list again.
  useEffect(() => {
    if (latest) refetch({ requestPolicy: "network-only" });
  }, [latest, refetch]);
  const reload = () => refetch({ requestPolicy: "network-only" });
  const me = data?.me;
  return (
    <section aria-labelledby="matches-heading">
      <h1 id="matches-heading">My mentorships</h1>
      <p className="live" role="status" aria-live="polite">
        {latest ? `Update: a mentorship is now ${label(MATCH_STATE, latest.state).toLowerCase()}.` : ""}
      </p>
      {fetching && !data && <Loading what="your mentorships" />}
      <ErrorNote error={error} />
      <h2>Under way</h2>
      {data && data.live.nodes.length === 0 && (
        <Empty>Nothing under way. Proposals for you as a mentor, and your own live mentorships, appear here.</Empty>
      )}
      <ul className="cards">
        {me &&
          data?.live.nodes.map((m) => (
            <li key={m.id} className="card">
              <MatchCard match={m} meId={me.id} timeZone={me.timezone} onChange={reload} />
            </li>
          ))}
      </ul>
      <h2>Earlier</h2>
      {data && data.past.nodes.length === 0 && <Empty>No earlier mentorships.</Empty>}
      <ul className="cards">
        {me &&
          data?.past.nodes.map((m) => (
            <li key={m.id} className="card">
              <PastCard match={m} meId={me.id} timeZone={me.timezone} />
            </li>
          ))}
      </ul>
    </section>
  );
}

function MatchCard({ match, meId, timeZone, onChange }: { match: Match; meId: string; timeZone?: string | null; onChange: () => void }) {
  const asMentor = match.mentor.id === meId;
  const other = asMentor ? match.mentee : match.mentor;
  return (
    <article aria-labelledby={`match-${match.id}`}>
      <h3 id={`match-${match.id}`}>
        {asMentor ? `Mentoring ${other.displayName}` : `Mentored by ${other.displayName}`}
        <span className={`badge state-${match.state.toLowerCase()}`}>{label(MATCH_STATE, match.state)}</span>
      </h3>
      <p className="goals">
        <strong>Goals:</strong> {match.request.goals}
      </p>
      <p className="meta">
        Proposed {formatDateTime(match.proposedAt, timeZone)}
        {match.state === "PROPOSED" && match.expiresAt && ` · answer due by ${formatDateTime(match.expiresAt, timeZone)}`}
        {match.finishedAt && ` · ended ${formatDateTime(match.finishedAt, timeZone)}`}
        {match.declineReason && ` · ${label(DECLINE_REASON, match.declineReason)}`}
        {match.endReason && ` · ${match.endReason}`}
      </p>
      {match.state === "PROPOSED" && asMentor && (
        <>
          <ScoreBar total={match.score.total} components={match.score.components} title={other.displayName} />
          <Answer matchId={match.id} onChange={onChange} />
        </>
      )}
      {match.state === "ACTIVE" && <Active match={match} timeZone={timeZone} onChange={onChange} />}
      {match.checkIns.nodes.length > 0 && (
        <>
          <h4>Check-ins</h4>
          <ul className="checkins">
            {match.checkIns.nodes.map((c) => (
              <li key={c.id}>
                {c.date}: {c.minutes} minutes with {c.author.displayName}
                {c.notes ? `: ${c.notes}` : ""}
              </li>
            ))}
          </ul>
        </>
      )}
      <History entries={match.history} timeZone={timeZone} />
    </article>
  );
}

function PastCard({ match, meId, timeZone }: { match: PastMatch; meId: string; timeZone?: string | null }) {
  const asMentor = match.mentor.id === meId;
  const other = asMentor ? match.mentee : match.mentor;
  return (
    <article aria-labelledby={`match-${match.id}`}>
      <h3 id={`match-${match.id}`}>
        {asMentor ? `Mentoring ${other.displayName}` : `Mentored by ${other.displayName}`}
        <span className={`badge state-${match.state.toLowerCase()}`}>{label(MATCH_STATE, match.state)}</span>
      </h3>
      <p className="goals">{match.request.goals}</p>
      <p className="meta">
        Proposed {formatDateTime(match.proposedAt, timeZone)}
        {match.finishedAt && ` · ended ${formatDateTime(match.finishedAt, timeZone)}`}
        {match.declineReason && ` · ${label(DECLINE_REASON, match.declineReason)}`}
        {match.endReason && ` · ${match.endReason}`}
      </p>
      {(match.state === "COMPLETED" || match.state === "ENDED_EARLY") &&
        (match.feedbackGiven ? <p className="meta">You gave your feedback. Thank you.</p> : <GiveFeedback matchId={match.id} />)}
    </article>
  );
}

function Answer({ matchId, onChange }: { matchId: string; onChange: () => void }) {
  const [accepted, accept] = useMutation(Accept);
  const [declined, decline] = useMutation(Decline);
  const [declining, setDeclining] = useState(false);
  const [reason, setReason] = useState("NO_TIME_NOW");
  const [message, setMessage] = useState("");
  const busy = accepted.fetching || declined.fetching;
  return (
    <div className="actions">
      {!declining ? (
        <>
          <button type="button" className="primary" disabled={busy} onClick={async () => { await accept({ matchId }); onChange(); }}>
            Accept
          </button>
          <button type="button" disabled={busy} onClick={() => setDeclining(true)}>
            Decline…
          </button>
        </>
      ) : (
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            await decline({ input: { matchId, reason: reason as never, message: message.trim() || undefined } });
            onChange();
          }}
        >
          <label htmlFor={`reason-${matchId}`}>Why are you declining?</label>
          <select id={`reason-${matchId}`} value={reason} onChange={(e) => setReason(e.target.value)}>
            {Object.entries(DECLINE_REASON).map(([value, text]) => (
              <option key={value} value={value}>
                {text}
              </option>
            ))}
          </select>
          <label htmlFor={`message-${matchId}`}>A message to the mentee (optional)</label>
          <textarea id={`message-${matchId}`} rows={2} value={message} onChange={(e) => setMessage(e.target.value)} />
          <button type="submit" className="primary" disabled={busy}>
            Decline
          </button>
          <button type="button" onClick={() => setDeclining(false)}>
            Cancel
          </button>
        </form>
      )}
      <ErrorNote error={accepted.error ?? declined.error} />
    </div>
  );
}

function Active({ match, timeZone, onChange }: { match: Match; timeZone?: string | null; onChange: () => void }) {
  const [logged, log] = useMutation(CheckIn);
  const [completed, complete] = useMutation(Complete);
  const [ended, end] = useMutation(EndEarly);
  const [date, setDate] = useState(() => today(timeZone));
  const [minutes, setMinutes] = useState("30");
  const [notes, setNotes] = useState("");
  const [endReason, setEndReason] = useState("");
  const id = match.id;
  return (
    <div className="active">
      <form
        className="inline-form"
        onSubmit={async (e) => {
          e.preventDefault();
          const result = await log({ input: { matchId: id, date, minutes: Number(minutes), notes: notes.trim() || undefined } });
          if (!result.error) {
            setNotes("");
            onChange();
          }
        }}
      >
        <h4>Log a check-in</h4>
        <label htmlFor={`date-${id}`}>Date</label>
        <input id={`date-${id}`} type="date" value={date} onChange={(e) => setDate(e.target.value)} required />
        <label htmlFor={`minutes-${id}`}>Minutes</label>
        <input id={`minutes-${id}`} type="number" min={1} max={600} value={minutes} onChange={(e) => setMinutes(e.target.value)} required />
        <label htmlFor={`notes-${id}`}>Notes (only the two of you see them)</label>
        <textarea id={`notes-${id}`} rows={2} value={notes} onChange={(e) => setNotes(e.target.value)} />
        <button type="submit" disabled={logged.fetching}>
          Log check-in
        </button>
        <ErrorNote error={logged.error} />
      </form>
      <RecordMilestone match={match} />
      <div className="actions">
        <button
          type="button"
          className="primary"
          disabled={completed.fetching}
          onClick={async () => {
            if (window.confirm("Mark this mentorship as completed?")) {
              await complete({ input: { matchId: id } });
              onChange();
            }
          }}
        >
          Complete
        </button>
        <label htmlFor={`end-${id}`}>Reason to end early</label>
        <input id={`end-${id}`} value={endReason} onChange={(e) => setEndReason(e.target.value)} />
        <button
          type="button"
          disabled={ended.fetching || !endReason.trim()}
          onClick={async () => {
            await end({ input: { matchId: id, reason: endReason.trim() } });
            onChange();
          }}
        >
          End early
        </button>
        <ErrorNote error={completed.error ?? ended.error} />
      </div>
    </div>
  );
}

function RecordMilestone({ match }: { match: Match }) {
  const [recorded, record] = useMutation(Milestone);
  const [kind, setKind] = useState("FIRST_CONTRIBUTION");
  const [level, setLevel] = useState(String(Math.min(5, match.mentee.osmmLevel + 1)));
  const [note, setNote] = useState("");
  const id = match.id;
  const made = recorded.data?.recordMilestone;
  return (
    <form
      className="inline-form"
      onSubmit={async (e) => {
        e.preventDefault();
        const answer = await record({
          input: {
            matchId: id,
            kind: kind as never,
            newLevel: kind === "LEVEL_UP" ? Number(level) : undefined,
            note: note.trim() || undefined,
          },
        });
        if (!answer.error) setNote("");
      }}
    >
      <h4>Record a milestone</h4>
      <label htmlFor={`kind-${id}`}>Milestone</label>
      <select id={`kind-${id}`} value={kind} onChange={(e) => setKind(e.target.value)}>
        {Object.entries(MILESTONES).map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
      {kind === "LEVEL_UP" && (
        <>
          <label htmlFor={`level-${id}`}>New level</label>
          <select id={`level-${id}`} value={level} onChange={(e) => setLevel(e.target.value)}>
            {[2, 3, 4, 5].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </>
      )}
      <label htmlFor={`mnote-${id}`}>Note (optional)</label>
      <input id={`mnote-${id}`} value={note} onChange={(e) => setNote(e.target.value)} />
      <button type="submit" disabled={recorded.fetching}>
        Record milestone
      </button>
      <ErrorNote error={recorded.error} />
      {made && (
        <p className="notice" role="status">
          Recorded: {MILESTONES[made.kind] ?? made.kind}
          {made.newLevel ? ` (level ${made.newLevel})` : ""}.
        </p>
      )}
    </form>
  );
}

function GiveFeedback({ matchId }: { matchId: string }) {
  const [given, give] = useMutation(Feedback);
  const [rating, setRating] = useState("5");
  const [comment, setComment] = useState("");
  if (given.data) {
    return (
      <p className="notice" role="status">
        Thank you for your feedback.
      </p>
    );
  }
  return (
    <details className="feedback">
      <summary>Give feedback</summary>
    <form
      className="inline-form"
      onSubmit={async (e) => {
        e.preventDefault();
        await give({ input: { matchId, rating: Number(rating), comment: comment.trim() || undefined } });
      }}
    >
      <label htmlFor={`rating-${matchId}`}>Rating (1 to 5)</label>
      <select id={`rating-${matchId}`} value={rating} onChange={(e) => setRating(e.target.value)}>
        {[5, 4, 3, 2, 1].map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
      <label htmlFor={`comment-${matchId}`}>Comment (optional)</label>
      <textarea id={`comment-${matchId}`} rows={2} value={comment} onChange={(e) => setComment(e.target.value)} />
      <button type="submit" disabled={given.fetching}>
        Send feedback
      </button>
      <ErrorNote error={given.error} />
    </form>
    </details>
  );
}
