import { config } from '../common/config';
import { openDatabase } from '../common/db';
import { Mq } from '../common/mq';
import { runService } from '../common/service';
import { bootstrap } from './bootstrap';
import type { ApiContext } from './context';
import { buildServer } from './server';

/** The API service: database + AMQP, core pack and admin seeding, then the HTTP listener. */
runService('api', async (log) => {
  const cfg = config();
  const pool = await openDatabase('api');
  const mq = await Mq.connect('api', log);
  const ctx: ApiContext = { pool, mq, cfg, log };
  try {
    await bootstrap(ctx);
  } catch (err) {
    await mq.close();
    await pool.end().catch(() => undefined);
    throw err;
  }
  const app = await buildServer(ctx);
  await app.listen({ host: cfg.server.host, port: cfg.server.port });
  log.info({ host: cfg.server.host, port: cfg.server.port }, 'api listening');
  return async () => {
    await app.close();
    await mq.close();
    await pool.end();
  };
});
