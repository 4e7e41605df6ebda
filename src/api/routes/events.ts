import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { EventFeed, ServiceEvent } from '../../service/ports.js';
import { ApiError } from '../errors.js';

export interface EventRoutesOptions {
  events: EventFeed;
  /** Comment lines keep proxies from closing an idle stream. */
  heartbeatMs: number;
}

const EventsQuery = Type.Object(
  {
    after: Type.Optional(
      Type.String({ maxLength: 64, pattern: '^\\d+(-\\d+)?$', description: 'Replay events after this stream id (as Last-Event-ID)' }),
    ),
  },
  { additionalProperties: false },
);

/** Compares Redis Stream ids ("ms-seq") numerically. */
export function compareStreamIds(a: string, b: string): number {
  const [am = 0n, as = 0n] = a.split('-').map((p) => BigInt(p));
  const [bm = 0n, bs = 0n] = b.split('-').map((p) => BigInt(p));
  return am === bm ? Number(as - bs) : am < bm ? -1 : 1;
}

const REPLAY_PAGE = 500;

/**
 * GET /v1/events: Server-Sent Events. Each event carries its stream id, so a reconnecting
 * EventSource sends Last-Event-ID and gets everything it missed from the durable stream before the
 * live feed resumes. Live events are buffered while replaying, then deduplicated by id, so the
 * handover loses and repeats nothing.
 */
export const eventRoutes: FastifyPluginAsync<EventRoutesOptions> = async (app, opts) => {
  // Event streams never go idle, so the server could not close while one is open: end them first.
  const open = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    // Destroyed, not ended: an ended keep-alive socket would hold close() for the keep-alive timeout.
    for (const res of open) res.destroy();
  });

  app.get<{ Querystring: { after?: string } }>(
    '/v1/events',
    {
      schema: {
        summary: 'Server-Sent Events: assignment, merge and removal events, live; resumable with Last-Event-ID',
        tags: ['events'],
        querystring: EventsQuery,
        produces: ['text/event-stream'],
      },
    },
    async (request, reply) => {
      const header = request.headers['last-event-id'];
      if (header !== undefined && !(typeof header === 'string' && /^\d+(-\d+)?$/.test(header))) {
        throw new ApiError(400, 'validation', 'Last-Event-ID must be an event id as sent (digits, or digits-digits)', 'last-event-id');
      }
      const lastId = header ?? request.query.after;

      reply.hijack();
      const res = reply.raw;
      open.add(res);
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 2000\n\n');

      let sentUpTo = lastId ?? null;
      let replaying = lastId !== undefined;
      const pending: ServiceEvent[] = [];
      const send = (event: ServiceEvent) => {
        if (sentUpTo !== null && compareStreamIds(event.streamId, sentUpTo) <= 0) return;
        sentUpTo = event.streamId;
        const data = event.type === 'assignment' ? event.assignment : event.type === 'merge' ? event.merge : event.removal;
        res.write(`id: ${event.streamId}\nevent: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`);
      };

      const unsubscribe = opts.events.subscribe((event) => {
        if (replaying) pending.push(event);
        else send(event);
      });
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), opts.heartbeatMs);
      let closed = false;
      res.on('close', () => {
        closed = true;
        open.delete(res);
        clearInterval(heartbeat);
        unsubscribe();
      });

      try {
        while (replaying && !closed) {
          const page = await opts.events.read(sentUpTo ?? '0', REPLAY_PAGE);
          page.forEach(send);
          if (page.length < REPLAY_PAGE) replaying = false;
        }
      } catch (error) {
        // The live feed still works; the client can retry the replay by reconnecting.
        request.log.warn({ err: error }, 'event replay failed');
        replaying = false;
      }
      pending.splice(0).forEach(send);
    },
  );
};
