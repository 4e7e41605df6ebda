import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hash32, hashKey } from '../../../src/engine/hash.js';

describe('hashKey', () => {
  it('is hash32 under two seeds, as 16 hex characters (stored content hashes depend on it)', () => {
    const hex = (v: number) => v.toString(16).padStart(8, '0');
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 })), (text) => {
        expect(hashKey(text)).toBe(hex(hash32(text)) + hex(hash32(text, 0x9747b28c)));
      }),
      { numRuns: 2000, seed: 1 },
    );
    // The value the two-pass version gave: indexes keep content hashes across versions.
    expect(hashKey('Dam opens\nWater flowed.')).toBe('51b36587ad095068');
  });
});
