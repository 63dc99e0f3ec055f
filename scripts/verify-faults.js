#!/usr/bin/env node
/*
 * The fault catalog as a reproducible proof (`npm run verify:faults [-- <fault> …]`).
 *
 * For every entry of stack/common/faults.ts with a non-empty `guardedBy` (or only the faults named on the
 * command line) it starts the isolated fault stack with that fault on (scripts/fault-stack.sh), runs the
 * guarding features against it, stops it, and gives a verdict:
 *   CAUGHT  at least one scenario failed (the scenarios and the first line of each failure are recorded)
 *   MISSED  every scenario passed: the fault does not break what it claims, or no scenario guards it
 *   BROKEN  the stack did not start, the run timed out, or it ended before any scenario ran/finished
 * Before the faults, one CONTROL run starts the same isolated stack with no fault (`start none`) and runs
 * the union of the guarding features: every scenario must pass, otherwise a CAUGHT verdict proves nothing.
 *
 * Writes reports/faults/<fault>.json (cucumber JSON), reports/faults/<fault>.log (the run's output) and
 * reports/faults/summary.md; prints the table. Exit code 0 only when the control passed and every fault
 * was CAUGHT.
 *
 * Options:  --timeout <s>   hard bound of one cucumber run (default 180; the run's process group is killed)
 *           --no-control    skip the control run (exit code then ignores it)
 *           --no-build      skip the initial `tsc -p stack/tsconfig.json`
 *           --write-docs    also replace the results table in docs/fault-catalog.md
 *           --merge-docs    update only the verified faults' rows of that table (new faults are added in catalog
 *                           order; the rows of faults not run this time are kept as they were, with their own dates)
 *           --all           run each fault against the whole suite (features/) instead of its guardedBy: shows which
 *                           scenarios catch what nobody mapped (slow: one full run per fault)
 * The last line is `caught N of M` (the exit code is non-zero below M of M or when the control failed).
 */
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const OUT_DIR = path.join(ROOT, 'reports', 'faults');
const LOCK_OWNER = '/tmp/attune-fault-stack.lock/owner';
const DOC = path.join(ROOT, 'docs', 'fault-catalog.md');
const START_GUARD_S = 720; // fault-stack.sh bounds itself: up to 600 s waiting for the lock, 90 s for readiness
const STOP_GUARD_S = 60;

function parseArgs(argv) {
  const opts = { names: [], timeoutS: 180, control: true, build: true, writeDocs: false, mergeDocs: false, all: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--timeout') opts.timeoutS = Number(argv[++i]);
    else if (a.startsWith('--timeout=')) opts.timeoutS = Number(a.slice('--timeout='.length));
    else if (a === '--no-control') opts.control = false;
    else if (a === '--no-build') opts.build = false;
    else if (a === '--write-docs') opts.writeDocs = true;
    else if (a === '--merge-docs') opts.mergeDocs = true;
    else if (a === '--all') opts.all = true;
    else if (a === '-h' || a === '--help') {
      console.log('usage: node scripts/verify-faults.js [--timeout <s>] [--no-control] [--no-build] [--write-docs|--merge-docs] [--all] [fault …]');
      process.exit(0);
    } else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else opts.names.push(...a.split(',').filter(Boolean));
  }
  if (!Number.isFinite(opts.timeoutS) || opts.timeoutS <= 0) throw new Error('--timeout needs a positive number of seconds');
  return opts;
}

/** Runs a command in its own process group; kills the whole group when `timeoutS` passes. Output goes to `logFile` and back. */
function run(cmd, args, { env = process.env, timeoutS, logFile, echo = false } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const sink = logFile ? fs.createWriteStream(logFile, { flags: 'a' }) : null;
    const onData = (chunk) => {
      output += chunk;
      if (sink) sink.write(chunk);
      if (echo) process.stdout.write(chunk);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, 5000).unref();
    }, timeoutS * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (sink) sink.end();
      resolve({ code, signal, timedOut, output, pid: child.pid, seconds: (Date.now() - started) / 1000 });
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      if (sink) sink.end();
      resolve({ code: -1, signal: null, timedOut, output: String(err), pid: child.pid, seconds: (Date.now() - started) / 1000 });
    });
  });
}

/** The catalog from the compiled stack (the verifier itself must not carry ATTUNE_FAULTS). */
function loadCatalog() {
  const saved = process.env.ATTUNE_FAULTS;
  delete process.env.ATTUNE_FAULTS;
  try {
    return require(path.join(ROOT, 'stack', 'dist', 'common', 'faults.js')).FAULTS;
  } finally {
    if (saved !== undefined) process.env.ATTUNE_FAULTS = saved;
  }
}

