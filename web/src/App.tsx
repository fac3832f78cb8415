import { lazy, Suspense, useMemo, type ReactNode } from "react";
import { BrowserRouter, Navigate, Route, Routes } from "react-router";
import { Provider } from "urql";
import { makeClient } from "./api/client";
import { SessionProvider, useSession } from "./auth/session";
import { SignIn, SignInCallback } from "./auth/SignIn";
import { Layout } from "./components/Layout";
import { Matches } from "./pages/Matches";
import { Profile } from "./pages/Profile";
import { Recommendations } from "./pages/Recommendations";
import { Requests } from "./pages/Requests";
import { Loading } from "./components/Status";

// The OSPO's pages load on first use, keeping the first download small.
const Dashboard = lazy(() => import("./ospo/Dashboard"));
const Programs = lazy(() => import("./ospo/Programs"));
const ProgramDetail = lazy(() => import("./ospo/ProgramDetail"));
const People = lazy(() => import("./ospo/People"));

// The server answers these paths' first segments with the app's page
// (`APP_ROUTES` in api/src/http/ui.rs): keep the two lists together.
export function App() {
  return (
    <SessionProvider>
      <BrowserRouter>
        <Signed />
      </BrowserRouter>
    </SessionProvider>
  );
}

/** Without a session every path shows the sign-in page in place, so signing
 * in again lands on the page the person was on. */
function Signed() {
  const { session, signOut } = useSession();
  const token = session?.token;
  const client = useMemo(() => (token ? makeClient(token, () => signOut("expired")) : null), [token, signOut]);
  if (window.location.pathname === "/signin/callback") return <SignInCallback />;
  if (!client) return <SignIn />;
  return (
    <Provider value={client}>
      <Routes>
        <Route element={<Layout />}>
          <Route index element={<Navigate to="/recommendations" replace />} />
          <Route path="recommendations" element={<Recommendations />} />
          <Route path="requests" element={<Requests />} />
          <Route path="matches" element={<Matches />} />
          <Route path="profile" element={<Profile />} />
          <Route path="ospo/figures" element={<Ospo><Dashboard /></Ospo>} />
          <Route path="ospo/programs" element={<Ospo><Programs /></Ospo>} />
          <Route path="ospo/programs/:id" element={<Ospo><ProgramDetail /></Ospo>} />
          <Route path="ospo/people" element={<Ospo><People /></Ospo>} />
          <Route path="*" element={<NotFound />} />
        </Route>
      </Routes>
    </Provider>
  );
}

function Ospo({ children }: { children: ReactNode }) {
  const { session } = useSession();
  if (!session?.isOspo) {
    return (
      <section>
        <h1>OSPO only</h1>
        <p>This page is for the Open Source Program Office.</p>
      </section>
    );
  }
  return <Suspense fallback={<Loading what="the page" />}>{children}</Suspense>;
}

function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>That page does not exist. Use the menu above.</p>
    </section>
  );
}
