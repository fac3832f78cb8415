import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import type { MatchRole } from "../gql/graphql";
import { Empty, ErrorNote } from "../components/Status";

const PeopleSearch = graphql(`
  query PeopleSearch($search: String!) {
    people(search: $search, first: 10) {
      nodes {
        id
        displayName
        email
        department
      }
    }
  }
`);

const EnrollDoc = graphql(`
  mutation Enroll($input: EnrollInput!) {
    enroll(input: $input) {
      id
    }
  }
`);

/** Finds people by name, email or department and enrolls the picked ones. */
export function Enroll({ programId, onEnrolled }: { programId: string; onEnrolled: () => void }) {
  const [search, setSearch] = useState("");
  const [asked, setAsked] = useState("");
  const [picked, setPicked] = useState<Map<string, string>>(new Map());
  const [role, setRole] = useState<MatchRole>("MENTEE");
  const [found] = useQuery({ query: PeopleSearch, variables: { search: asked }, pause: asked.length < 2 });
  const [enrolled, enroll] = useMutation(EnrollDoc);
  const [done, setDone] = useState<string | null>(null);
  return (
    <section className="card" aria-labelledby="enroll-heading">
      <h2 id="enroll-heading">Enroll people</h2>
      <form
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setAsked(search.trim());
        }}
      >
        <label htmlFor="people-search">Name, email or department</label>
        <input id="people-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        <button type="submit">Search</button>
      </form>
      <ErrorNote error={found.error} />
      {found.data && found.data.people.nodes.length === 0 && <Empty>Nobody matches “{asked}”.</Empty>}
      <ul className="people">
        {found.data?.people.nodes.map((p) => (
          <li key={p.id}>
            <input
              type="checkbox"
              id={`pick-${p.id}`}
              checked={picked.has(p.id)}
              onChange={(e) => {
                const next = new Map(picked);
                if (e.target.checked) next.set(p.id, p.displayName);
                else next.delete(p.id);
                setPicked(next);
              }}
            />
            <label htmlFor={`pick-${p.id}`} className="inline">
              {p.displayName}
              <span className="meta">
                {" "}
                · {[p.email, p.department].filter(Boolean).join(" · ")}
              </span>
            </label>
          </li>
        ))}
      </ul>
      {picked.size > 0 && (
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            const answer = await enroll({ input: { programId, personIds: [...picked.keys()], role } });
            if (!answer.error) {
              setDone(`Enrolled ${[...picked.values()].join(", ")} as ${role === "MENTOR" ? "mentors" : "mentees"}.`);
              setPicked(new Map());
              onEnrolled();
            }
          }}
        >
          <label htmlFor="enroll-role">Enroll the {picked.size} picked as</label>
          <select id="enroll-role" value={role} onChange={(e) => setRole(e.target.value as MatchRole)}>
            <option value="MENTEE">Mentees</option>
            <option value="MENTOR">Mentors</option>
          </select>
          <button type="submit" className="primary" disabled={enrolled.fetching}>
            Enroll
          </button>
        </form>
      )}
      <ErrorNote error={enrolled.error} />
      {done && (
        <p className="notice" role="status">
          {done}
        </p>
      )}
    </section>
  );
}
