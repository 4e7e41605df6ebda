/**
 * Fast, deterministic 32-bit string hashing (FNV-1a over UTF-16 code units, then a murmur3-style
 * finaliser so nearby strings spread over all bits). Used for shingles, band keys and sentence keys.
 */
export function hash32(text: string, seed = 0x811c9dc5): number {
  return fmix32(fnv1a(text, 0, text.length, seed));
}

/** FNV-1a of text[start, end), as int32, without the finaliser (the token memo's key, see text.ts scan). */
export function fnv1a(text: string, start = 0, end = text.length, seed = 0x811c9dc5): number {
  let h = seed | 0;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}

/** murmur3's 32-bit finaliser: avalanches every input bit. */
export function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Combines a running 32-bit hash with another 32-bit value (order-sensitive). */
export function combine32(h: number, value: number): number {
  return fmix32(Math.imul(h ^ value, 0x9e3779b1) + 0x7f4a7c15);
}

/**
 * A 64-bit key as 16 hex characters: hash32(text) and hash32(text, 0x9747b28c), collisions are
 * negligible. Both in one pass over the text (its two multiply chains overlap): half the time of
 * two hash32 calls on a whole article.
 */
export function hashKey(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x01000193);
  }
  return hex8(fmix32(h1)) + hex8(fmix32(h2));
}

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}
