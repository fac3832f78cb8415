// Makes the README's screenshots (run by hand: node e2e/readme-shots.mjs).
import { resolve } from "node:path";
import { startBrowser, startTandem } from "./server.mjs";

const docs = resolve(new URL(".", import.meta.url).pathname, "../../docs");
const tandem = await startTandem();
const browser = await startBrowser();
try {
  for (const [who, link, wait, file] of [
    ["Priya Raman", "Find a mentor", "Recommended mentors", "recommendations.jpg"],
    ["Alex Morgan", "Figures", "Largest shortfalls: wanted versus offered", "figures.jpg"],
  ]) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(tandem.base);
    await page.getByRole("button", { name: new RegExp(who) }).click();
    await page.getByRole("link", { name: link }).click();
    await page.getByText(wait).first().waitFor();
    await page.waitForLoadState("networkidle");
    await page.screenshot({ path: `${docs}/${file}`, type: "jpeg", quality: 80 });
    await context.close();
  }
} finally {
  await browser.close();
  await tandem.stop();
}
