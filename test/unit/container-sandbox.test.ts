import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromRoot } from '../../stack/common/paths';
import { runProcess, type ProcessSpec } from '../../stack/worker/process-runner';
import { planInvocation } from '../../stack/worker/runtimes';
import { withContainerRuntime } from '../../stack/worker/sandbox';
import { bwrapArgs, INSIDE } from '../../stack/worker/sandbox/bwrap-command';
import { containerSettingsOf, ContainerSettingsError } from '../../stack/worker/sandbox/container-settings';
import { findExecutable, probeSandbox, type SandboxStatus } from '../../stack/worker/sandbox/probe';
import { PathMap, sandboxBaseEnv, sandboxedSpec, sandboxPlan } from '../../stack/worker/sandbox/sandboxed-spec';

const CONTAINER_CONFIG = {
  interpreter: { binary: '/bin/sh', args: [], file_extension: '.sh' },
  inline_execution: { strategy: 'temp_file', extension: '.sh', inject_shell_helpers: true },
  container: { tool: 'bwrap', rootfs: 'default', network: false },
};
const containerRuntime = (execution_config: unknown = CONTAINER_CONFIG, name = 'Container', ref = 'core.container') => ({ ref, name, execution_config });

function baseSpec(extra: Partial<ProcessSpec> = {}): ProcessSpec {
  return { command: '/bin/sh', args: [], env: { PATH: INSIDE.path }, maxStdoutBytes: 1 << 20, maxStderrBytes: 1 << 20, ...extra };
}

describe('containerSettingsOf', () => {
  it('is null for runtimes without a container block (shell, python, none at all)', () => {
    assert.equal(containerSettingsOf(null), null);
    assert.equal(containerSettingsOf({ ref: 'core.shell', name: 'Shell', execution_config: { interpreter: { binary: '/bin/bash' } } }), null);
    assert.equal(containerSettingsOf({ ref: 'core.python', name: 'Python', execution_config: {} }), null);
  });

  it('reads the block, with tool bwrap, rootfs default and no network as defaults', () => {
    assert.deepEqual(containerSettingsOf(containerRuntime()), { tool: 'bwrap', rootfs: 'default', network: false });
    assert.deepEqual(containerSettingsOf(containerRuntime({ container: {} }, 'Anything', 'p.anything')), { tool: 'bwrap', rootfs: 'default', network: false });
    assert.deepEqual(containerSettingsOf(containerRuntime({ container: { network: true } }, 'Container', 'p.open_box')), { tool: 'bwrap', rootfs: 'default', network: true });
  });

  it('refuses a runtime named container (or sandbox) without a block instead of running it on the host', () => {
    assert.throws(() => containerSettingsOf(containerRuntime({ interpreter: { binary: '/bin/sh' } })), ContainerSettingsError);
    assert.throws(() => containerSettingsOf(containerRuntime({}, 'Sandbox', 'p.sandbox')), /no 'container' block/);
    assert.throws(() => containerSettingsOf(containerRuntime({}, 'Whatever', 'p.container')), /no 'container' block/);
  });

  it('refuses tools, root file systems and network values this worker does not offer, naming them', () => {
    assert.throws(() => containerSettingsOf(containerRuntime({ container: { tool: 'docker' } })), /container.tool "docker" is not offered by this worker \(supported: bwrap\)/);
    assert.throws(() => containerSettingsOf(containerRuntime({ container: { rootfs: '/srv/alpine' } })), /container.rootfs "\/srv\/alpine" is not offered/);
    assert.throws(() => containerSettingsOf(containerRuntime({ container: { network: 'yes' } })), /container.network must be true or false/);
    assert.throws(() => containerSettingsOf(containerRuntime({ container: 'bwrap' })), /must be a mapping/);
  });
});

