/**
 * The notifier service: PostgreSQL LISTEN on Attune's notification channels, fanned out over the
 * WebSocket at /ws to clients that subscribed with matching filters and may see what the frame is about.
 */
import { grantsOf } from '../common/authz-model';
import { config } from '../common/config';
import { createPool } from '../common/db';
import { fault } from '../common/faults';
import { NOTIFY_CHANNELS } from '../common/models';
import { runService } from '../common/service';
import { buildNotificationFrame } from './frames';
import { PgListener } from '../common/pg-listener';
import { NotifierServer } from './server';
import { subjectOf } from './visibility';
import { applyPriority } from './priority';

runService('notifier', async (log) => {
  // Started by the supervisor: if it dies without stopping us, stop on our own (no orphans).
  if (process.send) process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  const cfg = config();
  applyPriority(cfg.notifier.priority, log);
  // Visibility lookups: one query per notification (its subject) and one per client identity every 30 s (its grants).
  const pool = createPool('notifier', { max: 4 });
  pool.on('error', (err) => log.warn({ err: err.message }, 'idle database connection failed'));
  const server = new NotifierServer({
    host: cfg.notifier.host,
    port: cfg.notifier.port,
    maxConnections: cfg.notifier.max_connections,
    log,
    identityExists: async (identityId) => (await pool.query('SELECT 1 FROM identity WHERE id = $1', [identityId])).rowCount === 1,
    grantsOf: (identityId) => grantsOf(pool, identityId),
    subjectOf: (frame) => subjectOf(pool, frame),
    listening: () => listener.connected,
  });
  const listener = new PgListener(
    NOTIFY_CHANNELS,
    (channel, payload, receivedAt) => {
      const built = buildNotificationFrame(channel, payload, receivedAt);
      if (!built.ok) {
        log.debug({ channel, reason: built.reason, payload: payload?.slice(0, 300) }, 'notification dropped');
        return;
      }
      if (fault('notifier-drops-completed') && built.frame.payload.status === 'completed') return;
      // fault inquiry-frames-dropped: nobody hears about inquiries
      if (fault('inquiry-frames-dropped') && built.frame.entity_type === 'inquiry') return;
      // fault enforcement-frames-dropped: nobody hears about enforcements
      if (fault('enforcement-frames-dropped') && (channel === 'enforcement_created' || channel === 'enforcement_status_changed')) return;
      // fault notify-skips-timeout: nobody hears that an execution timed out
      if (fault('notify-skips-timeout') && built.frame.entity_type === 'execution' && built.frame.payload.status === 'timeout') return;
      const deliver = () =>
        void server.deliver(built.frame).then((sent) => {
          if (log.isLevelEnabled('trace')) {
            log.trace({ channel, entity_type: built.frame.entity_type, entity_id: built.frame.entity_id, sent }, 'notification delivered');
          }
        });
      // fault notification-delayed: every frame is held 2 s (same delay for all, so the order is kept)
      if (fault('notification-delayed')) setTimeout(deliver, 2_000);
      else deliver();
    },
    log,
  );
  const addr = await server.listen();
  await listener.start();
  log.info({ host: addr.host, port: addr.port, channels: NOTIFY_CHANNELS.length }, `notifier listening on ws://${addr.host}:${addr.port}/ws`);

  return async () => {
    await listener.stop();
    await server.close();
    await pool.end();
  };
});
