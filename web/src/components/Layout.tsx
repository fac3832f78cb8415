import { NavLink, Outlet, useLocation } from "react-router";
import { useSession } from "../auth/session";
import { Boundary } from "./Boundary";

export function Layout() {
  const { session, signOut } = useSession();
  const location = useLocation();
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Tandem</span>
        <nav aria-label="Main">
          <NavLink to="/recommendations">Find a mentor</NavLink>
          <NavLink to="/requests">My requests</NavLink>
          <NavLink to="/matches">My mentorships</NavLink>
          <NavLink to="/profile">My profile</NavLink>
          {session?.isOspo && <NavLink to="/ospo/programs">Programs</NavLink>}
          {session?.isOspo && <NavLink to="/ospo/figures">Figures</NavLink>}
          {session?.isOspo && <NavLink to="/ospo/people">People</NavLink>}
        </nav>
        <div className="who">
          <span>{session?.claims.name ?? session?.claims.sub}</span>
          <button type="button" className="link" onClick={() => signOut("signed-out")}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Boundary key={location.pathname}>
          <Outlet />
        </Boundary>
      </main>
    </>
  );
}
