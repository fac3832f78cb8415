// Live updates survive a dropped connection: Tandem restarts under an open
// page, the page's subscription reconnects, and a proposal made afterwards
// still appears without a reload.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startBrowser, startTandem } from "./server.mjs";

const dir = mkdtempSync(join(tmpdir(), "tandem-e2e-restart-"));
// A fixed key, so the pages' tokens stay good across the restart.
const env = { TANDEM_JWT_SECRET: "an-end-to-end-test-secret-of-enough-length" };
let port;
let tandem;
let browser;

before(async () => {
  port = await freePort();
  tandem = await startTandem({ dir, port, env });
  browser = await startBrowser();
});

after(async () => {
  await browser?.close();
  await tandem?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function signedIn(name) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(tandem.base);
  await page.getByRole("button", { name: new RegExp(name) }).click();
  return { context, page };
}

test("the subscription reconnects after the server went away", async () => {
  const mentor = await signedIn("Jonas Weber");
  let sockets = 0;
  mentor.page.on("websocket", () => (sockets += 1));
  await mentor.page.getByRole("link", { name: "My mentorships" }).click();
  await mentor.page.getByRole("heading", { name: "Under way" }).waitFor();
  await mentor.page.waitForLoadState("networkidle");
  assert.equal(sockets, 1);
  const mentee = await signedIn("Priya Raman");
  await mentee.page.getByRole("heading", { name: "Recommended mentors" }).waitFor();

  // The connection drops: Tandem stops, then comes back on the same port.
  await tandem.stop();
  tandem = await startTandem({ dir, port, env });
  const deadline = Date.now() + 30_000;
  while (sockets < 2 && Date.now() < deadline) await mentor.page.waitForTimeout(250);
  assert.ok(sockets >= 2, "the page did not reconnect its subscription");

  const first = mentee.page.locator(".recommendations li").first();
  await mentee.page.getByLabel("What would you like to learn?").fill("Release management");
  await first.getByRole("button", { name: "Request Jonas Weber" }).click();
  await mentee.page.getByText("Your request went to Jonas Weber").waitFor();
  const fromPriya = mentor.page.locator("li.card", { has: mentor.page.getByRole("heading", { name: /Mentoring Priya Raman/ }) });
  await fromPriya.getByText("Release management").waitFor({ timeout: 15_000 });

  // He declines it, with a reason and a message; she is offered another
  // mentor, and her request goes on.
  await fromPriya.getByRole("button", { name: "Decline…" }).click();
  await fromPriya.getByLabel("Why are you declining?").selectOption("NO_TIME_NOW");
  await fromPriya.getByLabel("A message to the mentee (optional)").fill("Busy with a release until March");
  await fromPriya.getByRole("button", { name: "Decline", exact: true }).click();
  const declined = mentor.page.locator("li.card", { hasText: "Release management" }).filter({ hasText: "Declined" });
  await declined.getByText("No time right now").waitFor();
  assert.equal(await mentor.page.getByRole("alert").count(), 0);
  await mentee.page.getByRole("link", { name: "My requests", exact: true }).click();
  const request = mentee.page.locator("li.card", { hasText: "Release management" });
  await request.getByRole("heading", { name: /Proposed to a mentor|Waiting for a mentor/ }).waitFor();
  // She withdraws it.
  mentee.page.once("dialog", (dialog) => dialog.accept());
  await request.getByRole("button", { name: "Withdraw" }).click();
  await request.getByRole("heading", { name: "Withdrawn" }).waitFor();
  await mentee.context.close();
  await mentor.context.close();
});
