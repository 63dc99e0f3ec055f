#!/usr/bin/env node
/*
 * Contract coverage of the last acceptance run (`npm run coverage`, after `npm run accept` or `npm test`).
 *
 * Each cucumber worker writes what it touched to reports/coverage/<run>-<worker>.json (support/coverage.ts). This
 * merges the files of the latest run and compares the API calls with Attune 0.2.1's operations of the automation
 * domain (trace/attune-0.2.1-operations.json, taken from ../shared/spec/attune-openapi-0.2.1.json). A call counts for
 * an operation when its method matches and its path matches the operation's template ({id} = one path segment).
 * Calls the list does not hold (our additions, later eras' routes) are listed separately, so nothing is lost.
 *
 * Writes reports/coverage.json and reports/coverage.html; prints `contract coverage: N of M operations (P %)` last.
 * Always exits 0: coverage is a figure to read, not a gate (yet).
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const DIR = path.join(root, 'reports', 'coverage');
const OPERATIONS = path.join(root, 'trace', 'attune-0.2.1-operations.json');
/** "METHOD path" → why no scenario calls that operation (trace/untouched-reasons.json); shown beside untouched ones. */
const REASONS = path.join(root, 'trace', 'untouched-reasons.json');

function latestRunFiles(dir = DIR) {
  if (!fs.existsSync(dir)) return [];
  const docs = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => {
    const file = path.join(dir, f);
    try {
      return { file, mtime: fs.statSync(file).mtimeMs, doc: JSON.parse(fs.readFileSync(file, 'utf8')) };
    } catch {
      return undefined;
    }
  }).filter(Boolean);
  if (!docs.length) return [];
  const newest = docs.reduce((a, b) => (b.mtime > a.mtime ? b : a));
  return docs.filter((d) => d.doc.run === newest.doc.run).map((d) => d.doc);
}

function merge(docs) {
  const api = new Map();
  const add = (map, key, n) => map.set(key, (map.get(key) || 0) + n);
  const messages = new Map();
  const channels = new Map();
  const tables = new Map();
  for (const doc of docs) {
    for (const [call, statuses] of Object.entries(doc.api || {})) {
      if (!api.has(call)) api.set(call, new Map());
      for (const [status, n] of Object.entries(statuses)) add(api.get(call), status, n);
    }
    for (const [k, n] of Object.entries(doc.messages || {})) add(messages, k, n);
    for (const [k, n] of Object.entries(doc.channels || {})) add(channels, k, n);
    for (const [k, n] of Object.entries(doc.tables || {})) add(tables, k, n);
  }
  return { api, messages, channels, tables };
}

