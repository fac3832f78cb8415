// The web app in a real browser against `tandem serve --demo`: signing in
// as each demo person, each page free of serious accessibility violations
// and photographed at 360 px and 1280 px, a request made and a proposal
// accepted through the pages, and an expired token sending the person back
// to sign in with their place kept.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import { outputDir, startBrowser, startTandem } from "./server.mjs";

let tandem;
let browser;

before(async () => {
  mkdirSync(outputDir, { recursive: true });
  tandem = await startTandem();
  browser = await startBrowser();
});

after(async () => {
  await browser?.close();
  await tandem?.stop();
});

const WIDTHS = [360, 1280];

async function signedIn(name, width = 1280, path = "/") {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  await page.goto(tandem.base + path);
  await page.getByRole("button", { name: new RegExp(name) }).click();
  return { context, page };
}

async function noSeriousViolations(page, what) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
    [],
    `${what}: accessibility violations`,
  );
}

async function photograph(page, name, width) {
  await page.screenshot({ path: `${outputDir}/${name}-${width}.png`, fullPage: true });
}

test("the sign-in page offers the demo people", async () => {
  for (const width of WIDTHS) {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    await page.goto(tandem.base);
    await page.getByRole("heading", { name: "Sign in to Tandem" }).waitFor();
    for (const name of ["Priya Raman", "Jonas Weber", "Alex Morgan"]) {
      await page.getByRole("button", { name: new RegExp(name) }).waitFor();
    }
    await noSeriousViolations(page, "sign-in");
    await photograph(page, "signin", width);
    await context.close();
  }
});

test("each page, for each width, is accessible and photographed", async () => {
  const pages = [
    ["recommendations", "Find a mentor", "Recommended mentors"],
    ["requests", "My requests", null],
    ["matches", "My mentorships", null],
    ["profile", "My profile", "As a mentor"],
  ];
  for (const width of WIDTHS) {
    const { context, page } = await signedIn("Priya Raman", width);
    for (const [path, heading, wait] of pages) {
      await page.goto(`${tandem.base}/${path}`);
      // A full load drops the in-memory token: sign in again, in place.
      await page.getByRole("button", { name: /Priya Raman/ }).click();
      await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
      if (wait) await page.getByRole("heading", { name: wait }).waitFor();
      await page.waitForLoadState("networkidle");
      assert.equal(await page.getByRole("alert").count(), 0, `${path}: an error is shown`);
      await noSeriousViolations(page, path);
      await photograph(page, path, width);
    }
    await context.close();
  }
});

test("a mentee asks for a mentor; both see each step live; they check in, complete and give feedback", async () => {
  // The mentor watches his mentorships before anything is asked.
  const mentor = await signedIn("Jonas Weber");
  await mentor.page.getByRole("link", { name: "My mentorships" }).click();
  await mentor.page.getByRole("heading", { name: "Under way" }).waitFor();
  await mentor.page.waitForLoadState("networkidle");
  const fromPriya = mentor.page.locator("li.card", { has: mentor.page.getByRole("heading", { name: /Mentoring Priya Raman/ }) });
  assert.equal(await fromPriya.count(), 0);

  const mentee = await signedIn("Priya Raman");
  const { page } = mentee;
  await page.getByRole("heading", { name: "Recommended mentors" }).waitFor();
  // Her best match is the demo mentor; his score is explained criterion by criterion.
  const first = page.locator(".recommendations li").first();
  await first.getByRole("heading", { name: "Jonas Weber" }).waitFor();
  await first.getByText("Skills").waitFor();
  await first.getByRole("button", { name: "Request Jonas Weber" }).click();
  await page.getByText("Say what you would like to learn").waitFor();
  await page.getByLabel("What would you like to learn?").fill("Becoming a maintainer of a CNCF project");
  await first.getByRole("button", { name: "Request Jonas Weber" }).click();
  await page.getByText("Your request went to Jonas Weber").waitFor();
  await page.getByRole("link", { name: "My mentorships" }).click();
  const withJonas = page.locator("li.card", { has: page.getByRole("heading", { name: /Mentored by Jonas Weber/ }) });
  await withJonas.locator(".badge", { hasText: "Proposed" }).waitFor();

  // The proposal appears on the mentor's page without a reload, with her goals.
  await fromPriya.getByText("Becoming a maintainer of a CNCF project").waitFor({ timeout: 15_000 });
  await fromPriya.getByRole("button", { name: "Accept" }).click();
  await fromPriya.locator(".badge", { hasText: "Active" }).waitFor();
  // ... and the answer appears on hers.
  await withJonas.locator(".badge", { hasText: "Active" }).waitFor({ timeout: 15_000 });

  await withJonas.getByLabel("Minutes").fill("45");
  await withJonas.getByLabel(/Notes/).fill("Picked a first issue together");
  await withJonas.getByRole("button", { name: "Log check-in" }).click();
  await withJonas.getByText(/45 minutes with Priya Raman: Picked a first issue together/).waitFor();
  await fromPriya.getByLabel("Milestone", { exact: true }).selectOption("LEVEL_UP");
  await fromPriya.getByLabel("New level").selectOption("3");
  await fromPriya.getByRole("button", { name: "Record milestone" }).click();
  await fromPriya.getByText("Recorded: Reached a new open-source level (level 3).").waitFor();

  mentor.page.once("dialog", (dialog) => dialog.accept());
  await fromPriya.getByRole("button", { name: "Complete" }).click();
  const done = page.locator("li.card", { has: page.getByRole("heading", { name: /Mentored by Jonas Weber/ }) }).filter({ hasText: "Completed" }).first();
  await done.waitFor({ timeout: 15_000 });
  await done.getByText("Give feedback").click();
  await done.getByLabel("Rating (1 to 5)").selectOption("5");
  await done.getByRole("button", { name: "Send feedback" }).click();
  await done.getByText("Thank you for your feedback.").waitFor();
  assert.equal(await page.getByRole("alert").count(), 0);
  assert.equal(await mentor.page.getByRole("alert").count(), 0);
  await mentee.context.close();
  await mentor.context.close();
});

