import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { actionHelperLanguages, HELPER_PLACES, withActionHelpers } from '../../stack/worker/environments/action-helpers';
import { ensureEnvironment, EnvironmentError } from '../../stack/worker/environments/ensure';
import { meaningfulErrorLine } from '../../stack/worker/environments/error-line';
import { hostExecutable } from '../../stack/worker/environments/host-interpreter';
import { environmentDir, runtimeSegment, STAMP_FILE } from '../../stack/worker/environments/layout';
import { stagedPackageJson, ManifestError } from '../../stack/worker/environments/node-manifest';
import { buildCommandEnv, withOfflineFlags } from '../../stack/worker/environments/offline';
import { pruneOrphanEnvironments } from '../../stack/worker/environments/prune';
import { SingleFlight } from '../../stack/worker/environments/single-flight';
import { environmentSpec } from '../../stack/worker/environments/spec';

test('layout: {root}/{pack}/{canonical runtime}', () => {
  assert.equal(runtimeSegment('Python'), 'python');
  assert.equal(runtimeSegment('Node.js'), 'node');
  assert.equal(runtimeSegment('nodejs'), 'node');
  assert.equal(runtimeSegment(null), 'default');
  assert.equal(environmentDir('/envs', 'pk', 'Python'), path.join('/envs', 'pk', 'python'));
  assert.equal(environmentDir('/envs', 'pk', 'Node.js'), path.join('/envs', 'pk', 'node'));
});

test('spec: a runtime with env_type, manifest and install command has an environment; none/shell has not', () => {
  const python = environmentSpec({
    environment: { env_type: 'virtualenv', create_command: ['python3', '-m', 'venv', '{env_dir}'], interpreter_path: '{env_dir}/bin/python3' },
    dependencies: { manifest_file: 'requirements.txt', install_command: ['pip', 'install', '-r', '{manifest_path}'] },
  });
  assert.deepEqual(python, {
    envType: 'virtualenv',
    manifestFile: 'requirements.txt',
    createCommand: ['python3', '-m', 'venv', '{env_dir}'],
    installCommand: ['pip', 'install', '-r', '{manifest_path}'],
    interpreterPath: '{env_dir}/bin/python3',
  });
  assert.equal(environmentSpec({ environment: { env_type: 'none' } }), null);
  assert.equal(environmentSpec({}), null);
  assert.equal(environmentSpec(null), null);
  assert.equal(environmentSpec({ environment: { env_type: 'node_modules' }, dependencies: { manifest_file: 'package.json' } }), null, 'no install command');
  assert.equal(environmentSpec({ environment: { env_type: 'node_modules' }, dependencies: { manifest_file: '../x.json', install_command: ['npm'] } }), null, 'manifest outside the pack');
});

test('error line: pip ERROR line, npm message line (not code/log lines), else last line', () => {
  const pip = [
    'Looking in links: wheels',
    'ERROR: Could not find a version that satisfies the requirement e2e-greeting==9.9.9 (from versions: 1.0.0, 2.0.0)',
    'ERROR: No matching distribution found for e2e-greeting==9.9.9',
  ].join('\n');
  assert.equal(meaningfulErrorLine(pip), 'ERROR: No matching distribution found for e2e-greeting==9.9.9');
  const npmMissing = [
    'npm error code ENOENT',
    'npm error syscall open',
    'npm error path /p/vendor/x-1.0.0.tgz',
    'npm error errno -2',
    "npm error enoent ENOENT: no such file or directory, open '/p/vendor/x-1.0.0.tgz'",
    'npm error enoent This is related to npm not being able to find a file.',
    'npm error enoent',
    'npm error A complete log of this run can be found in: /root/.npm/_logs/x.log',
  ].join('\n');
  assert.equal(meaningfulErrorLine(npmMissing), "npm error enoent ENOENT: no such file or directory, open '/p/vendor/x-1.0.0.tgz'");
  const npmOffline = [
    'npm error code ENOTCACHED',
    "npm error request to https://registry.npmjs.org/left-pad failed: cache mode is 'only-if-cached' but no cached response is available.",
    'npm error A complete log of this run can be found in: /root/.npm/_logs/y.log',
  ].join('\n');
  assert.match(meaningfulErrorLine(npmOffline)!, /left-pad failed: cache mode is 'only-if-cached'/);
  assert.equal(meaningfulErrorLine('one\n\ntwo\n'), 'two');
  assert.equal(meaningfulErrorLine('  \n'), null);
});

