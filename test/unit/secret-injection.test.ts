/**
 * Secret injection: the probes the suite runs (support/tasks/secret-probes.ts) against the worker's own inline shell
 * prelude, the record and log searches (support/questions/secrets.ts, support/service-logs.ts), and the faults that
 * widen the scope of the worker's claim statement (stack/worker/secrets.ts), which must really change it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { CLAIM_EXECUTION_SQL } from '../../stack/worker/action-runner';
import { inlineShellScript } from '../../stack/worker/inline-shell';
import { mergeSecrets, withSecretScopeFaults } from '../../stack/worker/secrets';
import { exposureOf, placesHolding, SHOWS_NOTHING, textForms, type ProbeReport } from '../../support/questions/secrets';
import { executionIdPattern, firstLogLineMatching, logLinesHolding, maskedLine } from '../../support/service-logs';
import { shellProbe } from '../../support/tasks/secret-probes';

const SECRET = `api_password-0123456789abcdef01234567 it's $HOME`;

function hasTools(): boolean {
  return spawnSync('bash', ['-c', 'command -v jq && command -v sha256sum'], { stdio: 'ignore' }).status === 0;
}

/** Runs the shell probe the way the worker runs an inline action: prelude + script in a file, the input on stdin. */
function runShellProbe(params: Record<string, unknown>, env: Record<string, string> = {}): ProbeReport {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'secret-probe-'));
  try {
    const file = path.join(dir, 'action.sh');
    const inline = inlineShellScript(shellProbe('api_password'), params);
    fs.writeFileSync(file, inline.script, { mode: 0o700 });
    // descriptor 3 carries the prelude, as the worker's process runner gives it (here from a file of the test's own)
    const preludeFile = path.join(dir, 'prelude');
    fs.writeFileSync(preludeFile, inline.prelude ?? '');
    const run = spawnSync('/bin/bash', ['-c', 'exec /bin/bash "$1" 3<"$2"', 'probe', file, preludeFile], {
      input: `${JSON.stringify(params)}\n`,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ATTUNE_EXEC_ID: '7', ...env },
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    return JSON.parse(run.stdout.trim()) as ProbeReport;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('shell probe: under 1024 characters, refuses a name that is no identifier', () => {
  assert.ok(shellProbe('api_password').length <= 1024);
  assert.throws(() => shellProbe('api password'), /lower-case identifier/);
});

test('shell probe through the worker prelude: the value arrives intact, in unexported variables only', { skip: !hasTools() && 'bash, jq or sha256sum missing' }, () => {
  const report = runShellProbe({ api_password: SECRET, ticket: 'T-1' });
  assert.deepEqual(report.shell_variables, { api_password: 'same', PARAM_API_PASSWORD: 'same' });
  assert.deepEqual(report.input_names, ['api_password', 'ticket']);
  assert.deepEqual(exposureOf(report, 'api_password', SECRET), SHOWS_NOTHING);
});

test('shell probe: a variable holding the value is named, whatever its name', { skip: !hasTools() && 'bash, jq or sha256sum missing' }, () => {
  const report = runShellProbe({ api_password: SECRET }, { SOMETHING_ELSE: `prefix ${SECRET}`, API_PASSWORD: 'x' });
  const exposure = exposureOf(report, 'api_password', SECRET);
  assert.deepEqual(exposure.variablesHoldingIt, ['SOMETHING_ELSE']);
  assert.deepEqual(exposure.variablesNamedAfterIt, ['API_PASSWORD']);
});

test('placesHolding: strings, keys and escaped forms, by path; nothing when absent', () => {
  const record = {
    config: { ticket: 'T-1' },
    result: { stdout: `ok ${SECRET}\n`, input: JSON.stringify({ api_password: `say "${SECRET}"` }) },
    [SECRET]: 1,
  };
  assert.deepEqual(placesHolding(record, SECRET), ['$.result.stdout', '$.result.input', '$ (a key)']);
  assert.deepEqual(placesHolding({ config: { ticket: 'T-1' }, n: 5 }, SECRET), []);
  assert.deepEqual(placesHolding({ list: [1, { v: 42 }] }, 42), ['$.list[1].v']);
  assert.deepEqual(textForms('a "quoted" \\ value'), ['a "quoted" \\ value', 'a \\"quoted\\" \\\\ value']);
});

test('service logs: lines holding a text, masked; execution ids match whole numbers only', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'service-logs-'));
  try {
    fs.writeFileSync(path.join(dir, 'api.log'), '{"msg":"api ready"}\n{"msg":"key request","body":{"value":"s3cret"}}\n');
    fs.writeFileSync(path.join(dir, 'worker.log'), '{"execution_id":12,"msg":"execution finished"}\n');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 's3cret\n');
    const found = logLinesHolding(['s3cret'], dir);
    assert.deepEqual(found.map((l) => `${l.file}:${l.line}`), ['api.log:2']);
    assert.equal(maskedLine(found[0], ['s3cret']), 'api.log:2: {"msg":"key request","body":{"value":"«the secret»"}}');
    assert.deepEqual(firstLogLineMatching(executionIdPattern(12), dir), { file: 'worker.log', line: 1, text: '{"execution_id":12,"msg":"execution finished"}' });
    assert.equal(firstLogLineMatching(executionIdPattern(13), dir), undefined);
    assert.ok(executionIdPattern(12).test('{"execution_id":12,"msg":"x"}'));
    assert.ok(executionIdPattern(12).test('execution_id=12 status=completed'));
    assert.ok(!executionIdPattern(1).test('{"execution_id":12}'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('claim statement: no fault leaves the secret scope alone, and identity keys are never merged', () => {
  assert.equal(withSecretScopeFaults(CLAIM_EXECUTION_SQL), CLAIM_EXECUTION_SQL);
  const rows = [
    { owner_type: 'identity', name: 'personal_token', value: 'mine', encrypted: false },
    { owner_type: 'pack', name: 'pack_note', value: 'from the pack', encrypted: false },
  ];
  assert.deepEqual(mergeSecrets(rows, '').secrets, { pack_note: 'from the pack' });
});

test('claim statement: the scope faults really widen it (identity keys merged too, every pack)', () => {
  const code = `
    const { CLAIM_EXECUTION_SQL } = require('./stack/worker/action-runner');
    const { mergeSecrets, withSecretScopeFaults } = require('./stack/worker/secrets');
    const rows = [{ owner_type: 'identity', name: 'personal_token', value: 'mine', encrypted: false }];
    process.stdout.write(JSON.stringify({ sql: withSecretScopeFaults(CLAIM_EXECUTION_SQL), merged: mergeSecrets(rows, '').secrets }));`;
  const run = spawnSync(process.execPath, ['--require', 'ts-node/register/transpile-only', '-e', code], {
    cwd: path.resolve(__dirname, '../..'),
    env: { ...process.env, ATTUNE_FAULTS: 'identity-keys-delivered,secrets-of-every-pack' },
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  const { sql, merged } = JSON.parse(run.stdout) as { sql: string; merged: Record<string, unknown> };
  assert.match(sql, /k\.owner_type IN \('system', 'identity'\)/);
  assert.match(sql, /OR k\.owner_type = 'pack'\s/);
  assert.doesNotMatch(sql, /k\.owner_pack = a\.pack/);
  assert.deepEqual(merged, { personal_token: 'mine' });
});
