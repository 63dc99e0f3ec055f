import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encryptJson, encryptionKeyHash } from '../../stack/common/crypto';
import { apiUrl, buildActionEnv } from '../../stack/worker/action-env';
import { effectiveTimeoutSeconds } from '../../stack/worker/action-runner';
import { inlineShellScript, shellParameterPrelude } from '../../stack/worker/inline-shell';
import { detectRuntimes, InvocationError, planInvocation, runtimeEnvVars, runtimeKindOf } from '../../stack/worker/runtimes';
import { mergeParameters, mergeSecrets, type SecretRow } from '../../stack/worker/secrets';
import { Slots } from '../../stack/worker/slots';

const KEY = 'unit-test-encryption-key-0123456789abcdef';

test('detectRuntimes: env list wins, else shell/python?/node/native', () => {
  assert.deepEqual(detectRuntimes({ ATTUNE_WORKER_RUNTIMES: 'shell, python ,shell' }), ['shell', 'python']);
  assert.deepEqual(detectRuntimes({}, () => true), ['shell', 'python', 'node', 'native']);
  assert.deepEqual(detectRuntimes({}, () => false), ['shell', 'node', 'native']);
});

const base = { packDir: '/p/pk', envDir: '/e/pk/shell' };

test('planInvocation: runtime defaults by ref/name', () => {
  const shell = { ref: 'core.shell', name: 'Shell', execution_config: {} };
  assert.deepEqual(planInvocation({ ...base, runtime: shell, entrypoint: 'a.sh', scriptPath: '/p/pk/actions/a.sh', scriptExists: true }),
    { kind: 'shell', command: '/bin/bash', args: [], mode: 'file', scriptPath: '/p/pk/actions/a.sh' });
  const py = planInvocation({ ...base, runtime: { ref: 'x.py', name: 'Python', execution_config: {} }, entrypoint: 'a.py', scriptPath: '/s/a.py', scriptExists: true });
  assert.deepEqual([py.command, py.args], ['python3', ['-u']]);
  const node = planInvocation({ ...base, runtime: { ref: 'core.nodejs', name: 'Node.js', execution_config: {} }, entrypoint: 'a.js', scriptPath: '/s/a.js', scriptExists: true });
  assert.equal(node.command, 'node');
  const native = planInvocation({ ...base, runtime: { ref: 'core.native', name: 'Native', execution_config: {} }, entrypoint: 'bin', scriptPath: '/s/bin', scriptExists: true });
  assert.deepEqual([native.command, native.args], ['/s/bin', []]);
});

test('planInvocation: execution_config.interpreter wins, tokens substituted, env interpreter when present', () => {
  const rt = { ref: 'core.python', name: 'Python', execution_config: { interpreter: { binary: 'python3.12', args: ['-u', '-X', 'pack={pack_dir}'] }, environment: { interpreter_path: '{env_dir}/bin/python3' } } };
  const a = planInvocation({ ...base, runtime: rt, entrypoint: 'a.py', scriptPath: '/s/a.py', scriptExists: true });
  assert.deepEqual([a.command, a.args], ['python3.12', ['-u', '-X', 'pack=/p/pk']]);
  const b = planInvocation({ ...base, runtime: rt, entrypoint: 'a.py', scriptPath: '/s/a.py', scriptExists: true, fileExists: (p) => p === '/e/pk/shell/bin/python3' });
  assert.equal(b.command, '/e/pk/shell/bin/python3');
});

test('planInvocation: null runtime by extension; missing file → inline shell or error', () => {
  assert.equal(planInvocation({ ...base, runtime: null, entrypoint: 'x.py', scriptPath: '/s/x.py', scriptExists: true }).command, 'python3');
  assert.equal(planInvocation({ ...base, runtime: null, entrypoint: 'x.sh', scriptPath: '/s/x.sh', scriptExists: true }).command, '/bin/bash');
  const inline = planInvocation({ ...base, runtime: { ref: 'core.shell', name: 'Shell', execution_config: {} }, entrypoint: 'echo hi', scriptPath: '/s/echo hi', scriptExists: false });
  assert.deepEqual([inline.mode, inline.command, inline.scriptPath], ['inline', '/bin/bash', null]);
  assert.equal(planInvocation({ ...base, runtime: null, entrypoint: 'echo hi', scriptPath: '/s/echo hi', scriptExists: false }).mode, 'inline');
  assert.throws(
    () => planInvocation({ ...base, runtime: { ref: 'core.python', name: 'Python', execution_config: {} }, entrypoint: 'gone.py', scriptPath: '/s/gone.py', scriptExists: false }),
    (e: unknown) => e instanceof InvocationError && /Action script not found: \/s\/gone.py/.test((e as Error).message),
  );
});

test('runtimeKindOf and runtime env vars', () => {
  assert.equal(runtimeKindOf({ ref: 'mypack.bash', name: 'bash', execution_config: {} }), 'shell');
  assert.equal(runtimeKindOf({ ref: 'x.ruby', name: 'Ruby', execution_config: {} }), undefined);
  const vars = runtimeEnvVars(
    { env_vars: { PYTHONPATH: { value: '{pack_dir}/lib', operation: 'prepend' }, X: 'y', ATTUNE_X: 'no', P: { value: 'b', operation: 'append', separator: ',' } } },
    { PYTHONPATH: '/old', P: 'a' },
    { pack_dir: '/p' },
  );
  assert.deepEqual(vars, { PYTHONPATH: '/p/lib:/old', X: 'y', P: 'a,b' });
});