test('node manifest: local specs become absolute file: specs, registry specs stay', () => {
  const staged = JSON.parse(
    stagedPackageJson(
      JSON.stringify({
        name: 'p',
        dependencies: { a: 'file:vendor/a-1.0.0.tgz', b: '^1.2.3', c: './lib/c' },
        optionalDependencies: { d: 'file:../outside' },
        workspaces: ['x'],
      }),
      '/packs/p',
    ),
  );
  assert.deepEqual(staged.dependencies, { a: 'file:/packs/p/vendor/a-1.0.0.tgz', b: '^1.2.3', c: 'file:/packs/p/lib/c' });
  assert.deepEqual(staged.optionalDependencies, { d: 'file:/packs/outside' });
  assert.equal(staged.private, true);
  assert.equal(staged.workspaces, undefined);
  assert.throws(() => stagedPackageJson('{nope', '/p'), ManifestError);
  assert.throws(() => stagedPackageJson('[1]', '/p'), ManifestError);
});

test('offline: npm install commands get the switches they lack; env drops ATTUNE_* and adds PIP_NO_INDEX', () => {
  assert.deepEqual(withOfflineFlags(['npm', 'install', '--prefix', '/e', '--no-audit'], true), ['npm', 'install', '--prefix', '/e', '--no-audit', '--offline', '--no-fund', '--ignore-scripts']);
  assert.deepEqual(withOfflineFlags(['npm', 'install'], false), ['npm', 'install']);
  assert.deepEqual(withOfflineFlags(['python3', '-m', 'pip', 'install'], true), ['python3', '-m', 'pip', 'install']);
  const env = buildCommandEnv({ PATH: '/bin', ATTUNE__SECURITY__JWT_SECRET: 's', ATTUNE_API_TOKEN: 't' }, true);
  assert.equal(env.PATH, '/bin');
  assert.equal(env.PIP_NO_INDEX, '1');
  assert.equal(env.npm_config_offline, 'true');
  assert.equal(Object.keys(env).some((k) => k.startsWith('ATTUNE_')), false);
  assert.equal(buildCommandEnv({}, false).PIP_NO_INDEX, undefined);
});

test('host interpreter: only bare python names are resolved; others pass through', () => {
  assert.equal(hostExecutable('npm'), 'npm');
  assert.equal(hostExecutable('/usr/bin/python3'), '/usr/bin/python3');
  assert.equal(hostExecutable('python-nonexistent-x'), 'python-nonexistent-x');
});

test('single flight: the same hash shares one run; another hash waits for it, then runs', async () => {
  const flights = new SingleFlight<string>();
  const order: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const first = flights.run('k', 'h1', async () => {
    order.push('start h1');
    await gate;
    order.push('end h1');
    return 'built h1';
  });
  const shared = flights.run('k', 'h1', async () => 'never');
  const other = flights.run('k', 'h2', async () => {
    order.push('start h2');
    return 'built h2';
  });
  const elsewhere = flights.run('j', 'h1', async () => 'other key');
  assert.equal(await elsewhere, 'other key');
  release();
  assert.deepEqual(await Promise.all([first, shared, other]), ['built h1', 'built h1', 'built h2']);
  assert.deepEqual(order, ['start h1', 'end h1', 'start h2']);
  assert.equal(flights.size, 0);
});

test('action helpers: appended to PYTHONPATH / NODE_PATH of python and node actions only', () => {
  const py = withActionHelpers({ PYTHONPATH: '/pack/lib' }, 'python');
  assert.equal(py.PYTHONPATH, `/pack/lib${path.delimiter}${HELPER_PLACES.python.dir}`);
  assert.equal(withActionHelpers({}, 'node').NODE_PATH, HELPER_PLACES.node.dir);
  assert.deepEqual(withActionHelpers({ A: '1' }, 'shell'), { A: '1' });
  assert.equal(withActionHelpers(py, 'python').PYTHONPATH, py.PYTHONPATH, 'not appended twice');
  assert.deepEqual(actionHelperLanguages(), ['python', 'node']);
  assert.deepEqual(actionHelperLanguages(() => false), []);
});

// ---- ensureEnvironment with stand-in commands (sh), so no pip or npm is needed ---------------------------------------

function sandbox(): { root: string; packDir: string; envRoot: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'attune-env-test-'));
  const packDir = path.join(root, 'packs', 'pk');
  fs.mkdirSync(packDir, { recursive: true });
  return { root, packDir, envRoot: path.join(root, 'envs') };
}

/** A runtime whose "environment" is a folder with bin/run and a copy of the manifest; each build appends to a log. */
function fakeRuntime(log: string, installExit = 0) {
  return {
    ref: 'test.fake',
    name: 'Python',
    execution_config: {
      interpreter: { binary: 'sh', args: [] },
      environment: { env_type: 'virtualenv', create_command: ['sh', '-c', 'mkdir -p "$0/bin" && touch "$0/bin/run"', '{env_dir}'], interpreter_path: '{env_dir}/bin/run' },
      dependencies: {
        manifest_file: 'requirements.txt',
        install_command: ['sh', '-c', `cp "$0" "$1/installed" && echo build >> "${log}" && echo "ERROR: stand-in failure" >&2 && exit ${installExit}`, '{manifest_path}', '{env_dir}'],
      },
    },
  };
}

