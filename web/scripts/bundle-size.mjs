// Fails when the JavaScript the page loads first is over the budget
// (250 KB gzipped); prints the figure for BENCHMARKS.md.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const BUDGET = 250 * 1024;
const html = readFileSync("dist/index.html", "utf8");
const scripts = [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]);
if (scripts.length === 0) {
  console.error("dist/index.html loads no script");
  process.exit(1);
}
let total = 0;
for (const path of scripts) {
  const size = gzipSync(readFileSync(`dist${path}`), { level: 9 }).length;
  total += size;
  console.log(`${path}: ${(size / 1024).toFixed(1)} KB gzipped`);
}
console.log(`initial JavaScript: ${(total / 1024).toFixed(1)} KB gzipped (budget ${BUDGET / 1024} KB)`);
if (total > BUDGET) process.exit(1);
