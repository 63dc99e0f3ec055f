/**
 * The environment and switches of build commands. Package managers never prompt and never check for their own
 * updates; with `worker.offline_dependencies` they also never reach for an index: pip gets PIP_NO_INDEX=1, npm
 * `--offline --no-audit --no-fund --ignore-scripts` (npm's own lifecycle scripts could fetch things too).
 */
import * as path from 'node:path';

const NPM_OFFLINE_FLAGS = ['--offline', '--no-audit', '--no-fund', '--ignore-scripts'];

/** The worker's environment minus everything ATTUNE_* (configuration overrides may hold secrets), plus quiet settings. */
export function buildCommandEnv(base: NodeJS.ProcessEnv, offline: boolean): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) {
    if (v === undefined || k.startsWith('ATTUNE_')) continue;
    env[k] = v;
  }
  Object.assign(env, {
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PIP_NO_INPUT: '1',
    PIP_ROOT_USER_ACTION: 'ignore',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_loglevel: env.npm_config_loglevel ?? 'error',
  });
  if (offline) {
    env.PIP_NO_INDEX = '1';
    env.npm_config_offline = 'true';
  }
  return env;
}

function isNpmInstall(argv: string[]): boolean {
  const tool = path.basename(argv[0] ?? '');
  return (tool === 'npm' || tool === 'npm.cmd') && argv.slice(1).some((a) => a === 'install' || a === 'ci' || a === 'i');
}

/** npm install commands get the offline switches they lack; other commands are left as they are. */
export function withOfflineFlags(argv: string[], offline: boolean): string[] {
  if (!offline || !isNpmInstall(argv)) return argv;
  return [...argv, ...NPM_OFFLINE_FLAGS.filter((f) => !argv.includes(f))];
}
