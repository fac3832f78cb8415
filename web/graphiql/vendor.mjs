// Copies GraphiQL's pinned browser build (and the React it runs on) from
// node_modules into dist/, which is committed and embedded in the tandem
// binary: /graphiql then needs nothing from the internet. Data URIs in the
// stylesheet become files of their own, so the page's Content-Security-Policy
// can allow 'self' and nothing else. Run: npm ci && npm run vendor.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, 'node_modules');
const out = join(here, 'dist');
rmSync(out, { recursive: true, force: true });
mkdirSync(out);

const copies = [
  ['react/umd/react.production.min.js', 'react.production.min.js'],
  ['react-dom/umd/react-dom.production.min.js', 'react-dom.production.min.js'],
  ['graphiql/graphiql.min.js', 'graphiql.min.js'],
];
for (const [from, to] of copies) {
  copyFileSync(join(modules, from), join(out, to));
}

const extensions = { 'font/woff2': 'woff2', 'font/woff': 'woff', 'image/png': 'png', 'image/svg+xml': 'svg' };
let css = readFileSync(join(modules, 'graphiql/graphiql.min.css'), 'utf8');
css = css.replace(/url\(\s*(["']?)data:([^;,]+)(;base64)?,([^"')]*)\1\s*\)/g, (whole, _q, type, base64, data) => {
  const extension = extensions[type];
  if (!extension) throw new Error(`a data URI of type ${type} in graphiql.min.css has no file extension here`);
  const bytes = base64 ? Buffer.from(data, 'base64') : Buffer.from(decodeURIComponent(data));
  const name = `${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.${extension}`;
  writeFileSync(join(out, name), bytes);
  return `url(${name})`;
});
if (css.includes('data:')) throw new Error('graphiql.min.css still holds a data: URI');
writeFileSync(join(out, 'graphiql.min.css'), css);

const notices = ['graphiql', 'react', 'react-dom'].map((name) => {
  const pkg = JSON.parse(readFileSync(join(modules, name, 'package.json'), 'utf8'));
  const licence = readFileSync(join(modules, name, 'LICENSE'), 'utf8').trim();
  return `${name} ${pkg.version} (${pkg.license})\n${pkg.homepage ?? ''}\n\n${licence}\n`;
});
writeFileSync(
  join(out, 'NOTICE.txt'),
  'Third-party software served at /graphiql, unmodified except that the\n' +
    "stylesheet's data: URIs were written out as files.\n\n" +
    notices.join('\n' + '-'.repeat(72) + '\n\n'),
);
console.log(`vendored ${copies.length + 1} files and their notices into dist/`);
