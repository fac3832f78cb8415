import { useEffect, useState } from "react";
import { useSession } from "./session";
import { userManager, type OidcSettings } from "./oidc";

interface AppConfig {
  demo: boolean;
  oidc: OidcSettings | null;
}

interface DemoToken {
  role: string;
  name: string;
  token: string;
}

const ROLE_WORDS: Record<string, string> = {
  mentee: "Mentee",
  mentor: "Mentor",
  ospo: "OSPO admin",
};

/** The sign-in page: the SSO button, or in the demo the demo people. */
export function SignIn() {
  const { signIn, ended } = useSession();
  const [config, setConfig] = useState<AppConfig | null>(null);
  const [demo, setDemo] = useState<DemoToken[]>([]);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const answer = await fetch("/app/config.json");
        const config = (await answer.json()) as AppConfig;
        if (!live) return;
        setConfig(config);
        if (config.demo) {
          const tokens = await fetch(`/app/demo-tokens${window.location.search.includes("ttl=") ? window.location.search : ""}`);
          if (live && tokens.ok) setDemo((await tokens.json()) as DemoToken[]);
        }
      } catch {
        if (live) setProblem("Tandem cannot be reached. Check your connection and reload the page.");
      }
    })();
    return () => {
      live = false;
    };
  }, []);

  const sso = async () => {
    if (!config?.oidc) return;
    try {
      await userManager(config.oidc).signinRedirect({
        state: { returnTo: window.location.pathname + window.location.search },
      });
    } catch {
      setProblem("The sign-in service cannot be reached. Please try again in a moment.");
    }
  };

  return (
    <main id="main" className="signin">
      <h1>Sign in to Tandem</h1>
      {ended === "expired" && (
        <p className="notice" role="status">
          Your session has ended. Sign in again to carry on where you were.
        </p>
      )}
      {ended === "signed-out" && (
        <p className="notice" role="status">
          You have signed out.
        </p>
      )}
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      {config === null && !problem && <p role="status">Loading…</p>}
      {config?.oidc && (
        <button type="button" className="primary" onClick={sso}>
          Sign in with your company account
        </button>
      )}
      {config?.demo && (
        <section aria-labelledby="demo-heading">
          <h2 id="demo-heading">Demo: sign in as</h2>
          <ul className="demo-people">
            {demo.map((person) => (
              <li key={person.role}>
                <button type="button" className="primary" onClick={() => signIn(person.token)}>
                  {person.name} <span className="role">({ROLE_WORDS[person.role] ?? person.role})</span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      {config && !config.demo && !config.oidc && (
        <p>
          This Tandem has no sign-in configured for its web app. Ask your administrator to set TANDEM_OIDC_ISSUER
          and TANDEM_OIDC_CLIENT_ID.
        </p>
      )}
    </main>
  );
}

/** `/signin/callback`: finishes the SSO sign-in and returns to the page the person was on. */
export function SignInCallback() {
  const { signIn, renew, signOut } = useSession();
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    (async () => {
      try {
        const config = (await (await fetch("/app/config.json")).json()) as AppConfig;
        if (!config.oidc) throw new Error("no SSO");
        const manager = userManager(config.oidc);
        const user = await manager.signinRedirectCallback();
        manager.events.addUserLoaded((renewed) => renew(renewed.access_token));
        manager.events.addAccessTokenExpired(() => signOut("expired"));
        signIn(user.access_token);
        const returnTo = (user.state as { returnTo?: string } | undefined)?.returnTo ?? "/";
        window.history.replaceState(null, "", returnTo.startsWith("/signin") ? "/" : returnTo);
        window.dispatchEvent(new PopStateEvent("popstate"));
      } catch {
        setProblem("Signing in did not complete. Please try again.");
      }
    })();
  }, [signIn, renew, signOut]);
  return (
    <main id="main" className="signin">
      {problem ? (
        <p className="error" role="alert">
          {problem} <a href="/">Back to sign in</a>
        </p>
      ) : (
        <p role="status">Signing you in…</p>
      )}
    </main>
  );
}
