/**
 * Every Redis key of one samestory deployment. Index, stream, ordering and throughput keys share ONE
 * hash tag (`{index}`), so on Redis Cluster they live in one slot and the index's MULTI/Lua writes
 * (which append to the stream and advance the commit turnstile) stay legal. The BullMQ queue has a
 * tag of its own: its keys never take part in those transactions.
 */
export interface ServiceKeys {
  /** Prefix of every index key (`<prefix>:{index}:`). */
  index: string;
  /** Redis Stream of published assignments and merges. */
  stream: string;
  /** Pub/sub channel carrying the same events live. */
  channel: string;
  /** Counter handing out submission order numbers. */
  submitted: string;
  /** Highest submission number up to which every job has committed (or was skipped). */
  turnstile: string;
  /** Submission numbers committed ahead of the turnstile (sorted set, score = number). */
  committedAhead: string;
  /** Job id of each submission number not yet committed (hash), so a waiting job can find a late one. */
  seqJobs: string;
  /** Pub/sub channel announcing turnstile advances, so waiting workers wake at once. */
  turnstileChannel: string;
  /** Per-minute completed-job counters: `${throughput}<epoch minute>`. */
  throughput: string;
  /** BullMQ prefix for the queue. */
  queuePrefix: string;
  /** BullMQ queue name. */
  queueName: string;
}

export function serviceKeys(prefix: string): ServiceKeys {
  const index = `${prefix}:{index}:`;
  return {
    index,
    stream: `${index}assignments`,
    channel: `${prefix}:events`,
    submitted: `${index}submitted`,
    turnstile: `${index}turnstile`,
    committedAhead: `${index}ahead`,
    seqJobs: `${index}seqjobs`,
    turnstileChannel: `${prefix}:turnstile`,
    throughput: `${index}done:`,
    queuePrefix: `${prefix}:{queue}`,
    queueName: 'articles',
  };
}
