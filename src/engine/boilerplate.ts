import { hashKey } from './hash.js';

/**
 * Publisher furniture that is never story content, removed from every article so it cannot glue
 * an outlet's articles together even before anything has been learned about the outlet.
 * PHRASES are cut out of a sentence (captions keep their own text); SENTENCES drop the whole
 * sentence, only when it is short (a long sentence matching one of them is likely reporting).
 */
const PHRASES: RegExp[] = [
  /\bopen image in gallery\b/gi,
  /\b(?:image|photo|picture|video) \d+ of \d+\b/gi,
  /\((?:photo|image|picture|credit|video)s?(?: credit)?: [^)]*\)/gi,
  /\b(?:skip|jump) to (?:main )?content\b/gi,
];

const SENTENCES: RegExp[] = [
  // Donation and membership appeals.
  /\b(?:support|fund|funding|back) (?:our|independent|quality|free|trusted|local|this) (?:journalism|reporting|newsroom|work)\b/i,
  /\b(?:donate|contribute|give) (?:now|today|monthly|once|to (?:us|our|support|keep|help))\b/i,
  /\bmake a (?:donation|contribution|one-off|monthly)\b/i,
  /\bbecome a (?:member|subscriber|supporter|patron|friend)\b/i,
  /\b(?:readers? like you|reader-funded|reader-supported|free to read for everyone|paywall)\b/i,
  /\bevery (?:contribution|donation)\b/i,
  // Calls to action.
  /^(?:read|see|watch|listen|click|tap) (?:more|also|here|now|next|the full)\b/i,
  /^(?:related|more|also read|recommended|trending|most read|editor'?s picks?|more on this story|top stories)\b\W*/i,
  /^(?:sign up|subscribe|register|log ?in|sign in)\b/i,
  /\b(?:sign up|subscribe) (?:to|for|now|today|here)\b/i,
  /\bnewsletters?\b/i,
  /\bfollow us\b/i,
  /\b(?:download|get) (?:our|the) (?:free )?app\b/i,
  /^share (?:this|the|on)\b/i,
  /^(?:share|tweet|email|print|comments?|save|copy link|facebook|twitter|whatsapp|linkedin)$/i,
  /\b(?:share|forward) this (?:article|story|page)\b/i,
  // Legal, ads, cookies, credits.
  /\ball rights reserved\b/i,
  /^(?:©|\(c\)|copyright\b)/i,
  /^(?:advertisement|advert|sponsored(?: content)?|ad|promoted|paid content)$/i,
  /\bcookies?\b.*\b(?:use|accept|consent|policy|settings|preferences)\b/i,
  /\b(?:uses|use) cookies\b/i,
  /\bprivacy (?:policy|notice|settings)\b/i,
  /^(?:photo|image|picture|photograph|credit|video|caption|source|file photo)s?(?: credit)?\s*:/i,
  /\b(?:getty images|shutterstock|ap photo|afp via getty|reuters\/[a-z]+|pa wire|epa-efe)\b/i,
  /\b(?:this (?:story|article) (?:has been|was) (?:updated|corrected))\b/i,
];

/** Sentences longer than this are never dropped by a SENTENCES pattern. */
const MAX_FURNITURE_WORDS = 30;

/** Removes generic publisher furniture; returns the sentences that are left. */
export function stripGenericBoilerplate(sentences: readonly string[]): string[] {
  const out: string[] = [];
  for (const sentence of sentences) {
    let s = sentence;
    for (const re of PHRASES) s = s.replace(re, ' ');
    s = s.replace(/\s+/g, ' ').trim();
    if (!/[\p{L}\p{N}]/u.test(s)) continue;
    const wordCount = s.split(' ').length;
    if (wordCount <= MAX_FURNITURE_WORDS && SENTENCES.some((re) => re.test(s))) continue;
    out.push(s);
  }
  return out;
}

/**
 * Key of a sentence for per-source counting: case, digits-as-digits and punctuation-insensitive,
 * so "Read more at X." and "read more at x" are one sentence. Sentences with fewer than three words
 * are not keyed: too short to be recognisably the same furniture.
 */
export function sentenceKey(sentence: string): string | null {
  const norm = sentence.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  if (norm.split(' ').length < 3) return null;
  return hashKey(norm);
}

/**
 * Drops sentences seen in at least `minCount` earlier articles of the same source (learned
 * boilerplate), unless most of the article was seen before: then it is a republication of an
 * earlier article, and stripping would leave it nothing to be recognised by.
 * `sentenceKeys[i]` is the key of `sentences[i]`; `countOf` maps keys to earlier-article counts.
 */
export function stripLearnedBoilerplate(
  sentences: readonly string[],
  sentenceKeys: readonly (string | null)[],
  countOf: ReadonlyMap<string, number>,
  minCount: number,
): string[] {
  let keyed = 0;
  let seen = 0;
  for (const key of sentenceKeys) {
    if (key === null) continue;
    keyed++;
    if ((countOf.get(key) ?? 0) > 0) seen++;
  }
  if (keyed > 0 && seen * 2 > keyed) return [...sentences];
  return sentences.filter((_, i) => {
    const key = sentenceKeys[i];
    return key === null || key === undefined || (countOf.get(key) ?? 0) < minCount;
  });
}
