import type { Pool } from '../common/db';
import type { Logger } from '../common/log';
import type { Mq } from '../common/mq';

/** What every executor consumer needs: the database pool, the AMQP connection and a logger. */
export interface ExecutorContext {
  pool: Pool;
  mq: Mq;
  log: Logger;
}
