import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { Empty, ErrorNote, Loading } from "../components/Status";
import { formatDate } from "../lib/time";

const PeopleDoc = graphql(`
  query OspoPeople($search: String) {
    people(search: $search, first: 20) {
      nodes {
        id
        displayName
        email
        department
        active
        deactivatedAt
        deactivationReason
        erasedAt
      }
    }
  }
`);

const Deactivate = graphql(`
  mutation DeactivatePerson($id: ID!, $reason: String!) {
    deactivatePerson(id: $id, reason: $reason) {
      person {
        id
        active
        deactivatedAt
        deactivationReason
      }
      proposalsCancelled
      mentorshipsEnded
      requestsWithdrawn
    }
  }
`);

const Reactivate = graphql(`
  mutation ReactivatePerson($id: ID!) {
    reactivatePerson(id: $id) {
      id
      active
      deactivatedAt
    }
  }
`);

const Erase = graphql(`
  mutation ErasePerson($id: ID!) {
    erasePerson(id: $id) {
      id
      displayName
      email
      department
      erasedAt
    }
  }
`);

type Person = {
  id: string;
  displayName: string;
  email?: string | null;
  department?: string | null;
  active: boolean;
  deactivatedAt?: string | null;
  deactivationReason?: string | null;
  erasedAt?: string | null;
};

/** The OSPO's people: find someone, and deactivate, reactivate or erase them. */
export default function People() {
  const [typed, setTyped] = useState("");
  const [search, setSearch] = useState("");
  const [{ data, fetching, error }, refetch] = useQuery({ query: PeopleDoc, variables: { search: search || null } });
  const [done, setDone] = useState<string | null>(null);
  const find = (e: FormEvent) => {
    e.preventDefault();
    setSearch(typed.trim());
  };
  const changed = (what: string) => {
    setDone(what);
    refetch({ requestPolicy: "network-only" });
  };
  return (
    <section aria-labelledby="people-heading">
      <h1 id="people-heading">People</h1>
      <p className="meta">
        When someone leaves, deactivate them: they lose access at once, proposals to them go to the next mentor, their mentorships end
        early and their requests are withdrawn. Once deactivated, their personal data can be erased; the figures stay as they are.
      </p>
      <form className="inline-form" role="search" onSubmit={find}>
        <label htmlFor="people-search">Name, email or department</label>
        <input id="people-search" type="search" value={typed} onChange={(e) => setTyped(e.target.value)} />
        <button type="submit">Search</button>
      </form>
      {done && (
        <p className="notice" role="status">
          {done}
        </p>
      )}
      {fetching && !data && <Loading what="people" />}
      <ErrorNote error={error} />
      {data && data.people.nodes.length === 0 && <Empty>Nobody matches.</Empty>}
      <ul className="cards">
        {data?.people.nodes.map((p) => (
          <PersonCard key={p.id} person={p} onChanged={changed} />
        ))}
      </ul>
    </section>
  );
}

function PersonCard({ person, onChanged }: { person: Person; onChanged: (what: string) => void }) {
  const [deactivated, deactivate] = useMutation(Deactivate);
  const [reactivated, reactivate] = useMutation(Reactivate);
  const [erased, erase] = useMutation(Erase);
  const [reason, setReason] = useState("");
  const [confirming, setConfirming] = useState(false);
  const id = person.id;
  const leave = async (e: FormEvent) => {
    e.preventDefault();
    const answer = await deactivate({ id, reason: reason.trim() });
    const d = answer.data?.deactivatePerson;
    if (d) {
      onChanged(
        `${person.displayName} is deactivated: ${d.proposalsCancelled} proposal(s) passed on, ${d.mentorshipsEnded} mentorship(s) ended, ${d.requestsWithdrawn} request(s) withdrawn.`,
      );
    }
  };
  const back = async () => {
    const answer = await reactivate({ id });
    if (answer.data) onChanged(`${person.displayName} can sign in again.`);
  };
  const wipe = async () => {
    const answer = await erase({ id });
    if (answer.data) onChanged("Their personal data is erased.");
  };
  const problem = deactivated.error ?? reactivated.error ?? erased.error;
  return (
    <li className="card">
      <h2>
        {person.displayName}
        <span className={`badge ${person.active ? "state-active" : "state-closed"}`}>
          {person.erasedAt ? "erased" : person.active ? "active" : "deactivated"}
        </span>
      </h2>
      <p className="meta">{[person.email, person.department].filter(Boolean).join(" · ")}</p>
      {!person.active && person.deactivatedAt && (
        <p className="meta">
          Deactivated on {formatDate(person.deactivatedAt)}
          {person.deactivationReason ? `: ${person.deactivationReason}` : ""}.
        </p>
      )}
      <ErrorNote error={problem} />
      {person.active && (
        <form className="inline-form" onSubmit={leave}>
          <label htmlFor={`reason-${id}`}>Why they leave</label>
          <input id={`reason-${id}`} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="left the company" />
          <button type="submit" disabled={deactivated.fetching}>
            Deactivate
          </button>
        </form>
      )}
      {!person.active && !person.erasedAt && (
        <div className="actions">
          <button type="button" onClick={() => void back()} disabled={reactivated.fetching}>
            Reactivate
          </button>
          {confirming ? (
            <>
              <span>Erase {person.displayName}'s personal data for good?</span>
              <button type="button" className="danger" onClick={() => void wipe()} disabled={erased.fetching}>
                Yes, erase
              </button>
              <button type="button" onClick={() => setConfirming(false)}>
                Keep
              </button>
            </>
          ) : (
            <button type="button" onClick={() => setConfirming(true)}>
              Erase personal data
            </button>
          )}
        </div>
      )}
    </li>
  );
}
