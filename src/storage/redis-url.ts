/**
 * A Redis URL fit for messages and logs: the password replaced by `***`. Works on malformed URLs
 * too (the text between `//` and `@`), since those are the ones echoed in errors.
 */
export function redactRedisUrl(url: string): string {
  return url.replace(/^(\w+:\/\/[^:/@]*):[^@/]*@/, '$1:***@');
}

/** The database index a Redis URL names (its path, e.g. `redis://host:6379/6`); 0 without one. */
export function redisDatabase(url: string): number {
  return Number(new URL(url).pathname.slice(1) || 0);
}
