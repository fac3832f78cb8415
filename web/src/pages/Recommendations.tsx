import { useState } from "react";
import { Link } from "react-router";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { ScoreBar } from "../components/ScoreBar";
import { Empty, ErrorNote, Loading } from "../components/Status";

const RecommendationsQuery = graphql(`
  query Recommendations {
    me {
      id
      menteeProfile {
        targetLevel
      }
    }
    recommendations(first: 10) {
      mentor {
        id
        displayName
        department
        osmmLevel
        mentorProfile {
          capacity
          liveCount
          bio
        }
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
    }
  }
`);

const RequestMentorship = graphql(`
  mutation RequestMentorship($input: RequestMentorshipInput!) {
    requestMentorship(input: $input) {
      id
      state
      currentMatch {
        id
        mentor {
          id
          displayName
        }
      }
    }
  }
`);

export function Recommendations() {
  const [{ data, fetching, error }] = useQuery({ query: RecommendationsQuery });
  const [sent, request] = useMutation(RequestMentorship);
  const [goals, setGoals] = useState("");
  const [goalsProblem, setGoalsProblem] = useState<string | null>(null);

  const ask = async (preferredMentorId?: string) => {
    if (!goals.trim()) {
      setGoalsProblem("Say what you would like to learn, so your mentor can prepare.");
      document.getElementById("goals")?.focus();
      return;
    }
    setGoalsProblem(null);
    await request({ input: { goals: goals.trim(), preferredMentorId } });
  };

  const made = sent.data?.requestMentorship;
  const recommendations = data?.recommendations ?? [];
  // Without a mentee profile there is nothing to score against; say so
  // instead of showing the API's refusal.
  const noProfile = data?.me && !data.me.menteeProfile;
  return (
    <section aria-labelledby="recommendations-heading">
      <h1 id="recommendations-heading">Find a mentor</h1>
      {made ? (
        <p className="notice" role="status">
          {made.currentMatch
            ? `Your request went to ${made.currentMatch.mentor.displayName}. You will hear when they answer.`
            : "Your request is waiting for a mentor with a free seat. You will hear when one is proposed."}{" "}
          <Link to="/requests">See my requests</Link>
        </p>
      ) : (
        <form className="card" onSubmit={(e) => { e.preventDefault(); void ask(); }} noValidate>
          <label htmlFor="goals">What would you like to learn?</label>
          <textarea
            id="goals"
            rows={3}
            value={goals}
            onChange={(e) => setGoals(e.target.value)}
            aria-invalid={goalsProblem ? true : undefined}
            aria-describedby={goalsProblem ? "goals-problem" : undefined}
          />
          {goalsProblem && (
            <p id="goals-problem" className="field-error">
              {goalsProblem}
            </p>
          )}
          <button type="submit" className="primary" disabled={sent.fetching}>
            Request the best match
          </button>
          <ErrorNote error={sent.error} />
        </form>
      )}
      <h2>Recommended mentors</h2>
      {fetching && !data && <Loading what="recommendations" />}
      {noProfile ? (
        <Empty>Recommendations need your mentee profile: what you want to learn, and your target level.</Empty>
      ) : (
        <ErrorNote error={error} />
      )}
      {data && !noProfile && !error && recommendations.length === 0 && (
        <Empty>No mentor is eligible for you right now. Complete your mentee profile, or ask again later.</Empty>
      )}
      <ol className="recommendations">
        {recommendations.map((r) => (
          <li key={r.mentor.id} className="card">
            <h3>{r.mentor.displayName}</h3>
            <p className="meta">
              {r.mentor.department ?? "No department"} · open-source level {r.mentor.osmmLevel}
              {r.mentor.mentorProfile &&
                ` · ${r.mentor.mentorProfile.capacity - r.mentor.mentorProfile.liveCount} of ${r.mentor.mentorProfile.capacity} seats free`}
            </p>
            {r.mentor.mentorProfile?.bio && <p>{r.mentor.mentorProfile.bio}</p>}
            <ScoreBar total={r.score.total} components={r.score.components} title={r.mentor.displayName} />
            {!made && (
              <button type="button" onClick={() => void ask(r.mentor.id)} disabled={sent.fetching}>
                Request {r.mentor.displayName}
              </button>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
