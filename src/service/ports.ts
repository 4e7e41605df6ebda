import { setTimeout as delay } from 'node:timers/promises';
import type { Article, Assignment, AssignOutcome, MergeEvent, RemovalEvent } from '../engine/types.js';

/**
 * The seams between the HTTP API / dashboard and the queue. The API is built against these ports;
 * src/queue implements them with BullMQ and Redis, and tests may run the API over an in-process
 * implementation of the same ports.
 */

export interface SubmitOptions {
  /** Wait for the worker's assignment (the job's return value) before resolving. */
  wait?: boolean;
  /**
   * Upper bound for `wait`, in ms (the queue client's default: 30 s). An article not decided by then
   * comes back with status "queued": it stays in the queue and is decided when a worker gets to it.
   */
  timeoutMs?: number;
}

/**
 * `work`'s value, or undefined when `timeoutMs` passes first: a wait that runs out is an answer
 * ("not yet"), not a failure, and the work goes on (a later failure of it is then not ours to report).
 */
export async function settledWithin<T>(work: Promise<T>, timeoutMs: number): Promise<T | undefined> {
  const cancel = new AbortController();
  const expired = delay(timeoutMs, undefined, { signal: cancel.signal }).catch(() => undefined);
  try {
    return await Promise.race([work, expired]);
  } finally {
    cancel.abort();
    work.catch(() => undefined);
  }
}

export interface SubmitResult {
  articleId: string;
  jobId: string;
  status: 'queued' | 'done';
  assignment?: Assignment;
}

export interface Submitter {
  submit(article: Article, options?: SubmitOptions): Promise<SubmitResult>;
  submitMany(articles: Article[], options?: SubmitOptions): Promise<SubmitResult[]>;
}

/**
 * Decides one article at once, outside the queue (POST /v1/dedup answers in the request), and
 * publishes what changed as a worker does: a consumer of the stream sees every assignment.
 */
export interface Assigner {
  assign(article: Article): Promise<AssignOutcome>;
}

/** One published event. `streamId` is its Redis Stream id: consumers resume after it. */
export type ServiceEvent =
  | { type: 'assignment'; streamId: string; assignment: Assignment }
  | { type: 'merge'; streamId: string; merge: MergeEvent }
  | { type: 'removal'; streamId: string; removal: RemovalEvent };

export interface EventFeed {
  /** Live events (pub/sub); returns an unsubscribe function. */
  subscribe(listener: (event: ServiceEvent) => void): () => void;
  /** Durable events after `afterId` (exclusive; '0' for all), oldest first. */
  read(afterId: string, count: number): Promise<ServiceEvent[]>;
}

export interface QueueCounts {
  waiting: number;
  active: number;
  completed: number;
  failed: number;
  delayed: number;
}

export interface JobFailure {
  jobId: string;
  articleId: string;
  reason: string;
  at: string;
}

export interface QueueHealth {
  counts(): Promise<QueueCounts>;
  recentFailures(limit: number): Promise<JobFailure[]>;
  /** Jobs completed per minute over the last minutes, oldest first. */
  throughput(minutes: number): Promise<number[]>;
  /** Workers connected to the queue now: none means submitted articles wait. */
  workers(): Promise<number>;
}
