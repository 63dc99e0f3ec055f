import { createLogger, Logger } from './log';

export type Stopper = () => Promise<void>;

/**
 * The frame of every service process: logger, start, readiness report to the supervisor (IPC),
 * clean stop on SIGINT/SIGTERM, and loud logging of anything unexpected.
 */
export function runService(name: string, start: (log: Logger) => Promise<Stopper>): void {
  const log = createLogger(name);
  let stop: Stopper | undefined;
  let stopping = false;

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, `${name} stopping`);
    const force = setTimeout(() => {
      log.error(`${name} did not stop within 10 s; exiting`);
      process.exit(1);
    }, 10_000);
    force.unref();
    try {
      await stop?.();
    } catch (err) {
      log.error({ err }, 'error while stopping');
    }
    log.info(`${name} stopped`);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // Started by the supervisor: if it goes away (even by SIGKILL) the IPC channel closes; stop too.
  if (process.send) process.once('disconnect', () => void shutdown('supervisor-disconnect'));
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled promise rejection'));
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception');
    process.exit(70);
  });

  start(log)
    .then((s) => {
      stop = s;
      log.info(`${name} ready`);
      process.send?.({ type: 'ready', service: name });
    })
    .catch((err) => {
      log.fatal({ err }, `${name} failed to start`);
      process.exit(1);
    });
}
