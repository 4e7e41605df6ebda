import type { Redis } from 'ioredis';
import type { ServiceKeys } from '../storage/keys.js';

/**
 * Waits for a job's predecessors to commit (see docs/service.md, "Ordered commits"). Commits
 * announce the new turnstile on a channel, so waiters wake at once; a slow poll covers a missed
 * message. `waitFor` resolves false after `timeoutMs`: the caller then commits anyway, giving up on
 * its missing predecessors, so a lost or slow job can delay its successors but never stall them.
 */
export class Turnstile {
  private readonly subscriber: Redis;
  private readonly waiters = new Set<{ seq: number; wake: () => void }>();
  private ready: Promise<unknown>;

  constructor(
    private readonly redis: Redis,
    private readonly keys: ServiceKeys,
    onConnectionError?: (error: Error) => void,
  ) {
    this.subscriber = redis.duplicate();
    if (onConnectionError) this.subscriber.on('error', onConnectionError);
    this.subscriber.on('message', (_channel: string, message: string) => this.advanced(Number(message)));
    this.ready = this.subscriber.subscribe(keys.turnstileChannel);
  }

  /** true once every submission before `seq` committed; false when `timeoutMs` passed first. */
  async waitFor(seq: number, timeoutMs: number): Promise<boolean> {
    await this.ready;
    if (seq <= 1 || (await this.current()) >= seq - 1) return true;
    return new Promise<boolean>((resolve) => {
      const finish = (inOrder: boolean) => {
        clearTimeout(timer);
        clearInterval(poll);
        this.waiters.delete(waiter);
        resolve(inOrder);
      };
      const waiter = { seq, wake: () => finish(true) };
      const timer = setTimeout(() => finish(false), timeoutMs);
      const poll = setInterval(() => {
        void this.current().then((t) => this.advanced(t), () => undefined);
      }, 250);
      this.waiters.add(waiter);
    });
  }

  /** The highest submission number up to which every job has committed. */
  async current(): Promise<number> {
    return Number((await this.redis.get(this.keys.turnstile)) ?? 0);
  }

  private advanced(turnstile: number): void {
    for (const waiter of this.waiters) if (turnstile >= waiter.seq - 1) waiter.wake();
  }

  async close(): Promise<void> {
    for (const waiter of this.waiters) waiter.wake();
    await this.subscriber.quit();
  }
}
