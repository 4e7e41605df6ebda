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

  it('refuses dates Date.parse would misread: numeric ones with the year last (month first), impossible days (rolled over)', () => {
    expect(() => parseArticle({ id: 'd', text: 'Fog closed the harbour.', publishedAt: '05/11/2026' })).toThrow(
      /^publishedAt: "05\/11\/2026" is ambiguous \(5 November or May 11\?\)/,
    );
    expect(() => parseArticle({ id: 'd', text: 'Fog closed the harbour.', publishedAt: '2026-02-30' })).toThrow(
      /^publishedAt: "2026-02-30": February 2026 has 28 days/,
    );
    expect(() => parseArticle({ id: 'd', text: 'Fog.', publishedAt: '2026-04-31T10:00:00Z' })).toThrow(/April 2026 has 30 days/);
    expect(parseArticle({ id: 'd', text: 'Fog.', publishedAt: '2028-02-29T10:00:00Z' }).publishedAt).toBe('2028-02-29T10:00:00Z');
    expect(parseArticle({ id: 'd', text: 'Fog closed the harbour.', publishedAt: 'Tue, 17 Nov 2026 16:05:00 GMT' }).publishedAt).toBe(
      'Tue, 17 Nov 2026 16:05:00 GMT',
    );
  });
});