test("the keyboard reaches the content first, with a visible focus", async () => {
  const { context, page } = await signedIn("Priya Raman");
  await page.getByRole("heading", { name: "Find a mentor", level: 1 }).waitFor();
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  assert.ok(await skip.evaluate((el) => el === document.activeElement), "the skip link is not focused first");
  const outline = await skip.evaluate((el) => getComputedStyle(el).outlineStyle);
  assert.notEqual(outline, "none", "the focused link shows no outline");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "main");
  await context.close();
});

test("an expired session returns to sign in, and signing in again keeps the place", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  // The demo hands out tokens that live 5 seconds when asked to.
  await page.goto(`${tandem.base}/matches?ttl=5`);
  await page.getByRole("button", { name: /Jonas Weber/ }).click();
  await page.getByRole("heading", { name: "My mentorships", level: 1 }).waitFor();
  await page.getByText("Your session has ended").waitFor({ timeout: 15_000 });
  assert.equal(new URL(page.url()).pathname, "/matches");
  await page.getByRole("button", { name: /Jonas Weber/ }).click();
  await page.getByRole("heading", { name: "My mentorships", level: 1 }).waitFor();
  await context.close();
});

test("a refused profile shows the sentence on the field that caused it", async () => {
  const { context, page } = await signedIn("Jonas Weber");
  await page.getByRole("link", { name: "My profile" }).click();
  const capacity = page.getByLabel("Mentees at once (1 to 10)");
  await capacity.waitFor();
  const before = await capacity.inputValue();
  await capacity.fill("11");
  await page.getByRole("button", { name: "Save mentor profile" }).click();
  const problem = page.locator("#capacity-error");
  await problem.waitFor();
  assert.match(await problem.innerText(), /Capacity must be between 1 and 10/);
  assert.equal(await capacity.getAttribute("aria-invalid"), "true");
  await noSeriousViolations(page, "profile with an error");
  await capacity.fill(before);
  await page.getByRole("button", { name: "Save mentor profile" }).click();
  await page.locator("form[aria-labelledby=mentor-heading]").getByText("Saved.").waitFor();
  assert.equal(await page.locator("#capacity-error").count(), 0);
  await context.close();
});

