// Signing in with an SSO: a local OpenID provider (the `oidc-provider`
// package) issues JWT access tokens for Tandem's audience; the app runs the
// authorization code flow with PKCE against it, Tandem verifies the token
// with the provider's keys (found through discovery), and signing out
// returns to the sign-in page.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import Provider from "oidc-provider";
import { freePort, startBrowser, startTandem } from "./server.mjs";

let provider;
let tandem;
let browser;

before(async () => {
  const [providerPort, tandemPort] = [await freePort(), await freePort()];
  const issuer = `http://127.0.0.1:${providerPort}`;
  const app = `http://127.0.0.1:${tandemPort}`;
  const people = { ada: { name: "Ada Lovelace", email: "ada@example.com" } };
  const oidc = new Provider(issuer, {
    clients: [
      {
        client_id: "tandem-web",
        token_endpoint_auth_method: "none",
        redirect_uris: [`${app}/signin/callback`, `${app}/signin/silent`],
        post_logout_redirect_uris: [`${app}/`],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    cookies: { keys: ["a-test-only-cookie-key"] },
    claims: { openid: ["sub"], profile: ["name"], email: ["email"] },
    async findAccount(_ctx, id) {
      return { accountId: id, claims: async () => ({ sub: id, ...(people[id] ?? { name: id }) }) };
    },
    // Tandem reads the person's name and email from the access token.
    async extraTokenClaims(_ctx, token) {
      return token.accountId ? { ...(people[token.accountId] ?? {}) } : undefined;
    },
    features: {
      resourceIndicators: {
        enabled: true,
        defaultResource: () => "urn:tandem",
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: "openid profile email",
          audience: "tandem",
          accessTokenFormat: "jwt",
          // Short, so the app renews it within the test (60 s before expiry).
          accessTokenTTL: 75,
          jwt: { sign: { alg: "RS256" } },
        }),
      },
    },
  });
  provider = await new Promise((ok) => {
    const server = oidc.listen(providerPort, "127.0.0.1", () => ok(server));
  });
  tandem = await startTandem({
    demo: false,
    port: tandemPort,
    env: {
      TANDEM_OIDC_ISSUER: issuer,
      TANDEM_OIDC_CLIENT_ID: "tandem-web",
      TANDEM_JWT_AUDIENCE: "tandem",
    },
  });
  browser = await startBrowser();
});

after(async () => {
  await browser?.close();
  await tandem?.stop();
  await new Promise((ok) => (provider ? provider.close(ok) : ok()));
});

test("the SSO sign-in runs the code flow with PKCE, and Tandem accepts the provider's token", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const authorize = page.waitForRequest((r) => r.url().includes("/auth?"));
  await page.goto(`${tandem.base}/requests`);
  await page.getByRole("button", { name: "Sign in with your company account" }).click();
  const url = new URL((await authorize).url());
  assert.equal(url.searchParams.get("code_challenge_method"), "S256");
  assert.ok(url.searchParams.get("code_challenge"));
  await page.locator("input[name=login]").fill("ada");
  await page.locator("input[name=password]").fill("any");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
  // Back in the app, on the page the person started from, signed in.
  await page.getByRole("heading", { name: "My requests", level: 1 }).waitFor();
  assert.equal(new URL(page.url()).pathname, "/requests");
  await page.getByText("Ada Lovelace").waitFor();
  await page.getByRole("link", { name: "My profile" }).click();
  const name = page.getByLabel("Name", { exact: true });
  await name.waitFor();
  assert.equal(await name.inputValue(), "Ada Lovelace");
  assert.equal(await page.getByRole("alert").count(), 0);
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByText("You have signed out.").waitFor();
  await context.close();
});

test("the token is renewed silently before it expires, and the app uses the new one", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const bearers = new Set();
  page.on("request", (r) => {
    if (new URL(r.url()).pathname === "/graphql") bearers.add(r.headers().authorization);
  });
  await page.goto(`${tandem.base}/profile`);
  await page.getByRole("button", { name: "Sign in with your company account" }).click();
  await page.locator("input[name=login]").fill("ada");
  await page.locator("input[name=password]").fill("any");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("heading", { name: "My profile", level: 1 }).waitFor();
  await page.getByRole("heading", { name: "As a mentor" }).waitFor();
  assert.equal(bearers.size, 1);
  // Renewal runs in a hidden frame 60 s before the 75 s token expires.
  const renewed = page.waitForResponse((r) => r.url().endsWith("/token") && r.ok(), { timeout: 40_000 });
  await renewed;
  await page.waitForTimeout(500);
  await page.getByRole("link", { name: "My requests" }).click();
  await page.getByRole("heading", { name: "My requests", level: 1 }).waitFor();
  await page.waitForLoadState("networkidle");
  assert.equal(bearers.size, 2, "the renewed token was not used");
  assert.equal(await page.getByRole("alert").count(), 0);
  await context.close();
});
