// GraphiQL in a real browser with the internet cut off: every request that
// does not go to the tandem server on 127.0.0.1 is blocked, as on an intranet
// without internet access. The page loads from the binary alone, breaks no
// rule of its Content-Security-Policy, opens with the demo OSPO admin's
// token in its headers editor, and runs a query through its own UI.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
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

test("GraphiQL runs a query with nothing from outside 127.0.0.1", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const outside = [];
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === "127.0.0.1") return route.continue();
    outside.push(url.href);
    return route.abort("blockedbyclient");
  });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(String(error)));
  await page.goto(`${tandem.base}/graphiql`);

  // The headers editor is open and holds the demo token.
  await page.getByText("Authorization").first().waitFor({ timeout: 60_000 });
  const headers = await page.locator(".graphiql-editor-tool .CodeMirror").last().innerText();
  assert.match(headers, /Bearer ey/, "the headers editor is not prefilled");

  await page.locator(".graphiql-execute-button").click();
  const result = page.locator(".result-window");
  await result.getByText('"displayName"').waitFor({ timeout: 30_000 });
  const text = await result.innerText();
  assert.match(text, /Alex Morgan/, `unexpected result: ${text}`);
  assert.doesNotMatch(text, /UNAUTHENTICATED/);

  await page.screenshot({ path: `${outputDir}/graphiql-1280.png` });
  assert.deepEqual(outside, [], "requests left 127.0.0.1");
  assert.deepEqual(problems, [], "errors in the console (a CSP violation shows here)");
  await context.close();
});
