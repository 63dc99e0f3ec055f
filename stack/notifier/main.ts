/**
 * The notifier service: PostgreSQL LISTEN on Attune's notification channels, fanned out over the
 * WebSocket at /ws to clients that subscribed with matching filters.
 */
import { config } from '../common/config';
import { fault } from '../common/faults';
import { NOTIFY_CHANNELS } from '../common/models';
import { runService } from '../common/service';
import { buildNotificationFrame } from './frames';
import { PgListener } from './listener';
import { NotifierServer } from './server';

runService('notifier', async (log) => {
  // Started by the supervisor: if it dies without stopping us, stop on our own (no orphans).
  if (process.send) process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  const cfg = config();
  const server = new NotifierServer({ host: cfg.notifier.host, port: cfg.notifier.port, maxConnections: cfg.notifier.max_connections, log });
  const listener = new PgListener(
    NOTIFY_CHANNELS,
    (channel, payload, receivedAt) => {
      const built = buildNotificationFrame(channel, payload, receivedAt);
      if (!built.ok) {
        log.debug({ channel, reason: built.reason, payload: payload?.slice(0, 300) }, 'notification dropped');
        return;
      }
      if (fault('notifier-drops-completed') && built.frame.payload.status === 'completed') return;
      const sent = server.deliver(built.frame);
      if (log.isLevelEnabled('trace')) {
        log.trace({ channel, entity_type: built.frame.entity_type, entity_id: built.frame.entity_id, sent }, 'notification delivered');
      }
    },
    log,
  );
  const addr = await server.listen();
  await listener.start();
  log.info({ host: addr.host, port: addr.port, channels: NOTIFY_CHANNELS.length }, `notifier listening on ws://${addr.host}:${addr.port}/ws`);

  return async () => {
    await listener.stop();
    await server.close();
  };
});
