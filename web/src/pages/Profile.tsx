import { cloneElement, useEffect, useMemo, useState, type FormEvent } from "react";
import { useClient, useMutation, useQuery, type CombinedError } from "urql";
import { graphql } from "../gql";
import type { FoundationRole, MentoringTopic, ProfileQuery, ProjectRole } from "../gql/graphql";
import { Picker, type Item } from "../components/Picker";
import { ErrorNote, Loading } from "../components/Status";
import { placeErrors } from "../lib/fields";
import { readAll, type Page } from "../lib/pages";
import { TOPIC } from "../lib/labels";
import { useSession } from "../auth/session";
import { downloadFile } from "../lib/download";

const ProfileQueryDoc = graphql(`
  query Profile {
    me {
      id
      displayName
      department
      timezone
      languages
      osmmLevel
      mentorProfile {
        capacity
        accepting
        bio
        topics
        skills {
          proficiency
          skill {
            slug
          }
        }
        projects {
          role
          project {
            slug
          }
        }
        foundations {
          role
          foundation {
            slug
          }
        }
      }
      menteeProfile {
        targetLevel
        topics
        maxTimezoneDiffHours
        languages
        skills {
          priority
          skill {
            slug
          }
        }
        projects {
          slug
        }
        foundations {
          slug
        }
      }
    }
  }
`);