function suiteEnv() {
  const res = spawnSync('bash', ['scripts/fault-stack.sh', 'env'], { cwd: ROOT, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`fault-stack.sh env failed: ${res.stderr}`);
  const env = { ...process.env };
  delete env.ATTUNE_FAULTS;
  for (const line of res.stdout.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2];
  }
  return env;
}

/** A cucumber config with the project's default profile minus its report files (they belong to the main runs). */
function writeCucumberConfig() {
  const file = path.join(OUT_DIR, 'cucumber.config.js');
  fs.writeFileSync(
    file,
    "'use strict';\n// generated by scripts/verify-faults.js: the project's default profile without its report files\n" +
      `const profiles = require(${JSON.stringify(path.join(ROOT, 'cucumber.js'))});\n` +
      'module.exports = { default: { ...profiles.default, format: [] } };\n',
  );
  return file;
}

function ownsLock(startPid) {
  try {
    return fs.readFileSync(LOCK_OWNER, 'utf8').split(' ')[0] === String(startPid);
  } catch {
    return false;
  }
}

function firstLine(text) {
  const line = String(text ?? '').split('\n').map((l) => l.trim()).find((l) => l !== '');
  return line ?? '';
}

/** The first line of a failure; a bare "AssertionError" gets chai's diff (expected / actual) appended. */
function failureSummary(text) {
  const first = firstLine(text);
  // support/eventually.ts timeouts: the first line names what was awaited; add why the last attempt was not good enough
  const lastError = /\nLast error: (.+)/.exec(String(text));
  if (lastError && lastError[1].trim() !== '(none)') return `${first} — last error: ${lastError[1].trim()}`;
  const observed = /\nLast observed value:\n([\s\S]*?)(?:\nLast error:|\n\s+at |$)/.exec(String(text));
  if (observed) {
    const compact = observed[1].replace(/\s+/g, ' ').trim();
    return `${first} — last observed: ${compact.length > 160 ? `${compact.slice(0, 157)}...` : compact}`;
  }
  if (!/^[A-Za-z]*Error:?$/.test(first)) return first;
  const lines = String(text).split('\n').map((l) => l.trim());
  const header = lines.findIndex((l) => l === '+ expected - actual');
  if (header < 0) return first;
  const body = lines.slice(header + 1).filter((l) => !l.startsWith('at '));
  const expected = body.filter((l) => l.startsWith('+')).map((l) => l.slice(1).trim()).slice(0, 3).join(' ');
  const actual = body.filter((l) => l.startsWith('-')).map((l) => l.slice(1).trim()).slice(0, 3).join(' ');
  return `${first} (expected ${expected || '?'}, actual ${actual || '?'})`;
}

/** Scenario outcomes from cucumber's JSON report. */
function readScenarios(jsonFile) {
  let features;
  try {
    features = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
  } catch {
    return null;
  }
  const out = [];
  for (const feature of features) {
    for (const el of feature.elements ?? []) {
      if (el.type !== 'scenario') continue;
      const steps = [...(el.before ?? []), ...(el.steps ?? []), ...(el.after ?? [])];
      const bad = steps.find((s) => s.result && ['failed', 'undefined', 'ambiguous', 'pending'].includes(s.result.status));
      const statuses = steps.map((s) => s.result?.status);
      const status = bad ? 'failed' : statuses.every((s) => s === 'passed') ? 'passed' : 'skipped';
      const where = `${feature.uri}:${el.line}`;
      const message = bad ? failureSummary(bad.result.error_message) || `step ${bad.result.status}: ${bad.name ?? bad.keyword ?? ''}` : '';
      out.push({ name: el.name, where, status, step: bad ? `${(bad.keyword ?? '').trim()} ${bad.name ?? '(hook)'}`.trim() : '', message });
    }
  }
  return out;
}

/** A guard that is an integration test file (test/integration/*.test.ts) rather than a feature. */
const isIntegrationTest = (g) => g.split(':')[0].startsWith('test/integration/');

/**
 * A fault guarded by integration tests: they start their own isolated stack (test/integration/lib/itest-stack.ts),
 * which takes the fault from ATTUNE_ITEST_FAULTS. CAUGHT when at least one test fails; tests are named by file.
 */
