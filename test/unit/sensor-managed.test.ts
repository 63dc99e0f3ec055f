import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextFailureCount, restartDelayMs, RESTART_BACKOFF_MAX_MS, STABLE_RUN_MS } from '../../stack/sensor/managed/backoff';
import { launchSignature, type DesiredSensor } from '../../stack/sensor/managed/desired';
import { LaunchError, planLaunch, sensorEnv } from '../../stack/sensor/managed/launch';

const desired = (over: Partial<DesiredSensor> = {}): DesiredSensor => ({
  sensorId: 7,
  sensorRef: 'pk.poller',
  packRef: 'pk',
  entrypoint: 'poller.py',
  runtime: { ref: 'core.python', name: 'Python', execution_config: { interpreter: { binary: 'python3', args: ['-u'] } } },
  config: { a: 1 },
  triggerTypes: ['pk.reading'],
  rules: [{ id: 3, ref: 'pk.r', trigger_ref: 'pk.reading', config: { reading: 'x' } }],
  ...over,
});

test('restart backoff: 1 s, doubling, capped at 60 s', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map(restartDelayMs), [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
  assert.equal(restartDelayMs(1000), RESTART_BACKOFF_MAX_MS);
  assert.equal(restartDelayMs(0), 1000);
});

test('a process that ran long enough counts as a first failure again', () => {
  assert.equal(nextFailureCount(0, 10), 1);
  assert.equal(nextFailureCount(4, 10), 5);
  assert.equal(nextFailureCount(4, STABLE_RUN_MS), 1);
});

test('launch: the runtime interpreter runs sensors/<entry_point>; native runs the file; escapes are refused', () => {
  assert.deepEqual(planLaunch(desired(), '/p/pk'), { command: 'python3', args: ['-u', '/p/pk/sensors/poller.py'], scriptPath: '/p/pk/sensors/poller.py' });
  const native = planLaunch(desired({ entrypoint: 'bin', runtime: { ref: 'core.native', name: 'Native', execution_config: {} } }), '/p/pk');
  assert.deepEqual(native, { command: '/p/pk/sensors/bin', args: [], scriptPath: '/p/pk/sensors/bin' });
  const shell = planLaunch(desired({ entrypoint: 's.sh', runtime: { ref: 'x.sh', name: 'shell', execution_config: {} } }), '/p/pk');
  assert.equal(shell.command, '/bin/bash');
  assert.throws(() => planLaunch(desired({ entrypoint: '../../etc/x' }), '/p/pk'), LaunchError);
  assert.throws(() => planLaunch(desired({ entrypoint: '/bin/sh' }), '/p/pk'), LaunchError);
  assert.throws(() => planLaunch(desired({ entrypoint: '' }), '/p/pk'), LaunchError);
});

test('environment: the ATTUNE_* variables and a small base, never the service secrets', () => {
  const env = sensorEnv(
    { apiUrl: 'http://api', token: 'tok', mqUrl: 'amqp://x', logLevel: 'info', desired: desired() },
    { PATH: '/bin', HOME: '/h', ATTUNE__SECURITY__JWT_SECRET: 's', ATTUNE__DATABASE__URL: 'pg://' },
  );
  assert.equal(env.ATTUNE_API_TOKEN, 'tok');
  assert.equal(env.ATTUNE_API_URL, 'http://api');
  assert.equal(env.ATTUNE_SENSOR_REF, 'pk.poller');
  assert.equal(env.ATTUNE_SENSOR_ID, '7');
  assert.deepEqual(JSON.parse(env.ATTUNE_SENSOR_TRIGGERS), [{ id: 3, ref: 'pk.r', trigger_ref: 'pk.reading', config: { reading: 'x' } }]);
  assert.deepEqual(JSON.parse(env.ATTUNE_SENSOR_TRIGGER_TYPES), ['pk.reading']);
  assert.equal(env.PATH, '/bin');
  assert.equal(env.ATTUNE__SECURITY__JWT_SECRET, undefined);
  assert.equal(env.ATTUNE__DATABASE__URL, undefined);
  const noToken = sensorEnv({ apiUrl: 'http://api', token: undefined, mqUrl: 'amqp://x', logLevel: 'info', desired: desired() }, {});
  assert.equal('ATTUNE_API_TOKEN' in noToken, false);
});

test('a change of rules changes the launch signature (restart), the same rules do not', () => {
  assert.equal(launchSignature(desired()), launchSignature(desired()));
  assert.notEqual(launchSignature(desired()), launchSignature(desired({ rules: [] })));
  assert.notEqual(launchSignature(desired()), launchSignature(desired({ rules: [{ id: 3, ref: 'pk.r', trigger_ref: 'pk.reading', config: { reading: 'y' } }] })));
});
