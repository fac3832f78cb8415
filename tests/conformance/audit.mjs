// The graphql-http server audit (GraphQL over HTTP conformance) against a
// real `tandem serve` on a fresh SQLite file: every request carries a bearer
// token, and every MUST and SHOULD must pass (MAY results are printed).
// Run: npm ci && node audit.mjs (TANDEM_BIN picks the binary; the debug
// build by default).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { auditServer } from 'graphql-http';

const here = new URL('.', import.meta.url).pathname;
const bin = process.env.TANDEM_BIN ?? resolve(here, '../../target/debug/tandem');
const dir = mkdtempSync(join(tmpdir(), 'tandem-audit-'));
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !k.startsWith('TANDEM_') && k !== 'DATABASE_URL'),
);
env.DATABASE_URL = `sqlite://${join(dir, 'tandem.db')}?mode=rwc`;
env.TANDEM_JWT_SECRET = 'graphql-http-audit-secret-of-32-bytes-or-more';

const token = execFileSync(bin, ['token', '--sub', 'auditor', '--ttl', '15m'], { env })
  .toString()
  .trim();
const server = spawn(bin, ['serve', '--listen', '127.0.0.1:0'], {
  env,
  stdio: ['ignore', 'ignore', 'pipe'],
});
const base = await new Promise((ok, fail) => {
  const timer = setTimeout(() => fail(new Error('tandem did not start within 60 s')), 60_000);
  server.on('exit', (code) => fail(new Error(`tandem exited with ${code} before listening`)));
  createInterface({ input: server.stderr }).on('line', (line) => {
    const found = /listening address=(\S+)/.exec(line);
    if (found) {
      clearTimeout(timer);
      ok(`http://${found[1]}`);
    }
  });
});

let failed = 0;
try {
  const results = await auditServer({
    url: `${base}/graphql`,
    fetchFn: (input, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${token}`);
      return fetch(input, { ...init, headers });
    },
  });
  for (const result of results) {
    const level = result.name.split(' ')[0];
    const passed = result.status === 'ok';
    if (!passed && (level === 'MUST' || level === 'SHOULD')) failed += 1;
    const mark = passed ? 'ok  ' : level === 'MAY' ? 'may ' : 'FAIL';
    console.log(`${mark} ${result.id} ${result.name}${passed ? '' : ` — ${result.reason}`}`);
  }
  const counted = results.filter((r) => /^(MUST|SHOULD) /.test(r.name)).length;
  const { version } = JSON.parse(
    readFileSync(resolve(here, 'node_modules/graphql-http/package.json'), 'utf8'),
  );
  console.log(`graphql-http ${version} audit: ${counted - failed}/${counted} MUST and SHOULD passed`);
} finally {
  server.kill('SIGTERM');
  await new Promise((ok) => server.once('exit', ok));
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed === 0 ? 0 : 1);