test("the OSPO reads the figures, with charts, and exports them", async () => {
  for (const width of WIDTHS) {
    const { context, page } = await signedIn("Alex Morgan", width);
    await page.getByRole("link", { name: "Figures" }).click();
    await page.getByRole("heading", { name: "Mentoring figures", level: 1 }).waitFor();
    await page.getByText("Median time to match").waitFor();
    await page.getByText("Largest shortfalls: wanted versus offered").waitFor();
    await page.waitForLoadState("networkidle");
    assert.equal(await page.getByRole("alert").count(), 0, "figures: an error is shown");
    // The seeded year shows real figures, not dashes.
    const acceptance = page.locator(".tile", { hasText: "Acceptance" }).locator(".tile-value");
    assert.match(await acceptance.innerText(), /^\d+%$/);
    await noSeriousViolations(page, "figures");
    await photograph(page, "figures", width);
    if (width === 1280) {
      const download = page.waitForEvent("download");
      await page.getByRole("button", { name: "Export figures (CSV)" }).click();
      const file = await download;
      assert.match(file.suggestedFilename(), /\.csv$/);
    }
    await context.close();
  }
  // Anyone else finds no figures.
  const { context, page } = await signedIn("Priya Raman");
  assert.equal(await page.getByRole("link", { name: "Figures" }).count(), 0);
  await page.goto(`${tandem.base}/ospo/figures`);
  await page.getByRole("button", { name: /Priya Raman/ }).click();
  await page.getByRole("heading", { name: "OSPO only" }).waitFor();
  await context.close();
});

test("the OSPO runs a cohort dry run, previews a policy, commits, and the figures change", async () => {
  const { context, page } = await signedIn("Alex Morgan");
  const proposalsMade = async () => {
    await page.getByRole("link", { name: "Figures" }).click();
    const detail = page.locator(".tile", { hasText: "Acceptance" }).locator(".tile-detail");
    await detail.waitFor();
    return detail.innerText();
  };
  const before = await proposalsMade();
  await page.getByRole("link", { name: "Programs" }).click();
  await page.getByRole("link", { name: "Spring cohort" }).click();
  await page.getByRole("heading", { name: "Cohort matching" }).waitFor();
  await page.getByRole("button", { name: "Dry run" }).click();
  // Both strategies' answers arrive independently; wait for the comparison.
  await page
    .locator(".cohort .notice", {
      hasText: /^Dry run \(optimal\): \d+ assigned, \d+ unmatched, total score [\d.]+, \d+ blocking pairs\. The stable strategy would assign \d+/,
    })
    .first()
    .waitFor();
  assert.ok((await page.locator(".cohort tbody tr").count()) > 0, "no assignments listed");
  // A candidate policy beside the current one.
  await page.getByLabel("Skills", { exact: true }).fill("0.5");
  await page.getByRole("button", { name: "Preview" }).click();
  await page.getByRole("heading", { name: "Candidate policy" }).waitFor();
  await noSeriousViolations(page, "program");
  await photograph(page, "program", 1280);
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("button", { name: "Commit" }).click();
  await page.getByText(/^Committed \(optimal\)/).waitFor();
  await page.locator("#program-heading .badge", { hasText: "running" }).waitFor();
  await page.waitForLoadState("networkidle");
  assert.deepEqual(await page.getByRole("alert").allInnerTexts(), []);
  // The page shows its cached figures first, then the fresh ones.
  await proposalsMade();
  const tile = page.locator(".tile", { hasText: "Acceptance" }).locator(".tile-detail");
  await page.waitForFunction(
    ([selector, old]) => document.querySelector(selector)?.textContent !== old,
    [".tiles .tile:nth-child(2) .tile-detail", before],
    { timeout: 15_000 },
  );
  const after = await tile.innerText();
  const made = (text) => Number(/of (\d+)/.exec(text)?.[1]);
  assert.ok(made(after) > made(before), `proposals made: ${before} → ${after}`);
  await context.close();
});

