import type { Redis } from 'ioredis';
import type { EventFeed, ServiceEvent } from '../service/ports.js';
import type { ServiceKeys } from '../storage/keys.js';

/**
 * Reads published events: durably from the assignments stream (XRANGE from an id), live from the
 * pub/sub channel the workers publish on after each commit. The subscriber connection is opened on
 * the first `subscribe` and shared by all listeners.
 */
export class RedisEventFeed implements EventFeed {
  private subscriber: Redis | undefined;
  private readonly listeners = new Set<(event: ServiceEvent) => void>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: ServiceKeys,
  ) {}

  subscribe(listener: (event: ServiceEvent) => void): () => void {
    this.listeners.add(listener);
    if (!this.subscriber) {
      const subscriber = this.redis.duplicate();
      this.subscriber = subscriber;
      subscriber.on('message', (_channel: string, message: string) => {
        let event: ServiceEvent;
        try {
          event = JSON.parse(message) as ServiceEvent;
        } catch {
          return; // not one of ours: a live view must not die of a stray message
        }
        for (const l of this.listeners) l(event);
      });
      void subscriber.subscribe(this.keys.channel);
    }
    return () => {
      this.listeners.delete(listener);
    };
  }

  async read(afterId: string, count: number): Promise<ServiceEvent[]> {
    const start = afterId === '0' || afterId === '' ? '-' : `(${afterId}`;
    const entries = await this.redis.xrange(this.keys.stream, start, '+', 'COUNT', count);
    return entries.map(([streamId, fields]) => ({ ...parseEntry(fields), streamId }) as ServiceEvent);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.subscriber?.quit();
  }
}

/** A stream entry has one field, `event`: the JSON of the event without its stream id. */
function parseEntry(fields: string[]): Omit<ServiceEvent, 'streamId'> {
  const i = fields.indexOf('event');
  return JSON.parse(fields[i + 1] ?? '{}') as Omit<ServiceEvent, 'streamId'>;
}
