import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { userManager, type OidcSettings } from "./auth/oidc";
import "./styles.css";

/** In the hidden frame of a silent renewal, hand the answer to the page and stop. */
async function silentRenewal(): Promise<void> {
  const config = (await (await fetch("/app/config.json")).json()) as { oidc: OidcSettings | null };
  if (config.oidc) await userManager(config.oidc).signinSilentCallback();
}

const root = document.getElementById("root");
if (window.location.pathname === "/signin/silent") {
  void silentRenewal();
} else if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