describe('bwrapArgs', () => {
  const plan = {
    rootfs: '/srv/rootfs',
    network: false,
    binds: [{ host: '/packs/p', inside: '/pack' }, { host: '/tmp/run-1', inside: '/action' }],
    cwd: '/pack',
    env: { PATH: '/bin:/usr/bin', ATTUNE_EXEC_ID: '7' },
    command: '/bin/sh',
    args: ['/pack/actions/a.sh'],
  };

  it('unshares every namespace, ties the sandbox to its parent, clears the environment and runs the command last', () => {
    const args = bwrapArgs(plan);
    assert.deepEqual(args.slice(0, 5), ['--unshare-all', '--die-with-parent', '--new-session', '--cap-drop', 'ALL']);
    assert.deepEqual(args.slice(5, 14), ['--ro-bind', '/srv/rootfs', '/', '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp']);
    assert.ok(!args.includes('--share-net'));
    const at = (flag: string, ...rest: string[]) => args.findIndex((a, i) => a === flag && rest.every((r, j) => args[i + 1 + j] === r));
    assert.ok(at('--ro-bind', '/packs/p', '/pack') > 0 && at('--ro-bind', '/tmp/run-1', '/action') > at('--ro-bind', '/packs/p', '/pack'));
    assert.ok(at('--chdir', '/pack') > 0);
    assert.ok(at('--clearenv') > 0 && at('--setenv', 'ATTUNE_EXEC_ID', '7') > at('--clearenv'));
    assert.deepEqual(args.slice(-3), ['--', '/bin/sh', '/pack/actions/a.sh']);
  });

  it('keeps the host network (and its resolver configuration) only when the plan allows the network', () => {
    const args = bwrapArgs({ ...plan, network: true });
    assert.deepEqual(args.slice(0, 2), ['--unshare-all', '--share-net']);
    assert.ok(args.join(' ').includes('--ro-bind-try /etc/resolv.conf /etc/resolv.conf'));
  });
});

describe('sandboxPlan and PathMap', () => {
  it('maps host paths through the binds, longest first, and leaves other values alone', () => {
    const map = new PathMap([{ host: '/a', inside: '/x' }, { host: '/a/b', inside: '/y' }]);
    assert.equal(map.inside('/a/b/c'), '/y/c');
    assert.equal(map.inside('/a/c'), '/x/c');
    assert.equal(map.inside('/ab'), undefined);
    assert.equal(map.value('/a/b/lib:/usr/lib:/a'), '/y/lib:/usr/lib:/x');
    assert.equal(map.value('http://127.0.0.1:8080'), 'http://127.0.0.1:8080');
  });

  it('moves the pack to /pack, the run folder to /action, and rewrites command, args, cwd and environment', () => {
    const plan = sandboxPlan(
      {
        spec: baseSpec({
          command: '/bin/sh',
          args: ['/packs/p/actions/a.sh'],
          cwd: '/packs/p',
          env: { PATH: '/bin:/usr/bin', ATTUNE_PARAMETER_FILE: '/tmp/run-1/parameters.json', PYTHONPATH: '/packs/p/lib', ATTUNE_API_URL: 'http://127.0.0.1:1' },
        }),
        settings: { tool: 'bwrap', rootfs: 'default', network: false },
        packDir: '/packs/p',
        tmpDir: '/tmp/run-1',
      },
      '/srv/rootfs',
    );
    assert.deepEqual(plan, {
      rootfs: '/srv/rootfs',
      network: false,
      binds: [{ host: '/packs/p', inside: '/pack' }, { host: '/tmp/run-1', inside: '/action' }],
      cwd: '/pack',
      env: { PATH: '/bin:/usr/bin', ATTUNE_PARAMETER_FILE: '/action/parameters.json', PYTHONPATH: '/pack/lib', ATTUNE_API_URL: 'http://127.0.0.1:1' },
      command: '/bin/sh',
      args: ['/pack/actions/a.sh'],
    });
  });

  it('works in /action when there is no pack folder, and in /tmp when the working directory is not bound', () => {
    const settings = { tool: 'bwrap' as const, rootfs: 'default' as const, network: true };
    assert.equal(sandboxPlan({ spec: baseSpec({ cwd: '/tmp/run-2', args: ['/tmp/run-2/action.sh'] }), settings, tmpDir: '/tmp/run-2' }, '/r').cwd, '/action');
    assert.equal(sandboxPlan({ spec: baseSpec({ cwd: '/elsewhere' }), settings }, '/r').cwd, '/tmp');
    assert.equal(sandboxPlan({ spec: baseSpec(), settings }, '/r').network, true);
  });

  it('starts the environment from PATH alone, not from the worker\'s', () => {
    assert.deepEqual(sandboxBaseEnv(), { PATH: '/bin:/usr/bin' });
  });
});

