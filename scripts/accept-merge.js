#!/usr/bin/env node
/*
 * `npm run accept:merge [-- <shard json> …]`: joins the shards of a sharded run (`npm run accept -- --shard K/N`, each
 * writing reports/shards/shard-K-of-N.json) into reports/cucumber.json and builds the one release report from it
 * (reports/acceptance.html, scripts/report.js). A feature split across shards is joined back into one, its scenarios
 * in file order. Prints each shard's scenario count, then the report's verdict line.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');

function mergeReports(reports) {
  const byUri = new Map();
  for (const features of reports) {
    for (const f of features) {
      const seen = byUri.get(f.uri);
      if (!seen) byUri.set(f.uri, { ...f, elements: [...(f.elements || [])] });
      else seen.elements.push(...(f.elements || []));
    }
  }
  const merged = [...byUri.values()].sort((a, b) => a.uri.localeCompare(b.uri));
  for (const f of merged) f.elements.sort((a, b) => (a.line || 0) - (b.line || 0));
  return merged;
}

function main() {
  const dir = path.join(ROOT, 'reports', 'shards');
  const files = process.argv.slice(2).length
    ? process.argv.slice(2).map((f) => path.resolve(f))
    : fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /^shard-\d+-of-\d+\.json$/.test(f)).sort().map((f) => path.join(dir, f)) : [];
  if (!files.length) {
    process.stderr.write('accept:merge: no shard reports (reports/shards/shard-K-of-N.json); run `npm run accept -- --shard K/N` first\n');
    return 2;
  }
  const reports = files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));
  reports.forEach((r, i) => {
    const n = r.reduce((m, f) => m + (f.elements || []).filter((e) => e.type !== 'background').length, 0);
    process.stdout.write(`${path.relative(ROOT, files[i])}: ${n} scenario(s)\n`);
  });
  fs.writeFileSync(path.join(ROOT, 'reports', 'cucumber.json'), JSON.stringify(mergeReports(reports)));
  // the per-run facts of messages.ndjson belong to one shard only: the merged report goes without them
  fs.rmSync(path.join(ROOT, 'reports', 'messages.ndjson'), { force: true });
  const r = spawnSync(process.execPath, [path.join(__dirname, 'report.js')], { cwd: ROOT, stdio: 'inherit' });
  return r.status ?? 1;
}

module.exports = { mergeReports };

if (require.main === module) process.exitCode = main();
