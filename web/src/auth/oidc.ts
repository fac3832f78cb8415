import { InMemoryWebStorage, UserManager, WebStorageStateStore } from "oidc-client-ts";

export interface OidcSettings {
  issuer: string;
  clientId: string;
}

let manager: UserManager | null = null;

/** Sign-in with the company's SSO: authorization code flow with PKCE,
 * tokens kept in memory, renewed silently before they expire. One manager
 * per page, so the renewal timer and the signed-in user live together. */
export function userManager(settings: OidcSettings): UserManager {
  if (manager) return manager;
  const origin = window.location.origin;
  manager = new UserManager({
    authority: settings.issuer,
    client_id: settings.clientId,
    redirect_uri: `${origin}/signin/callback`,
    silent_redirect_uri: `${origin}/signin/silent`,
    post_logout_redirect_uri: `${origin}/`,
    response_type: "code",
    scope: "openid profile email",
    automaticSilentRenew: true,
    userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
  });
  return manager;
}
