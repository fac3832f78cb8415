import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { Empty, ErrorNote, Loading } from "../components/Status";
import { Import } from "./Import";

const ProgramsDoc = graphql(`
  query Programs {
    programs(first: 50) {
      nodes {
        id
        name
        status
        startsOn
        endsOn
        description
      }
    }
  }
`);

const CreateProgram = graphql(`
  mutation CreateProgram($input: ProgramInput!) {
    createProgram(input: $input) {
      id
      name
    }
  }
`);

export default function Programs() {
  const [{ data, fetching, error }, refetch] = useQuery({ query: ProgramsDoc });
  const [created, create] = useMutation(CreateProgram);
  const [name, setName] = useState("");
  const [startsOn, setStartsOn] = useState("");
  const [endsOn, setEndsOn] = useState("");
  const [description, setDescription] = useState("");
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const answer = await create({ input: { name: name.trim(), startsOn, endsOn, description: description.trim() || undefined } });
    if (!answer.error) {
      setName("");
      setDescription("");
      refetch({ requestPolicy: "network-only" });
    }
  };
  return (
    <section aria-labelledby="programs-heading">
      <h1 id="programs-heading">Programs</h1>
      {fetching && !data && <Loading what="the programs" />}
      <ErrorNote error={error} />
      {data && data.programs.nodes.length === 0 && <Empty>No programs yet.</Empty>}
      <ul className="cards">
        {data?.programs.nodes.map((p) => (
          <li key={p.id} className="card">
            <h2>
              <Link to={`/ospo/programs/${p.id}`}>{p.name}</Link>
              <span className={`badge state-${p.status.toLowerCase()}`}>{p.status.toLowerCase()}</span>
            </h2>
            <p className="meta">
              {p.startsOn} to {p.endsOn}
            </p>
            {p.description && <p>{p.description}</p>}
          </li>
        ))}
      </ul>
      <form className="card" onSubmit={submit} aria-labelledby="new-program">
        <h2 id="new-program">New program</h2>
        <label htmlFor="program-name">Name</label>
        <input id="program-name" value={name} onChange={(e) => setName(e.target.value)} required />
        <label htmlFor="program-start">Starts on</label>
        <input id="program-start" type="date" value={startsOn} onChange={(e) => setStartsOn(e.target.value)} required />
        <label htmlFor="program-end">Ends on</label>
        <input id="program-end" type="date" value={endsOn} onChange={(e) => setEndsOn(e.target.value)} required />
        <label htmlFor="program-description">Description (optional)</label>
        <textarea id="program-description" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
        <button type="submit" className="primary" disabled={created.fetching}>
          Create program
        </button>
        <ErrorNote error={created.error} />
      </form>
      <Import />
    </section>
  );
}
