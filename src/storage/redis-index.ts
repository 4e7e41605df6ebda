import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis, type ChainableCommander } from 'ioredis';
import { fnv1a } from '../engine/hash.js';
import {
  boundedUnion,
  clusterFilter,
  decisionEvents,
  type ClusterQuery,
  type Index,
  type IndexMutation,
  type StoredArticle,
  type StoredCluster,
} from '../engine/index-store.js';
import { SIGNATURE_FAMILY } from '../engine/minhash.js';
import type { Assignment, MergeEvent, RemovalEvent } from '../engine/types.js';
import type { ServiceEvent } from '../service/ports.js';
import { commitScript, DecisionWrite, LockLostError } from './decision-write.js';
import { serviceKeys, type ServiceKeys } from './keys.js';
import { packArticle, packCluster, unpackArticle, unpackCluster } from './records.js';
import { redactRedisUrl, redisDatabase } from './redis-url.js';

export interface RedisIndexOptions {
  /** Key namespace (see src/storage/keys.ts); default "samestory". */
  prefix?: string;
  /**
   * Append every decision's removals, merges and assignment to the assignments stream inside the decision's
   * own transaction (the service worker does; `samestory cluster --redis` does not).
   */
  publish?: { streamMaxLen: number };
  /**
   * How long (epoch ms of article time, behind the newest indexed) articles stay LSH candidates.
   * "Newest" counts no later than the current time (`clock`): one article dated years ahead (a
   * typo) must not expire the whole present.
   */
  retentionMs?: number;
  /** The current time for retention (default Date.now). */
  clock?: () => number;
  /**
   * Lock lifetime (default 5 s): far above a decision's milliseconds, short enough that a killed
   * holder blocks the others only briefly. A holder that outlives it can no longer write.
   */
  lockTtlMs?: number;
  /** Longest wait for the lock before `atomically` gives up (the job is then retried). */
  lockWaitMs?: number;
  /**
   * LSH buckets are spread over this many sorted sets (default 16384). Best near (articles x bands)
   * / 128: Redis then keeps each one listpack-encoded, ~30 bytes a bucket entry instead of a key of
   * its own (~120 bytes) per bucket. `connectRedisIndex` records it with the index on first use and
   * later connections use the recorded value.
   */
  bucketShards?: number;
}

export { LockLostError };

/** Connects to Redis at `url` and returns an index in the given namespace; `close()` disconnects. */
export async function connectRedisIndex(url: string, options: RedisIndexOptions = {}): Promise<RedisIndex> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  // Without a listener ioredis prints every failed attempt as an "Unhandled error event" stack
  // trace; the first failure is reported below, and later ones surface as failed commands.
  let lastError: Error | undefined;
  redis.on('error', (error: Error) => {
    lastError = error;
  });
  try {
    await redis.connect();
    // ioredis reports a failed SELECT (a database index the server does not have) only as an
    // error event, and goes on in database 0: another deployment's keys.
    const db = redisDatabase(url);
    if (db !== 0) await redis.select(db);
  } catch (error) {
    redis.disconnect();
    const reason = lastError ?? error;
    throw new Error(`cannot connect to Redis at ${redactRedisUrl(url)}: ${reason instanceof Error ? reason.message : String(reason)}`, {
      cause: error,
    });
  }
  const prefix = options.prefix ?? 'samestory';
  const shardsKey = `${serviceKeys(prefix).index}shards`;
  // An index written by code with another key layout or MinHash family would be misread: its
  // signatures match nothing and its counts sit under other keys. The first process to create the
  // index records the layout; an index without that record but with data predates it.
  const found = (await redis.eval(claimLayoutScript, 2, `${serviceKeys(prefix).index}layout`, shardsKey, indexLayout)) as string;
  if (found !== indexLayout) {
    redis.disconnect();
    throw new Error(
      `the index under prefix ${JSON.stringify(prefix)} was written by ${found ? `index layout ${found}` : 'an earlier samestory version'}, ` +
        `this one uses ${indexLayout}: use a new prefix (SAMESTORY_PREFIX) or delete that prefix's keys, then re-submit`,
    );
  }
  // The shard count is fixed by the first process that creates the index: every reader and writer
  // must agree on where a bucket lives.
  await redis.set(shardsKey, String(options.bucketShards ?? defaultBucketShards), 'NX');
  const bucketShards = Number(await redis.get(shardsKey));
  return new RedisIndex(redis, { ...options, bucketShards }, true);
}

