import { createHash } from 'node:crypto';
import type { ConnectionOptions, DefaultJobOptions } from 'bullmq';
import type { Article } from '../engine/types.js';
import type { ServiceConfig } from '../service/config.js';
import { redisDatabase } from '../storage/redis-url.js';

/** What a job carries: the article and, when submitted by our client, its submission number. */
export interface ArticleJobData {
  article: Article;
  /** Submission order (see docs/service.md, "Ordered commits"); absent for foreign producers. */
  seq?: number;
}

/**
 * Job id from the article id and its content: re-submitting the same article is a no-op (BullMQ
 * ignores an add with an existing id), new content under the same id is a new job (an update).
 */
export function jobIdFor(article: Article): string {
  const content = JSON.stringify([
    article.url, article.source, article.title, article.text, article.html, article.publishedAt, article.lang,
  ]);
  const digest = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 24);
  return `a${digest(article.id)}-${digest(content)}`;
}

export function jobOptions(config: ServiceConfig): DefaultJobOptions {
  return {
    attempts: config.jobAttempts,
    backoff: { type: 'exponential', delay: 500 },
    // Bounded history: enough for the dashboard and for duplicate submissions to find their job.
    removeOnComplete: { count: 10_000, age: 24 * 3600 },
    removeOnFail: { count: 10_000, age: 7 * 24 * 3600 },
  };
}

/**
 * Connection options for BullMQ from a redis:// URL. Given options (not a client), BullMQ owns its
 * connections and closes them with the queue, worker or event listener. It needs
 * `maxRetriesPerRequest: null` on the connections it blocks on.
 */
export function bullConnection(redisUrl: string): ConnectionOptions {
  const url = new URL(redisUrl);
  const db = redisDatabase(redisUrl);
  return {
    host: url.hostname || '127.0.0.1',
    port: Number(url.port || 6379),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(db ? { db } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}
