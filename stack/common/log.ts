import pino from 'pino';
import { config } from './config';

/** Structured JSON logs on stdout; the supervisor prefixes and files them per service. */
export function createLogger(service: string): pino.Logger {
  return pino({
    name: service,
    level: process.env.ATTUNE_LOG_LEVEL ?? config().log.level,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

export type Logger = pino.Logger;