const defaultBucketShards = 16_384;

/** Key layout (sharded S:/T: keys since 2) and signature family of the indexes this code reads. */
const indexLayout = `2/${SIGNATURE_FAMILY}`;

/** KEYS: layout, shards; ARGV: this layout. Returns the index's layout ('' when it has none but data). */
const claimLayoutScript = `
local layout = redis.call('GET', KEYS[1])
if layout then return layout end
if redis.call('EXISTS', KEYS[2]) == 1 then return '' end
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]`;

/** Bucket members are short base-36 seq numbers rather than article ids: they repeat in every band. */
const seqKey = (seq: number) => seq.toString(36);

/**
 * LSH bucket entries: `<band key>|<time>|<seq>` with score 0 in a shard sorted set, so one
 * ZRANGEBYLEX returns a bucket's articles within a time range. Time is epoch ms shifted to be
 * positive from 1900 on, base 36, fixed width: lexicographic order = time order.
 */
const timeOrigin = Date.UTC(1900, 0, 1);
const timeCode = (time: number) =>
  Math.min(Math.max(time - timeOrigin, 0), 36 ** 9 - 1).toString(36).padStart(9, '0');
const bucketEntry = (key: string, a: { time: number; seq: number }) => `${key}|${timeCode(a.time)}|${seqKey(a.seq)}`;

/**
 * Term postings the same way: `<term>|<last time>|<cluster id>` with score 0 in shard sorted sets
 * (one ZRANGEBYLEX per term and time window), instead of a sorted set per term: most terms post one
 * or two clusters, and a key of its own costs ~70 bytes more than a listpack entry.
 */
const postingEntry = (term: string, c: { id: string; lastTime: number }) => `${term}|${timeCode(c.lastTime)}|${c.id}`;

/** The shard (base 36) of one of `shards` keys holding `text`: unsigned FNV-1a of its code units, mod shards. */
const shardOf = (text: string, shards: number) => ((fnv1a(text) >>> 0) % shards).toString(36);

/** Reads field ARGV[i] of hash KEYS[i] for each i, as integers (0: absent). */
const countsScript = `
local counts = {}
for i = 1, #KEYS do counts[i] = tonumber(redis.call('HGET', KEYS[i], ARGV[i]) or '0') end
return counts`;

/** A sentence's counter field: its key (base 36, no "|") and its source. */
const sentenceField = (source: string, key: string) => `${key}|${source}`;

/** Deletes the lock only when it still holds our token. */
const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

const maxMs = 10 ** 15;
const maxSeq = 10 ** 12;
const pad = (n: number, width: number) => String(Math.max(0, Math.trunc(n))).padStart(width, '0');
/** Lexicographic list keys: ascending order = MemoryIndex's listClusters order. */
const byUpdated = (c: StoredCluster) =>
  pad(maxMs - Date.parse(c.updatedAt), 16) + pad(maxSeq - c.createdSeq, 13) + c.id;
const bySize = (c: StoredCluster) => pad(maxSeq - c.size, 13) + pad(c.createdSeq, 13) + c.id;
const listPrefixLength = 29;
const sizePrefixLength = 26;

/** State shared by an index and its per-job views: connections, lock and the in-process queue. */
interface Shared {
  redis: Redis;
  keys: ServiceKeys;
  options: Required<Omit<RedisIndexOptions, 'publish' | 'prefix'>> & Pick<RedisIndexOptions, 'publish'>;
  ownsConnection: boolean;
  queue: Promise<unknown>;
  token: string | null;
  /**
   * Records read while holding the lock, until the holder's own apply: nobody else can change them
   * meanwhile, so a decision reads each record once (the engine's reads, then apply's).
   */
  held: Held | null;
}