test("the OSPO creates a program, enrolls a person found by search, and imports the HR export", async () => {
  const { context, page } = await signedIn("Alex Morgan");
  await page.getByRole("link", { name: "Programs" }).click();
  await page.getByLabel("Name", { exact: true }).fill("Autumn 2027");
  await page.getByLabel("Starts on").fill("2027-09-01");
  await page.getByLabel("Ends on").fill("2027-12-15");
  await page.getByRole("button", { name: "Create program" }).click();
  await page.getByRole("link", { name: "Autumn 2027" }).click();
  await page.getByText("0 mentors and 0 mentees enrolled").waitFor();
  // An illegal move is refused in a sentence, and nothing changes.
  await page.getByRole("button", { name: "Move to running" }).click();
  await page.getByRole("alert").waitFor();
  await page.locator("#program-heading .badge", { hasText: "draft" }).waitFor();
  await page.getByRole("button", { name: "Move to open" }).click();
  await page.locator("#program-heading .badge", { hasText: "open" }).waitFor();
  assert.equal(await page.getByRole("alert").count(), 0);
  await page.getByLabel("Name, email or department").fill("priya");
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByLabel(/Priya Raman/).check();
  await page.getByLabel(/Enroll the 1 picked as/).selectOption("MENTEE");
  await page.getByRole("button", { name: "Enroll", exact: true }).click();
  await page.getByText("Enrolled Priya Raman as mentees.").waitFor();
  await page.getByText("0 mentors and 1 mentees enrolled").waitFor();
  await page.getByText("Who is enrolled").click();
  await page.locator("details li", { hasText: "Priya Raman" }).waitFor();
  await noSeriousViolations(page, "program enrollment");

  await page.getByRole("link", { name: "Programs" }).click();
  const upload = page.getByLabel(/CSV file/);
  const csv = (text) => ({ name: "people.csv", mimeType: "text/csv", buffer: Buffer.from(text) });
  await upload.setInputFiles(csv("email,name,department,level\nnew.person@example.com,New Person,Research,7\n"));
  await page.getByRole("button", { name: "Check" }).click();
  await page.getByText(/1 rows refused/).waitFor();
  assert.ok(await page.getByRole("button", { name: "Import", exact: true }).isDisabled());
  await upload.setInputFiles(csv("email,name,department,level\nnew.person@example.com,New Person,Research,2\n"));
  await page.getByRole("button", { name: "Check" }).click();
  await page.getByText(/Checked people.csv: 1 rows; 1 would be created/).waitFor();
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await page.getByText(/Imported people.csv: 1 rows; 1 created/).waitFor();
  await noSeriousViolations(page, "programs with an import");
  await photograph(page, "programs", 1280);
  // The OSPO's pages at phone width too.
  await page.setViewportSize({ width: 360, height: 800 });
  await photograph(page, "programs", 360);
  await noSeriousViolations(page, "programs at 360 px");
  await page.getByRole("link", { name: "Autumn 2027" }).click();
  await page.getByRole("heading", { name: "Cohort matching" }).waitFor();
  await noSeriousViolations(page, "program at 360 px");
  await photograph(page, "program", 360);
  await context.close();
});

test("a person downloads their data; the OSPO deactivates and reactivates someone who left", async () => {
  const { context, page } = await signedIn("Priya Raman", 1280, "/profile");
  await page.getByRole("heading", { name: "Your data" }).waitFor();
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download my data" }).click()]);
  assert.equal(download.suggestedFilename(), "tandem-my-data.json");
  const document = JSON.parse(readFileSync(await download.path(), "utf8"));
  assert.equal(document.format, "tandem.personal-data.v1");
  assert.equal(document.person.displayName, "Priya Raman");
  assert.ok(Array.isArray(document.matches) && Array.isArray(document.checkIns));
  await context.close();

  // New Person came with the HR import of the test before.
  const ospo = await signedIn("Alex Morgan");
  const p = ospo.page;
  await p.getByRole("link", { name: "People" }).click();
  await p.getByRole("heading", { name: "People", level: 1 }).waitFor();
  await p.getByLabel("Name, email or department").fill("new.person");
  await p.getByRole("button", { name: "Search" }).click();
  const card = p.locator("li.card", { hasText: "New Person" });
  await card.getByRole("button", { name: "Deactivate" }).click();
  await card.getByRole("alert").waitFor(); // a reason is required
  await card.getByLabel("Why they leave").fill("left the company");
  await card.getByRole("button", { name: "Deactivate" }).click();
  await p.getByText(/New Person is deactivated: 0 proposal\(s\) passed on/).waitFor();
  await card.getByText("Deactivated on").waitFor();
  await card.getByRole("button", { name: "Erase personal data" }).click();
  await card.getByRole("button", { name: "Keep" }).click();
  await noSeriousViolations(p, "people");
  await photograph(p, "people", 1280);
  await card.getByRole("button", { name: "Reactivate" }).click();
  await p.getByText("New Person can sign in again.").waitFor();
  await card.getByRole("button", { name: "Deactivate" }).waitFor();
  await ospo.context.close();
});