describe('withContainerRuntime', () => {
  it('adds container to a detected list only when the sandbox works, and takes it out of any list when it does not', () => {
    assert.deepEqual(withContainerRuntime(['shell', 'node'], { available: true }, false), ['shell', 'node', 'container']);
    assert.deepEqual(withContainerRuntime(['shell', 'node'], { available: true }, true), ['shell', 'node']);
    assert.deepEqual(withContainerRuntime(['shell', 'container'], { available: false }, true), ['shell']);
    assert.deepEqual(withContainerRuntime(['shell', 'Sandbox'], { available: false }, false), ['shell']);
  });
});

describe('planInvocation for the container runtime', () => {
  it('runs an inline entrypoint as a shell script with the runtime\'s /bin/sh', () => {
    const plan = planInvocation({
      runtime: containerRuntime(),
      entrypoint: 'echo hi',
      packDir: '/packs/p',
      scriptPath: '/packs/p/actions/echo hi',
      scriptExists: false,
      envDir: '/envs/p/container',
    });
    assert.deepEqual(plan, { kind: 'shell', command: '/bin/sh', args: [], mode: 'inline', scriptPath: null });
  });
});

describe('the probe and the sandbox spec', () => {
  it('finds executables on a PATH, and says why when the tool or the root file system is missing', async () => {
    assert.equal(findExecutable('sh', '/nowhere:/bin'), '/bin/sh');
    assert.equal(findExecutable('no-such-tool-e2e', '/bin'), undefined);
    const noTool = await probeSandbox({ tool: '/nowhere/bwrap' });
    assert.equal(noTool.available, false);
    assert.equal(noTool.reason, '/nowhere/bwrap is not an executable file (install bubblewrap: apt-get install bubblewrap)');
    const other = await probeSandbox({ tool: 'docker' });
    assert.match(other.reason, /'docker' is not supported/);
    if (findExecutable('bwrap')) {
      const noRootfs = await probeSandbox({ rootfs: '/nowhere/rootfs' });
      assert.deepEqual({ available: noRootfs.available, reason: noRootfs.reason }, {
        available: false,
        reason: 'no container root filesystem at /nowhere/rootfs (build it with scripts/build-container-rootfs.sh)',
      });
    }
  });

  it('refuses to build a spec on a worker without a sandbox: the action never runs on the host', async () => {
    const status: SandboxStatus = { available: false, tool: 'bwrap', reason: 'bwrap: setting up uid map: Permission denied', rootfs: '/r' };
    await assert.rejects(
      sandboxedSpec({ spec: baseSpec(), settings: { tool: 'bwrap', rootfs: 'default', network: false }, status }),
      /cannot run container actions \(bwrap: setting up uid map: Permission denied\)/,
    );
  });
});

// A real sandbox, when this machine has one (bwrap on PATH and the rootfs built by scripts/build-container-rootfs.sh).
const rootfs = fromRoot('.attune/container-rootfs');
const canSandbox = !!findExecutable('bwrap') && existsSync(join(rootfs, 'bin', 'sh'));

describe('a real sandbox', { skip: canSandbox ? false : 'no bwrap or no rootfs on this machine' }, () => {
  async function sandboxed(script: string, extra: Partial<ProcessSpec> = {}, network = false): Promise<ProcessSpec> {
    const status = await probeSandbox({ rootfs });
    assert.equal(status.available, true, status.reason);
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-test-'));
    writeFileSync(join(dir, 'action.sh'), script);
    const spec = await sandboxedSpec({
      spec: baseSpec({ args: [join(dir, 'action.sh')], cwd: dir, ...extra }),
      settings: { tool: 'bwrap', rootfs: 'default', network },
      tmpDir: dir,
      status,
    });
    dirs.push(dir);
    return spec;
  }
  const dirs: string[] = [];
  after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('delivers stdin, propagates the exit code and runs as PID 2 in /action', async () => {
    const o = await runProcess(await sandboxed('read line; echo "got $line in $PWD as $$"; exit 3', { stdin: 'hello\n' }));
    assert.deepEqual({ code: o.exitCode, out: o.stdout.text() }, { code: 3, out: 'got hello in /action as 2\n' });
  });

  it('leaves nothing running after a timeout kills the sandbox', async () => {
    const o = await runProcess(await sandboxed('sleep 30 & sleep 31; echo never', { timeoutMs: 300, killGraceMs: 500, pipeDrainMs: 1000 }));
    assert.equal(o.timedOut, true);
    assert.equal(o.stdout.text(), '');
    // the whole sandbox died with bwrap: its pipes closed at once (a survivor would hold them for the 1 s drain)
    assert.ok(o.durationMs < 1000, `took ${o.durationMs} ms`);
  });
});
