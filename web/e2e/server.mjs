// Starts `tandem serve --demo` on a fresh SQLite file and an ephemeral port,
// and Debian's chromium through playwright-core (no browser download).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

const here = new URL(".", import.meta.url).pathname;
export const outputDir = resolve(here, "output");

/** A free loopback port (for a server whose address must be known before it starts). */
export async function freePort() {
  const { createServer } = await import("node:net");
  return new Promise((ok) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

/** `serve --demo` by default; `options.env` adds settings, `options.demo = false` leaves the demo out. */
export async function startTandem(options = {}) {
  const { demo = true, env: extra = {}, port = 0, dir: given } = options;
  const bin = process.env.TANDEM_BIN ?? resolve(here, "../../target/debug/tandem");
  // With `dir`, the database lives there and outlives this server (a restart).
  const dir = given ?? mkdtempSync(join(tmpdir(), "tandem-e2e-"));
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("TANDEM_") && k !== "DATABASE_URL"),
  );
  env.DATABASE_URL = `sqlite://${join(dir, "tandem.db")}?mode=rwc`;
  env.TANDEM_SWEEP_INTERVAL = "1h";
  Object.assign(env, extra);
  const args = ["serve", ...(demo ? ["--demo"] : []), "--listen", `127.0.0.1:${port}`];
  const child = spawn(bin, args, {
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  const lines = createInterface({ input: child.stderr });
  const base = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error("tandem did not start within 120 s")), 120_000);
    child.on("exit", (code) => fail(new Error(`tandem exited with ${code} before listening`)));
    lines.on("line", (line) => {
      const found = /listening address=(\S+)/.exec(line);
      if (found) {
        clearTimeout(timer);
        ok(`http://${found[1]}`);
      }
    });
  });
  // Keep reading the log so the pipe never fills.
  lines.on("line", () => {});
  return {
    base,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((ok) => child.once("exit", ok));
      if (!given) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
}