interface Times {
  newest: number | null;
  oldest: number | null;
}

interface Held {
  articles: Map<string, Buffer | null>;
  clusters: Map<string, Buffer | null>;
  /** Newest indexed time and oldest filed time when the lock was taken (retention), until a write. */
  times?: Times;
  /** Last decision number handed out (only lock holders take them, so it is known locally). */
  seq: number;
  /** Settles when every INCR sent by `nextSeq` confirmed the number handed out. */
  seqConfirmed: Promise<void>;
}

/**
 * The service's Index: the same behaviour as MemoryIndex (one conformance suite checks both), kept
 * in Redis so any number of worker processes decide against one state.
 *
 * - `atomically`: an in-process queue, then a Redis lock (SET NX PX with a random token; released by
 *   compare-and-delete). `apply` writes a decision as one script call (DecisionWrite) that first
 *   checks the lock still holds the token, so a holder whose lock expired or was taken over cannot
 *   write (fencing).
 * - Records are packed binary in two hashes (articles, clusters). LSH buckets are entries
 *   `band|time|seq` in sharded sorted sets read by time range with ZRANGEBYLEX (compact listpacks);
 *   term postings are sorted sets scored by time. Articles older than `retentionMs` behind the
 *   newest indexed time leave the buckets and postings, and their sentences leave the outlet's
 *   boilerplate counts (their records stay readable).
 * - With `publish`, each decision's removals, merges and assignment are XADDed to the assignments stream in
 *   the same script call, and `forJob(seq)` views advance the ordered-commit turnstile there too.
 */
export class RedisIndex implements Index {
  private readonly shared: Shared;
  private readonly k: ServiceKeys['index'];
  /** Submission number this view commits (see `forJob`). */
  private readonly ticket: number | undefined;
  /** Events appended to the stream by this view's last apply, with their stream ids. */
  published: ServiceEvent[] = [];
  /** Whether this view's apply committed its ticket. */
  committed = false;

  constructor(redis: Redis, options?: RedisIndexOptions, ownsConnection?: boolean);
  constructor(shared: Shared, ticket: number | undefined);
  constructor(source: Redis | Shared, options: RedisIndexOptions | number = {}, ownsConnection = false) {
    if (source instanceof Redis) {
      const o = options as RedisIndexOptions;
      this.shared = {
        redis: source,
        keys: serviceKeys(o.prefix ?? 'samestory'),
        options: {
          publish: o.publish,
          retentionMs: o.retentionMs ?? Infinity,
          clock: o.clock ?? Date.now,
          lockTtlMs: o.lockTtlMs ?? 5_000,
          lockWaitMs: o.lockWaitMs ?? 60_000,
          bucketShards: o.bucketShards ?? defaultBucketShards,
        },
        ownsConnection,
        queue: Promise.resolve(),
        token: null,
        held: null,
      };
      this.ticket = undefined;
    } else {
      this.shared = source;
      // forJob(undefined) arrives here as the default `{}`: a view without a ticket.
      this.ticket = typeof options === 'number' ? options : undefined;
    }
    this.k = this.shared.keys.index;
  }

  get keys(): ServiceKeys {
    return this.shared.keys;
  }

  /**
   * A view of this index (same connections and lock) for one job: it records what its apply
   * published, and with a submission number `seq` its apply also marks `seq` committed on the
   * turnstile, in the same transaction as the decision.
   */
  forJob(seq?: number): RedisIndex {
    return new RedisIndex(this.shared, seq);
  }

  /**
   * Marks `seq` committed without an index change (the article was already indexed as is, or its
   * job failed for good). `gaveUpWaiting`: numbers below `seq` are no longer waited for.
   */
  async markCommitted(seq: number, gaveUpWaiting: boolean): Promise<number> {
    const { keys } = this.shared;
    const t = await this.shared.redis.eval(
      commitScript, 2, keys.turnstile, keys.committedAhead, String(seq), gaveUpWaiting ? '1' : '0', keys.turnstileChannel,
    );
    return Number(t);
  }

