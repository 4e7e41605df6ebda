import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { articleLimits, type Article } from '../engine/types.js';

/**
 * The one schema for a submitted article, shared by the HTTP API (validation + OpenAPI), the queue
 * client, the CLI and the feed reader. Limits keep a single bad article from hurting the service.
 */
/** The article limits (defined with the Article type, which the engine also checks page values against). */
export const limits = articleLimits;

export const ArticleSchema = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: limits.idLength, description: "Caller's stable key" }),
    url: Type.Optional(Type.String({ maxLength: limits.urlLength })),
    source: Type.Optional(Type.String({ minLength: 1, maxLength: limits.sourceLength })),
    title: Type.Optional(Type.String({ maxLength: limits.titleLength })),
    text: Type.Optional(Type.String({ maxLength: limits.textBytes })),
    html: Type.Optional(Type.String({ maxLength: limits.textBytes })),
    publishedAt: Type.Optional(Type.String({ maxLength: limits.publishedAtLength, description: 'ISO 8601 date or date-time' })),
    lang: Type.Optional(Type.String({ maxLength: 16 })),
  },
  { additionalProperties: false, $id: 'Article' },
);

export type ArticleInput = Static<typeof ArticleSchema>;

const checker = TypeCompiler.Compile(ArticleSchema);

export class ArticleValidationError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'ArticleValidationError';
  }
}

/**
 * Validates an unknown value as an Article, beyond what JSON Schema can say: a usable text or html,
 * a parseable date in range, no NUL bytes in the id. Throws ArticleValidationError naming the field.
 */
export function parseArticle(value: unknown): Article {
  const first = checker.Errors(value).First();
  if (first) {
    const field = first.path.replace(/^\//, '').replace(/\//g, '.') || 'article';
    const { maxLength } = first.schema as { maxLength?: number };
    const length = typeof first.value === 'string' ? first.value.length : 0;
    const tooLong = maxLength !== undefined && length > maxLength;
    throw new ArticleValidationError(field, tooLong ? `is ${length.toLocaleString('en')} characters long; the limit is ${maxLength.toLocaleString('en')}` : first.message);
  }
  const article = value as ArticleInput;
  if (article.id.trim() === '' || article.id.includes('\u0000')) {
    throw new ArticleValidationError('id', 'must contain visible characters and no NUL bytes');
  }
  if ((article.text ?? '').trim() === '' && (article.html ?? '').trim() === '') {
    throw new ArticleValidationError('text', 'an article needs non-empty text or html');
  }
  if (article.publishedAt !== undefined) publishedTime(article.publishedAt);
  return article;
}

/**
 * Epoch ms of a publishedAt value; throws ArticleValidationError when it is unparseable, absurd, or
 * a numeric date with the year last, which Date.parse reads month first without a word.
 */
export function publishedTime(publishedAt: string): number {
  const yearLast = yearLastDateProblem(publishedAt);
  if (yearLast) throw new ArticleValidationError('publishedAt', yearLast);
  const time = Date.parse(publishedAt);
  if (Number.isNaN(time)) throw new ArticleValidationError('publishedAt', 'is not an ISO 8601 date');
  // Date.parse rolls an impossible day over: 2026-02-30 would be 2 March.
  const day = /^\s*(\d{4})-(\d{2})-(\d{2})/.exec(publishedAt);
  if (day) {
    const [year, month, date] = [Number(day[1]), Number(day[2]), Number(day[3])];
    const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
    if (date > daysInMonth) throw new ArticleValidationError('publishedAt', `"${publishedAt}": ${monthNames[month - 1]} ${year} has ${daysInMonth} days`);
  }
  const year = new Date(time).getUTCFullYear();
  if (year < limits.earliestYear || year > limits.latestYear) {
    throw new ArticleValidationError(
      'publishedAt',
      `year ${year} is outside ${limits.earliestYear}-${limits.latestYear}`,
    );
  }
  return time;
}

const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Why a date like 05/11/2026, 19.11.2026 or 5-11-26 (year last) is refused; null for other forms. */
export function yearLastDateProblem(date: string): string | null {
  const match = /^\s*(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})\s*$/.exec(date);
  if (!match) return null;
  const [, a = '', , b = '', year = ''] = match;
  const [first, second] = [Number(a), Number(b)];
  const iso = (month: number, day: number) =>
    year.length === 4 ? `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}` : `YYYY-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  const dayFirst = second >= 1 && second <= 12 && first >= 1 && first <= 31;
  const monthFirst = first >= 1 && first <= 12 && second >= 1 && second <= 31;
  if (dayFirst && monthFirst && first !== second) {
    return (
      `"${date}" is ambiguous (${first} ${monthNames[second - 1]} or ${monthNames[first - 1]} ${second}?); ` +
      `write an ISO 8601 date: ${iso(second, first)} or ${iso(first, second)}`
    );
  }
  if (dayFirst || monthFirst) {
    const [month, day] = dayFirst ? [second, first] : [first, second];
    return `"${date}" is not an ISO 8601 date; write ${iso(month, day)}`;
  }
  return `"${date}" is not a date`;
}