test('ensureEnvironment: built once, reused, rebuilt when the manifest changes, removed when it is gone', async () => {
  const { root, packDir, envRoot } = sandbox();
  const log = path.join(root, 'builds.log');
  const runtime = fakeRuntime(log);
  const input = { runtime, packRef: 'pk', packDir, envRoot, offline: true, buildTimeoutMs: 10_000 };
  try {
    const none = await ensureEnvironment(input);
    assert.deepEqual(none, { envDir: path.join(envRoot, 'pk', 'python'), state: 'none' });

    fs.writeFileSync(path.join(packDir, 'requirements.txt'), 'a==1\n');
    const built = await ensureEnvironment(input);
    assert.equal(built.state, 'built');
    assert.equal(fs.readFileSync(path.join(built.envDir, 'installed'), 'utf8'), 'a==1\n');
    const stamp = JSON.parse(fs.readFileSync(path.join(built.envDir, STAMP_FILE), 'utf8'));
    assert.equal(stamp.manifest_file, 'requirements.txt');
    assert.equal(stamp.interpreter, path.join(built.envDir, 'bin', 'run'));
    assert.equal(stamp.steps.length, 2);
    const inode = fs.statSync(path.join(built.envDir, 'installed')).ino;

    const [r1, r2] = await Promise.all([ensureEnvironment(input), ensureEnvironment(input)]);
    assert.deepEqual([r1.state, r2.state], ['reused', 'reused']);
    assert.equal(fs.statSync(path.join(built.envDir, 'installed')).ino, inode, 'reuse leaves the files alone');

    fs.writeFileSync(path.join(packDir, 'requirements.txt'), 'a==2\n');
    const [c1, c2, c3] = await Promise.all([ensureEnvironment(input), ensureEnvironment(input), ensureEnvironment(input)]);
    assert.deepEqual([c1.state, c2.state, c3.state], ['built', 'built', 'built'], 'the waiters share the one build');
    assert.equal(fs.readFileSync(path.join(built.envDir, 'installed'), 'utf8'), 'a==2\n');
    assert.equal(fs.readFileSync(log, 'utf8'), 'build\nbuild\n', 'two builds in all');
    assert.deepEqual(fs.readdirSync(path.join(envRoot, 'pk')), ['python'], 'no build or retired folder left behind');

    fs.rmSync(path.join(packDir, 'requirements.txt'));
    assert.equal((await ensureEnvironment(input)).state, 'none');
    assert.equal(fs.existsSync(built.envDir), false, 'a stale environment is removed');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('ensureEnvironment: a failing install ends in EnvironmentError naming the command and its error line', async () => {
  const { root, packDir, envRoot } = sandbox();
  const runtime = fakeRuntime(path.join(root, 'builds.log'), 3);
  fs.writeFileSync(path.join(packDir, 'requirements.txt'), 'a==1\n');
  try {
    await assert.rejects(
      ensureEnvironment({ runtime, packRef: 'pk', packDir, envRoot, offline: false, buildTimeoutMs: 10_000 }),
      (err: unknown) => {
        assert.ok(err instanceof EnvironmentError);
        assert.match(err.message, /^Could not build the python environment of pack pk \(installing requirements\.txt: sh -c .*\): exited with code 3: ERROR: stand-in failure$/);
        return true;
      },
    );
    assert.deepEqual(fs.readdirSync(path.join(envRoot, 'pk')), [], 'the failed build folder is removed');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('ensureEnvironment: a runtime without an environment (shell) needs nothing', async () => {
  const out = await ensureEnvironment({
    runtime: { ref: 'core.shell', name: 'Shell', execution_config: { environment: { env_type: 'none' } } },
    packRef: 'pk',
    packDir: '/nonexistent',
    envRoot: '/nonexistent-envs',
    offline: false,
    buildTimeoutMs: 1000,
  });
  assert.deepEqual(out, { envDir: path.join('/nonexistent-envs', 'pk', 'shell'), state: 'none' });
});

test('prune: environments of packs no longer in the database are removed, live ones kept', async () => {
  const { root, envRoot } = sandbox();
  try {
    for (const name of ['live_pack', 'gone_pack', '_shared']) fs.mkdirSync(path.join(envRoot, name, 'python'), { recursive: true });
    fs.writeFileSync(path.join(envRoot, 'stray-file'), '');
    const asked: unknown[] = [];
    const db = {
      query: async (_sql: string, params: unknown[]) => {
        asked.push(params[0]);
        return { rows: [{ ref: 'live_pack' }] };
      },
    };
    const removed = await pruneOrphanEnvironments(db as never, envRoot);
    assert.deepEqual(removed, ['gone_pack']);
    assert.deepEqual(fs.readdirSync(envRoot).sort(), ['_shared', 'live_pack', 'stray-file']);
    assert.deepEqual((asked[0] as string[]).sort(), ['_shared', 'gone_pack', 'live_pack']);
    assert.deepEqual(await pruneOrphanEnvironments(db as never, path.join(root, 'missing')), []);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
