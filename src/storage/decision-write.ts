import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Marks submission number `seq` committed and advances the turnstile over every number committed
 * ahead of it (see docs/service.md, "Ordered commits"). With `gaveUp` == '1' the caller proceeded
 * without its predecessors (they timed out): numbers below it are given up on. Announces the new
 * turnstile on `channel`. Shared by the commit script and the decision write.
 */
const commitFunction = `
local function commit(turnstile, ahead, seqArg, gaveUp, channel)
  local t = tonumber(redis.call('GET', turnstile) or '0')
  local s = tonumber(seqArg)
  if gaveUp == '1' and t < s - 1 then t = s - 1 end
  if s > t then redis.call('ZADD', ahead, s, seqArg) end
  while redis.call('ZREM', ahead, tostring(t + 1)) == 1 do t = t + 1 end
  redis.call('ZREMRANGEBYSCORE', ahead, '-inf', t)
  redis.call('SET', turnstile, t)
  redis.call('PUBLISH', channel, t)
  return t
end`;

/** KEYS: turnstile, committed-ahead set; ARGV: seq, gave up ('1'/'0'), channel. Returns the turnstile. */
export const commitScript = `${commitFunction}
return commit(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3])`;

/**
 * KEYS[1]: the index lock; ARGV[1]: the writer's token; then the ops, each `<count> <name> <count - 1
 * arguments>`. Nothing is written unless the lock still holds the token (fencing: a holder whose
 * lock ran out or changed hands writes nothing). Names are Redis commands, run as given, or:
 * BUMP by key field key field ... (adds `by` to each counter field, deleting fields that reach
 * zero, as MemoryIndex's counts are); MAX key value (key = max(key, value)); COMMIT (see
 * commitFunction); RELEASE (deletes the lock). Returns the ids XADD gave, in order.
 */
const writeScript = `${commitFunction}
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('LOCKLOST index lock lost while writing') end
local ids = {}
local i = 2
while i <= #ARGV do
  local first, last, name = i + 2, i + tonumber(ARGV[i]), ARGV[i + 1]
  if name == 'BUMP' then
    local by = tonumber(ARGV[first])
    for j = first + 1, last, 2 do
      if redis.call('HINCRBY', ARGV[j], ARGV[j + 1], by) <= 0 then redis.call('HDEL', ARGV[j], ARGV[j + 1]) end
    end
  elseif name == 'MAX' then
    if tonumber(ARGV[first + 1]) > tonumber(redis.call('GET', ARGV[first]) or '-inf') then
      redis.call('SET', ARGV[first], ARGV[first + 1])
    end
  elseif name == 'COMMIT' then
    commit(unpack(ARGV, first, last))
  elseif name == 'RELEASE' then
    redis.call('DEL', KEYS[1])
  elseif name == 'XADD' then
    ids[#ids + 1] = redis.call('XADD', unpack(ARGV, first, last))
  else
    redis.call(name, unpack(ARGV, first, last))
  end
  i = last + 1
end
return ids`;

/** Sent by hash (EVALSHA) once Redis has it, not as 1.4 KB of text with every decision. */
const writeScriptSha = createHash('sha1').update(writeScript).digest('hex');

export type WriteArg = string | number | Buffer;

/** The index lock was not acquired in time, or lost before a decision was written (nothing was). */
export class LockLostError extends Error {
  override name = 'LockLostError';
}

/**
 * One decision's writes, sent as a single script call under the lock instead of a MULTI of ~140
 * commands under WATCH: measured on the synthetic stream (4 alternating runs of 3,000 decisions),
 * the worker's CPU per decision fell from 3.9 to 3.4 ms (Redis' own CPU unchanged, ~1.3 ms), and
 * the lock check moves into the script.
 */
export class DecisionWrite {
  private readonly args: WriteArg[] = [];

  /** A Redis command, run as given (its reply is not returned, except XADD's id). */
  call(name: string, ...args: WriteArg[]): this {
    this.args.push(args.length + 1, name, ...args);
    return this;
  }

  /** Adds `by` to counter `fields[i]` of hash `keys[i]` (one key: all fields in it). */
  bump(keys: readonly string[], by: number, fields: readonly string[]): this {
    if (fields.length === 0) return this;
    const pairs = fields.flatMap((field, i) => [keys.length === 1 ? (keys[0] as string) : (keys[i] as string), field]);
    return this.call('BUMP', by, ...pairs);
  }

  /** Sets `key` to `value` unless it already holds a larger number. */
  max(key: string, value: number): this {
    return this.call('MAX', key, value);
  }

  /** Commits `seq` on the turnstile, giving up on the numbers below it (see commitScript). */
  commit(turnstile: string, ahead: string, seq: number, channel: string): this {
    return this.call('COMMIT', turnstile, ahead, seq, '1', channel);
  }

  /** Frees the lock once everything before it is written. */
  release(): this {
    return this.call('RELEASE');
  }

  /** Runs the writes if `lockKey` still holds `token`; returns XADD's ids in order. */
  async run(redis: Redis, lockKey: string, token: string): Promise<string[]> {
    try {
      try {
        return (await redis.evalsha(writeScriptSha, 1, lockKey, token, ...this.args)) as string[];
      } catch (error) {
        // A Redis that has not seen the script yet (or restarted since) gets its text.
        if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
        return (await redis.eval(writeScript, 1, lockKey, token, ...this.args)) as string[];
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message.startsWith('LOCKLOST')) throw new LockLostError(`${message.slice(9)}: decision discarded`);
      throw new Error(`index write failed: ${message}`, { cause: error });
    }
  }
}
