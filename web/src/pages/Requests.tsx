import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { History } from "../components/History";
import { Empty, ErrorNote, Loading } from "../components/Status";
import { REQUEST_STATE, MATCH_STATE, label } from "../lib/labels";
import { formatDateTime } from "../lib/time";

const MyRequestsQuery = graphql(`
  query MyRequests {
    me {
      id
      timezone
    }
    myRequests(first: 20) {
      nodes {
        id
        state
        goals
        createdAt
        preferredMentor {
          id
          displayName
        }
        currentMatch {
          id
          state
          expiresAt
          mentor {
            id
            displayName
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
  }
`);

const Withdraw = graphql(`
  mutation WithdrawRequest($id: ID!) {
    withdrawRequest(id: $id) {
      id
      state
    }
  }
`);

export function Requests() {
  const [{ data, fetching, error }, refetch] = useQuery({ query: MyRequestsQuery });
  const [withdrawn, withdraw] = useMutation(Withdraw);
  const tz = data?.me.timezone;
  return (
    <section aria-labelledby="requests-heading">
      <h1 id="requests-heading">My requests</h1>
      {fetching && !data && <Loading what="your requests" />}
      <ErrorNote error={error} />
      <ErrorNote error={withdrawn.error} />
      {data && data.myRequests.nodes.length === 0 && <Empty>You have not asked for a mentor yet.</Empty>}
      <ul className="cards">
        {data?.myRequests.nodes.map((r) => (
          <li key={r.id} className="card">
            <h2 className="state">{label(REQUEST_STATE, r.state)}</h2>
            <p>{r.goals}</p>
            <p className="meta">
              Asked {formatDateTime(r.createdAt, tz)}
              {r.preferredMentor && ` · preferred mentor ${r.preferredMentor.displayName}`}
            </p>
            {r.currentMatch && (
              <p>
                {r.currentMatch.mentor.displayName}: {label(MATCH_STATE, r.currentMatch.state)}
                {r.currentMatch.state === "PROPOSED" && r.currentMatch.expiresAt &&
                  `, answer due by ${formatDateTime(r.currentMatch.expiresAt, tz)}`}
              </p>
            )}
            <History entries={r.history} timeZone={tz} />
            {(r.state === "OPEN" || r.state === "PROPOSED") && (
              <button
                type="button"
                onClick={async () => {
                  if (window.confirm("Withdraw this request?")) {
                    await withdraw({ id: r.id });
                    refetch({ requestPolicy: "network-only" });
                  }
                }}
              >
                Withdraw
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
