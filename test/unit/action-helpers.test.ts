/**
 * The secret helpers as actions use them: a child python3 / node process with the helper folder on its search path,
 * the input document on stdin or in a parameter file, in each format the worker writes (stack/worker/parameters.ts).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { HELPER_PLACES } from '../../stack/worker/environments/action-helpers';
import { formatParameters, type ParameterFormat } from '../../stack/worker/parameters';

const DOC = { user: 'ada', db_password: "it's a \"secret\"\nline two", count: 3, flag: true };

const PYTHON = `
import json
from attune_action import get_secret, parameters
print(json.dumps({"doc": parameters(), "password": get_secret("db_password"), "missing": get_secret("nope", "fallback"), "again": get_secret("user")}))
`;
const NODE = `
const { getSecret, parameters } = require('attune-action');
console.log(JSON.stringify({ doc: parameters(), password: getSecret('db_password'), missing: getSecret('nope', 'fallback'), again: getSecret('user') }));
`;

function run(language: 'python' | 'node', format: ParameterFormat, delivery: 'stdin' | 'file'): Record<string, unknown> {
  const document = `${formatParameters(DOC, format)}\n`;
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', ATTUNE_PARAMETER_FORMAT: format, ATTUNE_PARAMETER_DELIVERY: delivery };
  let dir: string | undefined;
  if (delivery === 'file') {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attune-helper-test-'));
    env.ATTUNE_PARAMETER_FILE = path.join(dir, `parameters.${format}`);
    fs.writeFileSync(env.ATTUNE_PARAMETER_FILE, document);
  }
  env[HELPER_PLACES[language].variable] = HELPER_PLACES[language].dir;
  try {
    const r = language === 'python'
      ? spawnSync('python3', ['-c', PYTHON], { env, input: delivery === 'stdin' ? document : '', encoding: 'utf8' })
      : spawnSync('node', ['-e', NODE], { env, input: delivery === 'stdin' ? document : '', encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  } finally {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

for (const language of ['python', 'node'] as const) {
  test(`${language} helper: json on stdin and in a file gives the document, typed`, () => {
    for (const delivery of ['stdin', 'file'] as const) {
      const out = run(language, 'json', delivery);
      assert.deepEqual(out, { doc: DOC, password: DOC.db_password, missing: 'fallback', again: 'ada' }, delivery);
    }
  });

  test(`${language} helper: dotenv gives the values as text, quotes and newlines intact`, () => {
    const out = run(language, 'dotenv', 'stdin');
    assert.deepEqual(out, {
      doc: { user: 'ada', db_password: DOC.db_password, count: '3', flag: 'true' },
      password: DOC.db_password,
      missing: 'fallback',
      again: 'ada',
    });
  });

  test(`${language} helper: yaml gives the top-level values`, () => {
    const out = run(language, 'yaml', 'file');
    assert.equal(out.password, DOC.db_password);
    assert.equal(out.again, 'ada');
    assert.equal((out.doc as Record<string, unknown>).count, 3);
  });

  test(`${language} helper: no input at all is an empty document`, () => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', [HELPER_PLACES[language].variable]: HELPER_PLACES[language].dir };
    const code = language === 'python'
      ? ['-c', 'import json; from attune_action import get_secret, parameters; print(json.dumps([parameters(), get_secret("x")]))']
      : ['-e', "const h = require('attune-action'); console.log(JSON.stringify([h.parameters(), h.getSecret('x') ?? null]))"];
    const r = spawnSync(language === 'python' ? 'python3' : 'node', code, { env, input: '', encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [{}, null]);
  });
}