  atomically<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.shared.queue.then(() => this.underLock(fn));
    this.shared.queue = run.catch(() => undefined);
    return run;
  }

  private async underLock<T>(fn: () => Promise<T>): Promise<T> {
    const { redis, options } = this.shared;
    const lockKey = `${this.k}lock`;
    const token = randomBytes(12).toString('base64url');
    const deadline = Date.now() + options.lockWaitMs;
    let pause = 1;
    // Take the lock (apply's write then checks it still holds our token: fencing) and read the
    // decision counter in one round trip. With retention, the same round trip reads the newest
    // indexed time and the oldest filed one, so a decision with nothing to expire needs no
    // retention read (see `expiry`).
    const retains = options.retentionMs !== Infinity;
    let held: Held;
    for (;;) {
      const pipeline = redis.pipeline().set(lockKey, token, 'PX', options.lockTtlMs, 'NX').get(lockKey);
      pipeline.get(`${this.k}seq`);
      if (retains) this.queueTimes(pipeline);
      const [, holder, seq, newest, oldest] = results<unknown>(await pipeline.exec());
      if (holder === token) {
        const times = retains ? { times: timesOf(newest, oldest) } : {};
        held = { articles: new Map(), clusters: new Map(), seq: Number(seq ?? 0), seqConfirmed: Promise.resolve(), ...times };
        break;
      }
      if (Date.now() > deadline) throw new LockLostError(`index lock not acquired within ${options.lockWaitMs} ms`);
      await sleep(pause + Math.random() * pause);
      pause = Math.min(pause * 2, 5);
    }
    Object.assign(this.shared, { token, held });
    try {
      return await fn();
    } finally {
      held.seqConfirmed.catch(() => undefined); // unchecked when no apply followed: nothing was written
      // A job's commit already released the lock in its transaction (see apply).
      const holding = this.shared.token === token;
      Object.assign(this.shared, { token: null, held: null });
      if (holding) await redis.eval(releaseScript, 1, lockKey, token);
    }
  }

  async getArticle(id: string): Promise<StoredArticle | null> {
    return (await this.getArticles([id]))[0] ?? null;
  }

  async getArticles(ids: readonly string[]): Promise<StoredArticle[]> {
    return (await this.records('a', ids)).flatMap((b) => (b ? [unpackArticle(b)] : []));
  }

  async getClusters(ids: readonly string[]): Promise<StoredCluster[]> {
    return (await this.records('c', ids)).flatMap((b) => (b ? [unpackCluster(b)] : []));
  }

  /** Packed records of hash `a` or `c` in the order of `ids` (null: none), via the holder's cache. */
  private async records(hash: 'a' | 'c', ids: readonly string[]): Promise<(Buffer | null)[]> {
    const cache = this.shared.held?.[hash === 'a' ? 'articles' : 'clusters'];
    const missing = cache ? [...new Set(ids.filter((id) => !cache.has(id)))] : ids;
    if (missing.length === 0) return ids.map((id) => cache?.get(id) ?? null);
    const raw = await this.shared.redis.hmgetBuffer(`${this.k}${hash}`, ...missing);
    if (!cache) return raw;
    missing.forEach((id, i) => cache.set(id, raw[i] ?? null));
    return ids.map((id) => cache.get(id) ?? null);
  }

  async lshCandidates(bandKeys: readonly string[], from: number, to: number): Promise<string[]> {
    if (bandKeys.length === 0) return [];
    const pipeline = this.shared.redis.pipeline();
    for (const key of bandKeys) {
      pipeline.zrangebylex(this.bucket(key), `[${key}|${timeCode(Math.ceil(from))}`, `[${key}|${timeCode(Math.floor(to))}|~`);
    }
    const found = new Set<string>();
    for (const members of results<string[]>(await pipeline.exec())) {
      for (const m of members) found.add(m.slice(m.lastIndexOf('|') + 1));
    }
    const seqs = [...found];
    if (seqs.length === 0) return [];
    const ids = await this.shared.redis.hmget(`${this.k}ids`, ...seqs);
    return ids.filter((id): id is string => id !== null);
  }

  async termCandidates(terms: readonly string[], from: number, to: number): Promise<string[]> {
    if (terms.length === 0) return [];
    const pipeline = this.shared.redis.pipeline();
    for (const term of terms) {
      pipeline.zrangebylex(this.postings(term), `[${term}|${timeCode(Math.ceil(from))}`, `(${term}|${timeCode(Math.floor(to) + 1)}`);
    }
    const lists = results<string[]>(await pipeline.exec());
    // Members are `<term>|<9-character time>|<id>`.
    return boundedUnion(lists.map((members, i) => members.map((m) => m.slice((terms[i] as string).length + 11))));
  }

  /** The bucket shard holding band key `key` (see `bucketEntry`). */
  private bucket(key: string): string {
    return `${this.k}B:${shardOf(key, this.shared.options.bucketShards)}`;
  }

  /** The posting shard holding term `term` (see `postingEntry`). */
  private postings(term: string): string {
    return `${this.k}T:${shardOf(term, this.shared.options.bucketShards)}`;
  }

  async documentFrequencies(terms: readonly string[]): Promise<{ docCount: number; df: number[] }> {
    const pipeline = this.shared.redis.pipeline().get(`${this.k}docs`);
    if (terms.length > 0) pipeline.hmget(`${this.k}df`, ...terms);
    const [docs, df = []] = results<unknown>(await pipeline.exec()) as [string | null, (string | null)[] | undefined];
    return { docCount: Number(docs ?? 0), df: df.map((v) => Number(v ?? 0)) };
  }

  async sentenceCounts(source: string, sentenceKeys: readonly string[]): Promise<number[]> {
    if (sentenceKeys.length === 0) return [];
    const fields = sentenceKeys.map((key) => sentenceField(source, key));
    return (await this.shared.redis.eval(countsScript, fields.length, ...this.sentenceShards(fields), ...fields)) as number[];
  }

  /**
   * The shard hash of each sentence-count field: twice as many shards as LSH buckets (about 20
   * sentences per article against 9 band keys), so each holds a few dozen fields in Redis' compact
   * listpack encoding (~30 bytes a field instead of ~75 in one big hash per source). Document
   * frequencies stay one hash: sharded (tried) they saved ~0.3 KB per article but read ~0.35 ms
   * slower per decision (one scripted HGET per term instead of one HMGET).
   */
  private sentenceShards(fields: readonly string[]): string[] {
    const shards = this.shared.options.bucketShards * 2;
    return fields.map((field) => `${this.k}S:${shardOf(field, shards)}`);
  }

  async nextSeq(): Promise<number> {
    const held = this.shared.held;
    if (!held) return this.shared.redis.incr(`${this.k}seq`);
    // The holder knows the counter (read with the lock), so the number needs no round trip; apply
    // waits for the INCR's confirmation before writing anything numbered with it.
    const seq = ++held.seq;
    const confirmed = this.shared.redis.incr(`${this.k}seq`).then((n) => {
      if (n !== seq) throw new LockLostError(`decision counter moved under the lock (${n}, expected ${seq})`);
    });
    held.seqConfirmed = Promise.all([held.seqConfirmed, confirmed]).then(() => undefined);
    return seq;
  }

  async apply(m: IndexMutation): Promise<void> {
    const { redis, options } = this.shared;
    const token = this.shared.token;
    if (token === null) throw new LockLostError('apply called outside atomically');
    const k = this.k;
    const { article, previous } = m;
    if (article.bandKeys.some((key) => key.includes('|'))) throw new Error('LSH band keys must not contain "|"');
    if (m.clusters.some((c) => c.postedTerms.some((term) => term.includes('|')))) throw new Error('posted terms must not contain "|"');

    // How far this article moves retention's "newest indexed time": no further than now.
    const horizon = Math.min(article.time, options.clock());
    // Reads first (we hold the lock; the write checks we still do). Clusters the decision already
    // read come from the holder's cache.
    const touched = [...new Set([...m.clusters.map((c) => c.id), ...m.absorbed.flatMap((a) => [a.clusterId, a.into]), ...m.removedClusters])];
    const [clusters, moves, { cutoff, expired: expiring }, previousFiled] = await Promise.all([
      this.getClusters(touched), this.readMoves(m), this.expiry(horizon),
      previous ? redis.zscore(`${k}tl`, seqKey(previous.seq)).then((score) => score !== null) : false,
      this.shared.held?.seqConfirmed,
    ]);
    // An update of an article expiring now leaves the index as an update, not twice.
    const expired = expiring.filter((e) => e.seq !== previous?.seq);
    const stored = new Map(clusters.map((c) => [c.id, c]));

    const w = new DecisionWrite();
    const bumpSentences = (by: number, a: Pick<StoredArticle, 'source' | 'sentenceKeys'>) => {
      const fields = a.sentenceKeys.map((key) => sentenceField(a.source, key));
      w.bump(this.sentenceShards(fields), by, fields);
    };

    if (previous) {
      for (const key of previous.bandKeys) w.call('ZREM', this.bucket(key), bucketEntry(key, previous));
      if (previous.seq !== article.seq) w.call('ZREM', `${k}tl`, seqKey(previous.seq)).call('HDEL', `${k}ids`, seqKey(previous.seq));
      w.bump([`${k}df`], -1, previous.dfTerms);
      // An expired earlier version no longer counts in the outlet's sentences (see expiry).
      if (previousFiled) bumpSentences(-1, previous);
      w.call('ZREM', `${k}m:${previous.clusterId}`, previous.id);
    } else {
      w.call('INCR', `${k}docs`);
    }
    w.call('HSET', `${k}a`, article.id, packArticle(article));
    w.call('HSET', `${k}ids`, seqKey(article.seq), article.id).call('ZADD', `${k}tl`, article.time, seqKey(article.seq));
    for (const key of article.bandKeys) w.call('ZADD', this.bucket(key), 0, bucketEntry(key, article));
    w.bump([`${k}df`], 1, article.dfTerms);
    bumpSentences(1, article);
    for (const e of expired) {
      for (const key of e.bandKeys) w.call('ZREM', this.bucket(key), bucketEntry(key, e));
      w.call('ZREM', `${k}tl`, seqKey(e.seq));
      bumpSentences(-1, e);
    }

    const deleted = new Set<string>();
    const deleteCluster = (id: string) => {
      const old = deleted.has(id) ? undefined : stored.get(id);
      if (old) {
        for (const term of old.postedTerms) w.call('ZREM', this.postings(term), postingEntry(term, old));
        w.call('ZREM', `${k}lu`, byUpdated(old)).call('ZREM', `${k}ls`, bySize(old));
      }
      w.call('HDEL', `${k}c`, id).call('DEL', `${k}m:${id}`);
      deleted.add(id);
    };
    for (const { clusterId, into } of m.absorbed) {
      w.call('ZUNIONSTORE', `${k}m:${into}`, 2, `${k}m:${into}`, `${k}m:${clusterId}`, 'AGGREGATE', 'MIN');
      deleteCluster(clusterId);
    }
    for (const member of moves) w.call('HSET', `${k}a`, member.id, packArticle(member));
    for (const id of m.removedClusters) deleteCluster(id);
    for (const cluster of m.clusters) {
      const old = deleted.has(cluster.id) ? undefined : stored.get(cluster.id);
      if (old) w.call('ZREM', `${k}lu`, byUpdated(old)).call('ZREM', `${k}ls`, bySize(old));
      w.call('HSET', `${k}c`, cluster.id, packCluster(cluster));
      // Postings that stay as they were (same term, same last time) are left alone.
      const before = new Set(old?.postedTerms.map((term) => postingEntry(term, old)));
      const after = new Set(cluster.postedTerms.map((term) => postingEntry(term, cluster)));
      for (const term of old?.postedTerms ?? []) {
        const entry = postingEntry(term, old as StoredCluster);
        if (!after.has(entry)) w.call('ZREM', this.postings(term), entry);
      }
      for (const term of cluster.postedTerms) {
        const entry = postingEntry(term, cluster);
        if (!before.has(entry)) w.call('ZADD', this.postings(term), 0, entry);
        if (cutoff > -Infinity) w.call('ZREMRANGEBYLEX', this.postings(term), `[${term}|`, `(${term}|${timeCode(cutoff)}`);
      }
      w.call('ZADD', `${k}lu`, 0, byUpdated(cluster)).call('ZADD', `${k}ls`, 0, bySize(cluster));
      deleted.delete(cluster.id);
    }
    w.call('ZADD', `${k}m:${article.clusterId}`, article.seq, article.id);
    if (cutoff > -Infinity) w.max(`${k}hw`, horizon);

    const events = options.publish ? this.queueEvents(w, m, options.publish.streamMaxLen) : [];
    if (this.ticket !== undefined) {
      const keys = this.shared.keys;
      w.commit(keys.turnstile, keys.committedAhead, this.ticket, keys.turnstileChannel);
      // A job's decision ends here: freeing the lock in the same write lets the successor the
      // turnstile just woke take it at once (`atomically` then has nothing left to release).
      w.release();
    }

    let ids: string[];
    try {
      ids = await w.run(redis, `${k}lock`, token);
    } finally {
      // Our writes (or a failed attempt's part of them) outdate the cached records and times.
      const held = this.shared.held;
      if (held) this.shared.held = { articles: new Map(), clusters: new Map(), seq: held.seq, seqConfirmed: held.seqConfirmed };
    }
    this.published = events.map((event, i) => ({ ...event, streamId: ids[i] ?? '' }) as ServiceEvent);
    if (this.ticket !== undefined) {
      this.committed = true;
      this.shared.token = null;
    }
  }

  /**
   * Retention for a decision on an article of `time`: the cutoff (retention behind the newest
   * indexed time) and up to 200 filed articles older than it, oldest first (they leave their
   * buckets). Usually no round trip: the times read with the lock show whether anything expired.
   */
  private async expiry(time: number): Promise<{ cutoff: number; expired: Expired[] }> {
    const { redis, options } = this.shared;
    if (options.retentionMs === Infinity) return { cutoff: -Infinity, expired: [] };
    const times = this.shared.held?.times ?? timesOf(...(results<unknown>(await this.queueTimes(redis.pipeline()).exec()) as [unknown, unknown]));
    const cutoff = Math.max(times.newest ?? time, time) - options.retentionMs;
    if (times.oldest === null || times.oldest >= cutoff) return { cutoff, expired: [] };
    const seqs = await redis.zrangebyscore(`${this.k}tl`, '-inf', `(${cutoff}`, 'LIMIT', 0, 200);
    const ids = (await redis.hmget(`${this.k}ids`, ...seqs)).filter((id): id is string => id !== null);
    const filed = new Map((await this.getArticles(ids)).map((a) => [seqKey(a.seq), a]));
    const expired = seqs.map((s): Expired => {
      const a = filed.get(s);
      return { seq: parseInt(s, 36), time: a?.time ?? 0, bandKeys: a?.bandKeys ?? [], source: a?.source ?? '', sentenceKeys: a?.sentenceKeys ?? [] };
    });
    return { cutoff, expired };
  }

  /** Queues the reads of the newest indexed time and the oldest filed article's time (see `timesOf`). */
  private queueTimes(pipeline: ChainableCommander): ChainableCommander {
    return pipeline.get(`${this.k}hw`).zrange(`${this.k}tl`, '0', '0', 'WITHSCORES');
  }

  /** Records of the members moved by `absorbed`, with their new cluster ids (merges may chain). */
  private async readMoves(m: IndexMutation): Promise<StoredArticle[]> {
    if (m.absorbed.length === 0) return [];
    const pipeline = this.shared.redis.pipeline();
    for (const { clusterId } of m.absorbed) pipeline.zrange(`${this.k}m:${clusterId}`, '0', '-1');
    const lists = results<string[]>(await pipeline.exec());
    const members = new Map<string, string[]>();
    m.absorbed.forEach(({ clusterId }, i) => members.set(clusterId, lists[i] ?? []));
    const previousId = m.previous?.id;
    const clusterOf = new Map<string, string>();
    for (const { clusterId, into } of m.absorbed) {
      const moved = (members.get(clusterId) ?? []).filter((id) => id !== previousId || m.previous?.clusterId !== clusterId);
      for (const id of moved) clusterOf.set(id, into);
      members.set(into, [...(members.get(into) ?? []), ...moved]);
      members.delete(clusterId);
    }
    const records = await this.getArticles([...clusterOf.keys()]);
    return records.map((r) => ({ ...r, clusterId: clusterOf.get(r.id) ?? r.clusterId }));
  }

  private queueEvents(w: DecisionWrite, m: IndexMutation, maxLen: number): UnpublishedEvent[] {
    const { assignment, merges, removals } = decisionEvents(m);
    const events: UnpublishedEvent[] = [
      ...removals.map((removal) => ({ type: 'removal' as const, removal })),
      ...merges.map((merge) => ({ type: 'merge' as const, merge })),
      { type: 'assignment', assignment },
    ];
    for (const event of events) {
      w.call('XADD', this.shared.keys.stream, 'MAXLEN', '~', maxLen, '*', 'event', JSON.stringify(event));
    }
    return events;
  }

  async listClusters(query: ClusterQuery): Promise<{ total: number; items: StoredCluster[] }> {
    const { redis } = this.shared;
    const list = `${this.k}${query.sort === 'size' ? 'ls' : 'lu'}`;
    const idOf = (member: string) => member.slice(query.sort === 'size' ? sizePrefixLength : listPrefixLength);
    if (!query.text && !query.source) {
      const [total, members] = await Promise.all([
        redis.zcard(list),
        query.limit > 0 ? redis.zrangebylex(list, '-', '+', 'LIMIT', String(query.offset), String(query.limit)) : Promise.resolve([]),
      ]);
      return { total, items: await this.getClusters(members.map(idOf)) };
    }
    // Filters scan every cluster in list order, a chunk at a time.
    const matches = clusterFilter(query);
    const items: StoredCluster[] = [];
    let total = 0;
    const chunk = 500;
    for (let start = 0; ; start += chunk) {
      const members = await redis.zrangebylex(list, '-', '+', 'LIMIT', String(start), String(chunk));
      for (const c of await this.getClusters(members.map(idOf))) {
        if (!matches(c)) continue;
        if (total >= query.offset && items.length < query.limit) items.push(c);
        total++;
      }
      if (members.length < chunk) break;
    }
    return { total, items };
  }

  async clusterMembers(clusterId: string): Promise<StoredArticle[]> {
    return this.getArticles(await this.shared.redis.zrange(`${this.k}m:${clusterId}`, '0', '-1'));
  }

  async close(): Promise<void> {
    await this.shared.queue;
    if (this.shared.ownsConnection) await this.shared.redis.quit();
  }
}

/**
 * A filed article leaving the candidate index: out of its LSH buckets and the timeline, and its
 * sentences no longer count towards its outlet's boilerplate (the counts would otherwise grow with
 * every article ever indexed; furniture still in use is counted again by the newer articles).
 */
type Expired = Pick<StoredArticle, 'seq' | 'time' | 'bandKeys' | 'source' | 'sentenceKeys'>;

type UnpublishedEvent =
  | { type: 'assignment'; assignment: Assignment }
  | { type: 'merge'; merge: MergeEvent }
  | { type: 'removal'; removal: RemovalEvent };

/** The replies of `queueTimes` as times. */
function timesOf(newest: unknown, oldest: unknown): Times {
  const [, first] = (oldest ?? []) as string[];
  return { newest: newest == null ? null : Number(newest), oldest: first === undefined ? null : Number(first) };
}

function results<T>(replies: [Error | null, unknown][] | null): T[] {
  if (!replies) throw new Error('Redis pipeline aborted');
  return replies.map(([error, value]) => {
    if (error) throw error;
    return value as T;
  });
}
