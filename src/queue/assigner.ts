import type { ChainableCommander, Redis } from 'ioredis';
import type { ArticleText, Engine } from '../engine/engine.js';
import type { Article, AssignOutcome } from '../engine/types.js';
import type { Assigner } from '../service/ports.js';
import type { ServiceKeys } from '../storage/keys.js';
import type { RedisIndex } from '../storage/redis-index.js';

/**
 * Decides `article` under the index lock. The index must publish (see RedisIndexOptions.publish):
 * the decision's events are then appended to the stream in the decision's own transaction, and
 * `after` holds their live publication for the caller to run (with anything else it adds).
 * `seq`: the submission number a worker commits on the turnstile (none outside the queue).
 */
export async function assignPublishing(
  engine: Engine,
  index: RedisIndex,
  redis: Redis,
  keys: ServiceKeys,
  article: Article,
  text: ArticleText = engine.text(article),
  seq?: number,
): Promise<{ outcome: AssignOutcome; after: ChainableCommander; committed: boolean }> {
  const view = index.forJob(seq);
  const outcome = await engine.assign(article, view, Date.now(), text);
  const after = redis.pipeline();
  for (const event of view.published) after.publish(keys.channel, JSON.stringify(event));
  return { outcome, after, committed: view.committed };
}

/** The API's direct decisions (POST /v1/dedup), published on the stream and channel like a worker's. */
export class RedisAssigner implements Assigner {
  constructor(
    private readonly engine: Engine,
    private readonly index: RedisIndex,
    private readonly redis: Redis,
    private readonly keys: ServiceKeys,
  ) {}

  async assign(article: Article): Promise<AssignOutcome> {
    const { outcome, after } = await assignPublishing(this.engine, this.index, this.redis, this.keys, article);
    await after.exec();
    return outcome;
  }
}