test('mergeSecrets: system, then pack, then action override by name; decrypt; skip expired/bad', () => {
  const rows: SecretRow[] = [
    { owner_type: 'action', name: 'token', value: 'from-action', encrypted: false },
    { owner_type: 'system', name: 'token', value: 'from-system', encrypted: false },
    { owner_type: 'pack', name: 'token', value: 'from-pack', encrypted: false },
    { owner_type: 'pack', name: 'db', value: encryptJson({ user: 'u', n: 1 }, KEY), encrypted: true, encryption_key_hash: encryptionKeyHash(KEY) },
    { owner_type: 'system', name: 'old', value: 'x', encrypted: false, expires_at: new Date(Date.now() - 1000) },
    { owner_type: 'system', name: 'other', value: encryptJson('v', 'another-key-another-key-another-key!!'), encrypted: true, encryption_key_hash: 'nope' },
    { owner_type: 'identity', name: 'mine', value: 'x', encrypted: false },
  ];
  const { secrets, skipped } = mergeSecrets(rows, KEY);
  assert.deepEqual(secrets, { token: 'from-action', db: { user: 'u', n: 1 } });
  assert.deepEqual(skipped.map((s) => s.name).sort(), ['old', 'other']);
  assert.deepEqual(mergeParameters({ token: 'param', a: 1 }, secrets), { token: 'from-action', a: 1, db: { user: 'u', n: 1 } });
  assert.deepEqual(mergeParameters(null, {}), {});
});

test('buildActionEnv: strips inherited token and config overrides; ATTUNE_* cannot be overridden', () => {
  const env = buildActionEnv({
    baseEnv: { PATH: '/bin', ATTUNE_API_TOKEN: 'inherited', ATTUNE__SECURITY__JWT_SECRET: 's' },
    executionId: 12, actionRef: 'p.a', packRef: 'p', apiUrl: 'http://127.0.0.1:1', apiToken: 'jwt',
    ruleRef: 'p.r', triggerRef: null, parameterDelivery: 'stdin', parameterFormat: 'json',
    runtimeEnv: { LANG: 'C' }, executionEnvVars: { FOO: 'bar', ATTUNE_EXEC_ID: '999', N: 3 },
  });
  assert.equal(env.ATTUNE_API_TOKEN, 'jwt');
  assert.equal(env.ATTUNE__SECURITY__JWT_SECRET, undefined);
  assert.equal(env.ATTUNE_EXEC_ID, '12');
  assert.equal(env.ATTUNE_RULE, 'p.r');
  assert.equal(env.ATTUNE_TRIGGER, undefined);
  assert.equal(env.ATTUNE_PARAMETER_FILE, undefined);
  assert.deepEqual([env.FOO, env.N, env.LANG, env.PATH], ['bar', '3', 'C', '/bin']);
});

test('apiUrl rewrites wildcard binds', () => {
  assert.equal(apiUrl({ server: { host: '0.0.0.0', port: 8080, max_body_size: 1 } }), 'http://127.0.0.1:8080');
  assert.equal(apiUrl({ server: { host: '127.0.0.1', port: 18080, max_body_size: 1 } }), 'http://127.0.0.1:18080');
});

test('inline shell prelude: non-exported variables, quoting, reserved names kept', () => {
  const prelude = shellParameterPrelude({ msg: "it's", n: 2, obj: { a: 1 }, PATH: '/evil', 'bad-name': 1, nil: null });
  assert.equal(prelude, [`msg='it'\\''s'`, `PARAM_MSG='it'\\''s'`, `n='2'`, `PARAM_N='2'`, `obj='{"a":1}'`, `PARAM_OBJ='{"a":1}'`, `PARAM_PATH='/evil'`, `nil=''`, `PARAM_NIL=''`].join('\n') + '\n');
  assert.ok(!prelude.includes('export'));
  assert.deepEqual(inlineShellScript('echo hi', {}), { script: 'echo hi\n' });
});

test('inline shell: the script file holds no parameter value; the prelude goes to descriptor 3', () => {
  const inline = inlineShellScript('echo "$token"', { token: 'sekr1t-value' });
  assert.equal(inline.script, 'eval "$(cat <&3)"; exec 3<&-\necho "$token"\n');
  assert.ok(!inline.script.includes('sekr1t-value'));
  assert.equal(inline.prelude, `token='sekr1t-value'\nPARAM_TOKEN='sekr1t-value'\n`);
});

test('timeout resolution: execution, then action, then default', () => {
  assert.equal(effectiveTimeoutSeconds({ timeout_seconds: 5, action_timeout_seconds: 9 }, 600), 5);
  assert.equal(effectiveTimeoutSeconds({ timeout_seconds: null, action_timeout_seconds: 9 }, 600), 9);
  assert.equal(effectiveTimeoutSeconds({ timeout_seconds: null, action_timeout_seconds: null }, 600), 600);
});

test('Slots: at most N at once, FIFO hand-over', async () => {
  const s = new Slots(2);
  await s.acquire();
  await s.acquire();
  const order: number[] = [];
  const a = s.acquire().then(() => order.push(1));
  const b = s.acquire().then(() => order.push(2));
  assert.equal(s.waiting, 2);
  s.release();
  await a;
  s.release();
  await b;
  assert.deepEqual(order, [1, 2]);
  assert.equal(s.inUse, 2);
});