function templateRegex(template) {
  const parts = template.split(/\{[^}]+\}/).map((p) => p.replace(/[.*+?^$()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('[^/]+')}$`);
}

/** Matches each recorded call ("METHOD path") to the operations; literal paths win over templated ones. */
function compare(operations, api) {
  const ops = operations.map((o) => ({ ...o, regex: templateRegex(o.path), literal: !o.path.includes('{'), statuses: new Map(), calls: 0 }));
  const unmatched = [];
  for (const [call, statuses] of api) {
    const space = call.indexOf(' ');
    const method = call.slice(0, space);
    const p = call.slice(space + 1);
    const candidates = ops.filter((o) => o.method === method && (o.path === p || o.regex.test(p)));
    const op = candidates.find((o) => o.path === p) || candidates.find((o) => o.literal) || candidates[0];
    if (!op) {
      unmatched.push({ call, statuses: Object.fromEntries(statuses) });
      continue;
    }
    for (const [status, n] of statuses) {
      op.statuses.set(status, (op.statuses.get(status) || 0) + n);
      op.calls += n;
    }
  }
  return { ops, unmatched };
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

function statusText(statuses) {
  return [...statuses.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([s, n]) => `${s}×${n}`).join(' ');
}

function main() {
  const { operations, source } = JSON.parse(fs.readFileSync(OPERATIONS, 'utf8'));
  const reasons = fs.existsSync(REASONS) ? JSON.parse(fs.readFileSync(REASONS, 'utf8')).reasons : {};
  const reasonOf = (o) => reasons[`${o.method} ${o.path}`] || 'no reason recorded: a gap';
  const docs = latestRunFiles();
  const seen = merge(docs);
  const { ops, unmatched } = compare(operations, seen.api);
  const covered = ops.filter((o) => o.calls > 0);
  const byArea = new Map();
  for (const o of ops) {
    const a = byArea.get(o.area) || { area: o.area, total: 0, covered: 0 };
    a.total += 1;
    if (o.calls > 0) a.covered += 1;
    byArea.set(o.area, a);
  }
  const pct = ops.length ? Math.round((1000 * covered.length) / ops.length) / 10 : 0;
  const summary = {
    source,
    workers: docs.length,
    run: docs[0] ? docs[0].run : null,
    operations: { total: ops.length, covered: covered.length, percent: pct },
    areas: [...byArea.values()].sort((a, b) => a.area.localeCompare(b.area)),
    covered: covered.map((o) => ({ method: o.method, path: o.path, area: o.area, calls: o.calls, statuses: Object.fromEntries(o.statuses) })),
    untouched: ops.filter((o) => o.calls === 0).map((o) => ({ method: o.method, path: o.path, area: o.area, why: reasonOf(o) })),
    outsideTheList: unmatched,
    messages: Object.fromEntries(seen.messages),
    channels: Object.fromEntries(seen.channels),
    tables: Object.fromEntries(seen.tables),
  };
  fs.mkdirSync(path.join(root, 'reports'), { recursive: true });
  fs.writeFileSync(path.join(root, 'reports', 'coverage.json'), `${JSON.stringify(summary, null, 2)}\n`);

  const rows = ops.map((o) => `<tr class="${o.calls ? 'hit' : 'miss'}"><td>${o.area}</td><td>${o.method}</td><td><code>${escapeHtml(o.path)}</code></td><td>${o.calls ? escapeHtml(statusText(o.statuses)) : `untouched: ${escapeHtml(reasonOf(o))}`}</td></tr>`).join('\n');
  const list = (obj) => Object.entries(obj).map(([k, n]) => `<li><code>${escapeHtml(k)}</code> ×${n}</li>`).join('') || '<li>none</li>';
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Attune acceptance: contract coverage</title><style>
body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}
tr.hit td:nth-child(4){background:#d4f7d4}tr.miss td:nth-child(4){background:#f7ecc4}
</style></head><body><h1>Contract coverage of the last run</h1>
<p>${covered.length} of ${ops.length} operations of Attune 0.2.1's automation domain called (${pct} %), by ${docs.length} worker(s). Operations: <code>trace/attune-0.2.1-operations.json</code>.</p>
<h2>By area</h2><table><tr><th>Area</th><th>Called</th><th>Of</th></tr>${summary.areas.map((a) => `<tr><td>${a.area}</td><td>${a.covered}</td><td>${a.total}</td></tr>`).join('')}</table>
<h2>Operations</h2><table><tr><th>Area</th><th>Method</th><th>Path</th><th>Statuses seen</th></tr>
${rows}</table>
<h2>Calls outside the list</h2><ul>${unmatched.map((u) => `<li><code>${escapeHtml(u.call)}</code> ${escapeHtml(JSON.stringify(u.statuses))}</li>`).join('') || '<li>none</li>'}</ul>
<h2>Message types heard on tapped exchanges</h2><ul>${list(summary.messages)}</ul>
<h2>Notifier channels received</h2><ul>${list(summary.channels)}</ul>
<h2>Tables read</h2><ul>${list(summary.tables)}</ul>
</body></html>
`;
  fs.writeFileSync(path.join(root, 'reports', 'coverage.html'), html);

  const out = [];
  for (const a of summary.areas) out.push(`  ${a.area.padEnd(13)} ${String(a.covered).padStart(3)} of ${String(a.total).padStart(3)}`);
  const gaps = summary.untouched.filter((o) => !reasons[`${o.method} ${o.path}`]);
  if (gaps.length) out.push(`  untouched with no reason recorded (${gaps.length}): ${gaps.map((o) => `${o.method} ${o.path}`).join(', ')}`);
  out.push(`  message types: ${Object.keys(summary.messages).length}, notifier channels: ${Object.keys(summary.channels).length}, tables read: ${Object.keys(summary.tables).length}, calls outside the list: ${unmatched.length}`);
  out.push('coverage: reports/coverage.json, reports/coverage.html');
  out.push(docs.length ? `contract coverage: ${covered.length} of ${ops.length} operations (${pct} %)` : 'contract coverage: no run recorded (reports/coverage/ is empty)');
  process.stdout.write(`${out.join('\n')}\n`);
}

module.exports = { templateRegex, compare, merge };

if (require.main === module) main();