async function verifyByIntegrationTests(label, faults, guardedBy, opts) {
  const logFile = path.join(OUT_DIR, `${label}.log`);
  fs.rmSync(logFile, { force: true });
  const started = Date.now();
  const result = { label, guardedBy, verdict: 'BROKEN', scenarios: [], reason: '', seconds: 0 };
  const files = [...new Set(guardedBy.map((g) => g.split(':')[0]))];
  const env = { ...process.env, ATTUNE_ITEST_FAULTS: faults === 'none' ? '' : faults };
  const r = await run('node', ['--require', 'ts-node/register/transpile-only', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files], { env, timeoutS: opts.timeoutS, logFile });
  result.seconds = Math.round((Date.now() - started) / 1000);
  if (r.timedOut) {
    result.reason = `the integration tests did not finish within ${opts.timeoutS} s (killed)`;
    return result;
  }
  const count = (what) => Number((new RegExp(`ℹ ${what} (\\d+)`).exec(r.output) ?? [])[1] ?? NaN);
  const pass = count('pass');
  const fail = count('fail');
  if (!Number.isFinite(pass) || !Number.isFinite(fail)) {
    result.reason = `the integration tests ended without a summary (exit ${r.code})`;
    return result;
  }
  // the failing tests by name, from the spec reporter's "failing tests" list
  const failing = r.output.split('failing tests:')[1] ?? '';
  const names = [...failing.matchAll(/^✖ (.+?) \(\d/gm)].map((m) => m[1]);
  for (let i = 0; i < pass; i++) result.scenarios.push({ name: `test ${i + 1}`, where: files.join(' '), status: 'passed', step: '', message: '' });
  for (const name of names.length ? names.slice(0, fail) : Array.from({ length: fail }, (_, i) => `failing test ${i + 1}`)) {
    result.scenarios.push({ name, where: files.join(' '), status: 'failed', step: 'integration test', message: 'failed (see reports/faults/' + label + '.log)' });
  }
  result.verdict = fail > 0 ? 'CAUGHT' : 'MISSED';
  return result;
}

async function verifyOne(label, faults, guardedBy, opts, cucumberConfig) {
  if (guardedBy.length > 0 && guardedBy.every(isIntegrationTest)) return verifyByIntegrationTests(label, faults, guardedBy, opts);
  if (guardedBy.some(isIntegrationTest)) throw new Error(`${label}: guardedBy mixes features and integration tests; name one kind`);
  const logFile = path.join(OUT_DIR, `${label}.log`);
  const jsonFile = path.join(OUT_DIR, `${label}.json`);
  fs.rmSync(logFile, { force: true });
  fs.rmSync(jsonFile, { force: true });
  const started = Date.now();
  const result = { label, guardedBy, verdict: 'BROKEN', scenarios: [], reason: '', seconds: 0 };

  const start = await run('bash', ['scripts/fault-stack.sh', 'start', faults], {
    env: { ...process.env, ATTUNE_SKIP_BUILD: '1', ATTUNE_FAULTS: '' },
    timeoutS: START_GUARD_S,
    logFile,
  });
  const ours = ownsLock(start.pid);
  try {
    if (start.code !== 0 || start.timedOut) {
      result.reason = start.timedOut ? `the fault stack did not start within ${START_GUARD_S} s` : `the fault stack did not start: ${firstLine(start.output.split('\n').filter((l) => /fail|error|did not|another/i.test(l)).join('\n')) || `exit ${start.code}`}`;
      return result;
    }
    const cucumber = await run(
      'npx',
      ['cucumber-js', '--config', path.relative(ROOT, cucumberConfig), ...guardedBy, '--format', `json:${path.relative(ROOT, jsonFile)}`, '--format', 'summary', '--parallel', '2'],
      { env: suiteEnv(), timeoutS: opts.timeoutS, logFile },
    );
    const scenarios = cucumber.timedOut ? null : readScenarios(jsonFile);
    if (cucumber.timedOut) {
      result.reason = `the run did not finish within ${opts.timeoutS} s (killed)`;
    } else if (!scenarios || scenarios.length === 0) {
      result.reason = `the run ended before any scenario (exit ${cucumber.code}): ${firstLine(cucumber.output.split('\n').filter((l) => /error|fail/i.test(l)).join('\n')) || 'no report'}`;
    } else {
      result.scenarios = scenarios;
      const failed = scenarios.filter((s) => s.status === 'failed');
      const passed = scenarios.filter((s) => s.status === 'passed');
      if (failed.length > 0) result.verdict = 'CAUGHT';
      else if (passed.length === 0) result.reason = 'every scenario was skipped';
      else result.verdict = 'MISSED';
      if (failed.length === 0 && cucumber.code !== 0 && result.verdict === 'MISSED') {
        result.verdict = 'BROKEN';
        result.reason = `cucumber exited ${cucumber.code} although no scenario failed (a hook or the run itself errored)`;
      }
    }
    return result;
  } finally {
    if (ours) await run('bash', ['scripts/fault-stack.sh', 'stop'], { timeoutS: STOP_GUARD_S, logFile });
    result.seconds = Math.round((Date.now() - started) / 1000);
  }
}

/** Table text: pipes escaped, one line, and paths relative to the repository (the docs never name a machine's paths). */
function mdEscape(s) {
  return String(s).split(`${ROOT}/`).join('').split(ROOT).join('.').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function resultTable(control, results, catalog) {
  const lines = [
    '| fault | description | guarded by | verdict | failing scenarios | message |',
    '|---|---|---|---|---|---|',
  ];
  const rowFor = (name, description, r) => {
    const failed = r.scenarios.filter((s) => s.status === 'failed');
    const scen = failed.map((s) => `${s.name} (${s.where})`).join('<br>') || '–';
    const msg = failed.length ? failed.map((s) => `${s.step ? `_${s.step}_: ` : ''}${s.message}`).join('<br>') : r.reason || (r.verdict === 'MISSED' || r.verdict === 'PASS' ? `all ${r.scenarios.length} scenario(s) passed` : '');
    return `| ${mdEscape(name)} | ${mdEscape(description)} | ${r.guardedBy.map((g) => `\`${g}\``).join('<br>')} | **${r.verdict}** | ${mdEscape(scen)} | ${mdEscape(msg)} |`;
  };
  if (control) lines.push(rowFor('(control: none)', 'the isolated stack with no fault: every guarding scenario must pass', control));
  for (const r of results) lines.push(rowFor(r.label, catalog[r.label]?.description ?? '', r));
  return lines.join('\n');
}

function printTable(control, results) {
  const rows = [];
  if (control) rows.push(['(control: none)', control.verdict, `${control.seconds}s`, control.reason || `${control.scenarios.filter((s) => s.status === 'passed').length}/${control.scenarios.length} passed`]);
  for (const r of results) {
    const failed = r.scenarios.filter((s) => s.status === 'failed');
    rows.push([r.label, r.verdict, `${r.seconds}s`, failed.length ? `${failed.length}/${r.scenarios.length} failed` : r.reason || `${r.scenarios.length} passed`]);
    for (const s of failed) rows.push(['', '', '', `  ${s.where} ${s.name} | ${s.step}: ${s.message}`.slice(0, 260)]);
  }
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length), ['fault', 'verdict', 'time'][i].length));
  const fmt = (r) => r.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c)).join('  ');
  console.log(fmt(['fault', 'verdict', 'time', 'detail']));
  console.log(fmt(widths.map((w) => '-'.repeat(w)).concat('------')));
  for (const r of rows) console.log(fmt(r));
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  fs.mkdirSync(OUT_DIR, { recursive: true });
  if (opts.build) {
    console.log('building the stack (npx tsc -p stack/tsconfig.json) ...');
    const b = spawnSync('npx', ['tsc', '-p', 'stack/tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
    if (b.status !== 0) {
      console.error('stack build failed; nothing verified');
      process.exit(2);
    }
  }
  const catalog = loadCatalog();
  for (const name of opts.names) {
    if (!(name in catalog)) throw new Error(`unknown fault '${name}'; known: ${Object.keys(catalog).join(', ')}`);
    if (catalog[name].guardedBy.length === 0) throw new Error(`fault '${name}' has no guardedBy yet: nothing would be proven`);
  }
  const selected = (opts.names.length ? opts.names : Object.keys(catalog).filter((n) => catalog[n].guardedBy.length > 0));
  if (selected.length === 0) {
    console.log('no catalog entry has a guardedBy yet: nothing to verify');
    return 0;
  }
  const cucumberConfig = writeCucumberConfig();
  const featuresOf = (g) => g.split(':')[0];
  const guardsOf = (name) => (opts.all ? ['features'] : catalog[name].guardedBy);
  let control = null;
  // the control run covers the features; integration tests prove their own control in every `npm test`
  const all = [...new Set(selected.flatMap((n) => guardsOf(n).map(featuresOf)))].filter((g) => !isIntegrationTest(g)).sort();
  if (opts.control && all.length > 0) {
    console.log(`control: no fault, ${all.join(' ')} ...`);
    control = await verifyOne('none', 'none', all, opts, cucumberConfig);
    const failed = control.scenarios.filter((s) => s.status !== 'passed');
    control.verdict = control.verdict === 'MISSED' && failed.length === 0 ? 'PASS' : 'FAIL';
    if (control.verdict === 'FAIL' && !control.reason) control.reason = `${failed.length} scenario(s) did not pass without any fault`;
    console.log(`  ${control.verdict} (${control.seconds}s)${control.reason ? ': ' + control.reason : ''}`);
  }
  const results = [];
  for (const name of selected) {
    console.log(`${name}: ${guardsOf(name).join(' ')} ...`);
    const r = await verifyOne(name, name, guardsOf(name), opts, cucumberConfig);
    console.log(`  ${r.verdict} (${r.seconds}s)${r.reason ? ': ' + r.reason : ''}`);
    results.push(r);
  }
  const seconds = Math.round((Date.now() - t0) / 1000);
  console.log('');
  printTable(control, results);
  const table = resultTable(control, results, catalog);
  const stamp = new Date().toISOString();
  const ok = (!control || control.verdict === 'PASS') && results.every((r) => r.verdict === 'CAUGHT');
  const summary =
    `# Fault verification (${stamp})\n\n` +
    `${results.length} fault(s), ${opts.control ? 'with' : 'without'} the control run, ${seconds} s in all, cucumber timeout ${opts.timeoutS} s per run. ` +
    `Result: **${ok ? 'every fault caught' : 'NOT PROVEN'}**.\n\n${table}\n`;
  fs.writeFileSync(path.join(OUT_DIR, 'summary.md'), summary);
  if (opts.writeDocs) updateDocs(`_Last run: ${stamp}, ${seconds} s in all._\n\n${table}`);
  else if (opts.mergeDocs) mergeDocs(table, catalog, stamp);
  console.log(`\n${ok ? 'every fault CAUGHT' : 'NOT PROVEN'}; ${seconds} s in all; reports/faults/summary.md`);
  const caught = results.filter((r) => r.verdict === 'CAUGHT').length;
  console.log(`caught ${caught} of ${results.length}${control ? ` (control ${control.verdict})` : ''}`);
  return ok ? 0 : 1;
}

/** Replaces the verified faults' rows of the docs table (keyed by the fault name in the first cell), adds new ones. */
function mergeDocs(table, catalog, stamp) {
  const begin = '<!-- fault-results:begin -->';
  const end = '<!-- fault-results:end -->';
  const text = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : '';
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i < 0 || j < i) {
    console.error(`${path.relative(ROOT, DOC)} has no ${begin} … ${end} block; docs not updated`);
    return;
  }
  const nameOf = (row) => row.split(' | ')[0].replace(/^\|\s*/, '').trim();
  const block = text.slice(i + begin.length, j).split('\n');
  const header = block.filter((l) => !l.startsWith('| ') || l.startsWith('| fault |'));
  const rows = new Map(block.filter((l) => l.startsWith('| ') && !l.startsWith('| fault |')).map((l) => [nameOf(l), l]));
  const fresh = table.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| fault |'));
  for (const row of fresh) {
    const name = nameOf(row);
    rows.set(name, name === '(control: none)' ? row : row.replace(/\| \*\*(\w+)\*\* \|/, `| **$1** (${stamp.slice(0, 10)}) |`));
  }
  const order = ['(control: none)', ...Object.keys(catalog)];
  const ordered = [...rows.entries()].sort(([a], [b]) => (order.indexOf(a) >>> 0) - (order.indexOf(b) >>> 0)).map(([, l]) => l);
  const lastHeader = header.findIndex((l) => l.startsWith('|---'));
  const out = [...header.slice(0, lastHeader + 1), ...ordered, ...header.slice(lastHeader + 1)];
  fs.writeFileSync(DOC, `${text.slice(0, i + begin.length)}${out.join('\n')}${text.slice(j)}`);
}

function updateDocs(block) {
  const begin = '<!-- fault-results:begin -->';
  const end = '<!-- fault-results:end -->';
  let text = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : '';
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i < 0 || j < i) {
    console.error(`${path.relative(ROOT, DOC)} has no ${begin} … ${end} block; docs not updated`);
    return;
  }
  text = `${text.slice(0, i + begin.length)}\n${block}\n${text.slice(j)}`;
  fs.writeFileSync(DOC, text);
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
