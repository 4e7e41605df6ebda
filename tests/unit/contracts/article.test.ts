import { describe, expect, it } from 'vitest';
import { ArticleValidationError, limits, parseArticle } from '../../../src/contracts/article.js';

describe('parseArticle', () => {
  it('says how long an over-long field is and what the limit is, naming the field', () => {
    const html = `<p>${'Harbour news. '.repeat(160_000)}</p>`;
    expect(() => parseArticle({ id: 'big', html })).toThrow(ArticleValidationError);
    expect(() => parseArticle({ id: 'big', html })).toThrow(
      `html: is ${html.length.toLocaleString('en')} characters long; the limit is ${limits.textBytes.toLocaleString('en')}`,
    );
  });

  it('refuses a numeric date with the year last, which Date.parse would read month first', () => {
    expect(() => parseArticle({ id: 'd', text: 'Fog closed the harbour.', publishedAt: '05/11/2026' })).toThrow(
      /^publishedAt: "05\/11\/2026" is ambiguous \(5 November or May 11\?\)/,
    );
    expect(parseArticle({ id: 'd', text: 'Fog closed the harbour.', publishedAt: 'Tue, 17 Nov 2026 16:05:00 GMT' }).publishedAt).toBe(
      'Tue, 17 Nov 2026 16:05:00 GMT',
    );
  });
});