// One document per catalog, read a page at a time: together, or in one
// page of everything, they would pass the query complexity limit.
const SkillsPage = graphql(`
  query SkillCatalogPage($after: String) {
    skills(first: 100, after: $after) {
      nodes {
        slug
        name
        category
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const ProjectsPage = graphql(`
  query ProjectCatalogPage($after: String) {
    projects(first: 100, after: $after) {
      nodes {
        slug
        name
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const FoundationsPage = graphql(`
  query FoundationCatalogPage($after: String) {
    foundations(first: 100, after: $after) {
      nodes {
        slug
        name
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

type CatalogPage = Page<{ slug: string; name: string; category?: string | null }>;

/** Every page of the three catalogs. */
function useCatalogs(): { items: Catalogs; error: CombinedError | null } {
  const client = useClient();
  const [items, setItems] = useState<Catalogs>({ skills: [], projects: [], foundations: [] });
  const [error, setError] = useState<CombinedError | null>(null);
  useEffect(() => {
    let live = true;
    const all = async (read: (after: string | null) => Promise<CatalogPage | undefined>): Promise<Item[]> =>
      (await readAll(read)).map((n) => ({ slug: n.slug, name: n.name, group: n.category }));
    const fail = (e: CombinedError | undefined) => {
      if (e && live) setError(e);
    };
    (async () => {
      const [skills, projects, foundations] = await Promise.all([
        all(async (after) => {
          const r = await client.query(SkillsPage, { after }).toPromise();
          fail(r.error);
          return r.data?.skills;
        }),
        all(async (after) => {
          const r = await client.query(ProjectsPage, { after }).toPromise();
          fail(r.error);
          return r.data?.projects;
        }),
        all(async (after) => {
          const r = await client.query(FoundationsPage, { after }).toPromise();
          fail(r.error);
          return r.data?.foundations;
        }),
      ]);
      if (live) setItems({ skills, projects, foundations });
    })();
    return () => {
      live = false;
    };
  }, [client]);
  return { items, error };
}

const UpdateMe = graphql(`
  mutation UpdateMyProfile($input: ProfileInput!) {
    updateMyProfile(input: $input) {
      id
      displayName
      department
      timezone
      languages
      osmmLevel
    }
  }
`);

const SetMentee = graphql(`
  mutation SetMenteeProfile($input: MenteeProfileInput!) {
    setMenteeProfile(input: $input) {
      id
    }
  }
`);

const SetMentor = graphql(`
  mutation SetMentorProfile($input: MentorProfileInput!) {
    setMentorProfile(input: $input) {
      id
    }
  }
`);

type Me = ProfileQuery["me"];

const LEVELS = [
  { value: "1", label: "1: uses open source" },
  { value: "2", label: "2: contributes fixes" },
  { value: "3", label: "3: contributes regularly" },
  { value: "4", label: "4: leads in a project" },
  { value: "5", label: "5: shapes open-source strategy" },
];
const PROFICIENCY = [1, 2, 3, 4, 5].map((n) => ({ value: String(n), label: `proficiency ${n}` }));
const PRIORITY = [
  { value: "1", label: "most wanted" },
  { value: "2", label: "wanted" },
  { value: "3", label: "nice to have" },
];
const PROJECT_ROLES: ProjectRole[] = ["USER", "CONTRIBUTOR", "COMMITTER", "MAINTAINER", "LEAD"];
const FOUNDATION_ROLES: FoundationRole[] = [
  "MEMBER",
  "CONTRIBUTOR",
  "WORKING_GROUP_MEMBER",
  "WORKING_GROUP_CHAIR",
  "TSC_MEMBER",
  "BOARD_MEMBER",
];
const words = (value: string) => value.charAt(0) + value.slice(1).toLowerCase().replace(/_/g, " ");
const roleGrades = (roles: string[]) => roles.map((r) => ({ value: r, label: words(r) }));
const TOPICS: Item[] = Object.entries(TOPIC).map(([slug, name]) => ({ slug, name }));

function zones(): string[] {
  const supported = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf;
  return supported ? supported("timeZone") : ["UTC"];
}

export function Profile() {
  const [{ data, fetching, error }] = useQuery({ query: ProfileQueryDoc });
  const { items, error: catalogError } = useCatalogs();
  return (
    <section aria-labelledby="profile-heading">
      <h1 id="profile-heading">My profile</h1>
      {fetching && !data && <Loading what="your profile" />}
      <ErrorNote error={error ?? catalogError} />
      {data && (
        <>
          <AboutMe me={data.me} />
          <MenteeForm me={data.me} items={items} />
          <MentorForm me={data.me} items={items} />
          <MyData />
        </>
      )}
    </section>
  );
}

/** Everything Tandem keeps about the caller, as the JSON the API gives. */
function MyData() {
  const { session } = useSession();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!session) return null;
  const download = async () => {
    setBusy(true);
    setProblem(await downloadFile("/me/export.json", session.token, "tandem-my-data.json"));
    setBusy(false);
  };
  return (
    <div className="card" aria-labelledby="data-heading">
      <h2 id="data-heading">Your data</h2>
      <p className="meta">
        Everything Tandem keeps about you: your profiles, requests, matches with their scores, the check-ins and milestones of your
        mentorships, the feedback you gave, your notifications and what you did, as one JSON file.
      </p>
      <button type="button" onClick={() => void download()} disabled={busy}>
        Download my data
      </button>
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}

function Saved({ when }: { when: boolean }) {
  return when ? (
    <p className="notice" role="status">
      Saved.
    </p>
  ) : null;
}

function AboutMe({ me }: { me: Me }) {
  const [result, save] = useMutation(UpdateMe);
  const [name, setName] = useState(me.displayName);
  const [department, setDepartment] = useState(me.department ?? "");
  const [timezone, setTimezone] = useState(me.timezone ?? "");
  const [languages, setLanguages] = useState(me.languages.join(", "));
  const [level, setLevel] = useState(String(me.osmmLevel));
  const [saved, setSaved] = useState(false);
  const allZones = useMemo(() => zones(), []);
  const placed = placeErrors(result.error, ["displayName", "department", "timezone", "languages", "osmmLevel", "level"]);
  const on = (field: string) => (placed?.field === field || (field === "osmmLevel" && placed?.field === "level") ? placed.text : null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const answer = await save({
      input: {
        displayName: name.trim(),
        department: department.trim() || undefined,
        timezone: timezone || undefined,
        languages: languages.split(/[ ,]+/).filter(Boolean),
        osmmLevel: Number(level),
      },
    });
    setSaved(!answer.error);
  };
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="about-heading">
      <h2 id="about-heading">About me</h2>
      <Field id="name" label="Name" error={on("displayName")}>
        <input id="name" value={name} onChange={(e) => setName(e.target.value)} required />
      </Field>
      <Field id="department" label="Department" error={on("department")}>
        <input id="department" value={department} onChange={(e) => setDepartment(e.target.value)} />
      </Field>
      <Field id="timezone" label="Timezone" error={on("timezone")}>
        <select id="timezone" value={timezone} onChange={(e) => setTimezone(e.target.value)}>
          <option value="">Not set</option>
          {allZones.map((z) => (
            <option key={z} value={z}>
              {z.replace(/_/g, " ")}
            </option>
          ))}
        </select>
      </Field>
      <Field id="languages" label="Languages (codes such as en, de, pt-BR)" error={on("languages")}>
        <input id="languages" value={languages} onChange={(e) => setLanguages(e.target.value)} />
      </Field>
      <Field id="level" label="Open-source level" error={on("osmmLevel")}>
        <select id="level" value={level} onChange={(e) => setLevel(e.target.value)}>
          {LEVELS.map((l) => (
            <option key={l.value} value={l.value}>
              {l.label}
            </option>
          ))}
        </select>
      </Field>
      {result.error && !placed?.field && <ErrorNote error={result.error} />}
      <button type="submit" className="primary" disabled={result.fetching}>
        Save
      </button>
      <Saved when={saved} />
    </form>
  );
}

interface Catalogs {
  skills: Item[];
  projects: Item[];
  foundations: Item[];
}

function MenteeForm({ me, items }: { me: Me; items: Catalogs }) {
  const p = me.menteeProfile;
  const [result, save] = useMutation(SetMentee);
  const [target, setTarget] = useState(String(p?.targetLevel ?? Math.min(5, me.osmmLevel + 1)));
  const [skills, setSkills] = useState(new Map(p?.skills.map((s) => [s.skill.slug, String(s.priority)]) ?? []));
  const [projects, setProjects] = useState(new Map(p?.projects.map((x) => [x.slug, ""]) ?? []));
  const [foundations, setFoundations] = useState(new Map(p?.foundations.map((x) => [x.slug, ""]) ?? []));
  const [topics, setTopics] = useState(new Map(p?.topics.map((t) => [t as string, ""]) ?? []));
  const [maxDiff, setMaxDiff] = useState(p?.maxTimezoneDiffHours != null ? String(p.maxTimezoneDiffHours) : "");
  const [saved, setSaved] = useState(false);
  const placed = placeErrors(result.error, ["targetLevel", "skills", "projects", "foundations", "topics", "maxTimezoneDiffHours"]);
  const on = (field: string) => (placed?.field === field ? placed.text : null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const answer = await save({
      input: {
        targetLevel: Number(target),
        skills: [...skills].map(([skill, priority]) => ({ skill, priority: Number(priority) })),
        projects: [...projects.keys()],
        foundations: [...foundations.keys()],
        topics: [...topics.keys()] as MentoringTopic[],
        maxTimezoneDiffHours: maxDiff === "" ? undefined : Number(maxDiff),
      },
    });
    setSaved(!answer.error);
  };
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="mentee-heading">
      <h2 id="mentee-heading">As a mentee</h2>
      <p className="meta">What you want to learn; recommendations are scored against it.</p>
      <Field id="target" label="The level you are aiming for" error={on("targetLevel")}>
        <select id="target" value={target} onChange={(e) => setTarget(e.target.value)}>
          {LEVELS.map((l) => (
            <option key={l.value} value={l.value}>
              {l.label}
            </option>
          ))}
        </select>
      </Field>
      <Picker legend="Skills you want" items={items.skills} chosen={skills} onChange={setSkills} grades={PRIORITY} gradeLabel="Priority" error={on("skills")} />
      <Picker legend="Projects you want to contribute to" items={items.projects} chosen={projects} onChange={setProjects} error={on("projects")} />
      <Picker legend="Foundations you want to engage with" items={items.foundations} chosen={foundations} onChange={setFoundations} error={on("foundations")} />
      <Picker legend="Topics" items={TOPICS} chosen={topics} onChange={setTopics} error={on("topics")} />
      <Field id="maxdiff" label="Largest timezone difference you accept, in hours (optional)" error={on("maxTimezoneDiffHours")}>
        <input id="maxdiff" type="number" min={0} max={12} value={maxDiff} onChange={(e) => setMaxDiff(e.target.value)} />
      </Field>
      {result.error && !placed?.field && <ErrorNote error={result.error} />}
      <button type="submit" className="primary" disabled={result.fetching}>
        Save mentee profile
      </button>
      <Saved when={saved} />
    </form>
  );
}

function MentorForm({ me, items }: { me: Me; items: Catalogs }) {
  const p = me.mentorProfile;
  const [result, save] = useMutation(SetMentor);
  const [capacity, setCapacity] = useState(String(p?.capacity ?? 2));
  const [accepting, setAccepting] = useState(p?.accepting ?? true);
  const [bio, setBio] = useState(p?.bio ?? "");
  const [skills, setSkills] = useState(new Map(p?.skills.map((s) => [s.skill.slug, String(s.proficiency)]) ?? []));
  const [projects, setProjects] = useState(new Map(p?.projects.map((x) => [x.project.slug, x.role as string]) ?? []));
  const [foundations, setFoundations] = useState(new Map(p?.foundations.map((x) => [x.foundation.slug, x.role as string]) ?? []));
  const [topics, setTopics] = useState(new Map(p?.topics.map((t) => [t as string, ""]) ?? []));
  const [saved, setSaved] = useState(false);
  const placed = placeErrors(result.error, ["capacity", "skills", "projects", "foundations", "topics", "bio"]);
  const on = (field: string) => (placed?.field === field ? placed.text : null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const answer = await save({
      input: {
        capacity: Number(capacity),
        accepting,
        bio: bio.trim() || undefined,
        skills: [...skills].map(([skill, proficiency]) => ({ skill, proficiency: Number(proficiency) })),
        projects: [...projects].map(([project, role]) => ({ project, role: role as ProjectRole })),
        foundations: [...foundations].map(([foundation, role]) => ({ foundation, role: role as FoundationRole })),
        topics: [...topics.keys()] as MentoringTopic[],
      },
    });
    setSaved(!answer.error);
  };
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="mentor-heading">
      <h2 id="mentor-heading">As a mentor</h2>
      <p className="meta">{p ? `${p.capacity} seats; ${p.accepting ? "taking new mentees" : "not taking new mentees"}.` : "You are not a mentor yet. Fill this in to become one."}</p>
      <Field id="capacity" label="Mentees at once (1 to 10)" error={on("capacity")}>
        <input id="capacity" type="number" min={1} max={10} value={capacity} onChange={(e) => setCapacity(e.target.value)} />
      </Field>
      <div className="check">
        <input id="accepting" type="checkbox" checked={accepting} onChange={(e) => setAccepting(e.target.checked)} />
        <label htmlFor="accepting" className="inline">
          Taking new mentees
        </label>
      </div>
      <Picker legend="Skills you can teach" items={items.skills} chosen={skills} onChange={setSkills} grades={PROFICIENCY} gradeLabel="Proficiency" error={on("skills")} />
      <Picker legend="Projects you work on" items={items.projects} chosen={projects} onChange={setProjects} grades={roleGrades(PROJECT_ROLES)} gradeLabel="Role" error={on("projects")} />
      <Picker legend="Foundation ties" items={items.foundations} chosen={foundations} onChange={setFoundations} grades={roleGrades(FOUNDATION_ROLES)} gradeLabel="Role" error={on("foundations")} />
      <Picker legend="Topics you mentor on" items={TOPICS} chosen={topics} onChange={setTopics} error={on("topics")} />
      <Field id="bio" label="About you as a mentor (optional)" error={on("bio")}>
        <textarea id="bio" rows={3} value={bio} onChange={(e) => setBio(e.target.value)} />
      </Field>
      {result.error && !placed?.field && <ErrorNote error={result.error} />}
      <button type="submit" className="primary" disabled={result.fetching}>
        Save mentor profile
      </button>
      <Saved when={saved} />
    </form>
  );
}

function Field({
  id,
  label,
  error,
  children,
}: {
  id: string;
  label: string;
  error: string | null;
  children: React.ReactElement<Record<string, unknown>>;
}) {
  // The sentence sits under the control that caused it, tied to it for
  // screen readers.
  const control = error ? cloneElement(children, { "aria-invalid": true, "aria-describedby": `${id}-error` }) : children;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {control}
      {error && (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
