import { fmix32 } from './hash.js';

/**
 * Publisher furniture that is never story content, removed from every article so it cannot glue
 * an outlet's articles together even before anything has been learned about the outlet.
 * PHRASES are cut out of a sentence (captions keep their own text); SENTENCES drop the whole
 * sentence, only when it is short (a long sentence matching one of them is likely reporting).
 */
const PHRASES: readonly RegExp[] = [
  /\bopen image in gallery\b/,
  /\b(?:image|photo|picture|video) \d+ of \d+\b/,
  /\((?:photo|image|picture|credit|video)s?(?: credit)?: [^)]*\)/,
  /\b(?:skip|jump) to (?:main )?content\b/,
  // Time stamps ("16.05 GMT", "4:05 pm EDT"): an outlet prints them on every page in one format,
  // and they tell nothing of the event (the date beside them does, and stays).
  /\b\d{1,2}(?:: ?\d{2}|\.\d{2}(?= ?(?:[ap]\.? ?m\b|gmt|utc|bst|cet|cest|eet|edt|est|pdt|pst|cdt|cst)\b))(?: ?[ap]\.? ?m\b\.?)?(?: ?(?:gmt|utc|bst|cet|cest|eet|edt|est|pdt|pst|cdt|cst)\b)?/,
  /\b(?:gmt|utc|bst|cest|edt|pdt)\b/,
];

/** Headings of link lists: "Most viewed", "Related stories", "More on this story", ... */
const LIST_HEADING =
  "related(?: (?:stories|articles|content|links|coverage|topics))?|more(?: (?:stories|news|on this(?: story)?|from [\\w' ]{1,30}))?|" +
  "also read|read next|recommended(?: for you)?|trending(?: now)?|most (?:read|viewed|popular|shared|commented)|" +
  "editor'?s picks?|top stories|latest(?: news| stories)?|you (?:may|might) also like";

const SENTENCES: readonly RegExp[] = [
  // Donation and membership appeals.
  /\b(?:support|fund|funding|back) (?:our|independent|quality|free|trusted|local|this) (?:journalism|reporting|newsroom|work)\b/i,
  /\b(?:donate|contribute|give) (?:now|today|monthly|once|to (?:us|our|support|keep|help))\b/i,
  /\bmake a (?:donation|contribution|one-off|monthly)\b/i,
  /\bbecome a (?:member|subscriber|supporter|patron|friend)\b/i,
  /\b(?:readers? like you|reader-funded|reader-supported|free to read for everyone|paywall)\b/i,
  /\bevery (?:contribution|donation)\b/i,
  /\b(?:funded|supported|paid for) by (?:its|our) readers\b/i,
  /\b(?:please )?support us\b/i,
  /\bplease (?:donate|give|contribute)\b/i,
  // Calls to action.
  /^(?:read|see|watch|listen|click|tap) (?:more|also|here|now|next|the full)\b/i,
  // List headings: the whole line, or a label before a colon ("Related: <headline>"); not the
  // sentences that merely open with the word ("More than 300 people were evacuated.").
  new RegExp(`^(?:${LIST_HEADING})\\W*(?::.*)?$`, 'i'),
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
  /\b(?:this (?:story|article) (?:has been|was) (?:updated|corrected|amended))\b/i,
  // Sign-offs, appeals and newsletter plugs in their other common wordings.
  /^before you go\b/i,
  /^the post .+ appeared first on\b/i, // WordPress feeds' footer, which repeats the headline
  /^(?:continue|keep) reading\b/i,
  /\bchip in\b/i,
  /\bin your inbox\b/i,
];

// One alternation each, so a sentence costs one regex scan rather than one per pattern.
const PHRASE = new RegExp(PHRASES.map((re) => re.source).join('|'), 'gi');
const SENTENCE = new RegExp(SENTENCES.map((re) => `(?:${re.source})`).join('|'), 'i');


/** Sentences longer than this are never dropped by a SENTENCES pattern. */
const MAX_FURNITURE_WORDS = 30;

/** A list heading alone on its line: the short headline lines under it are links, not content. */
const LIST_HEADING_LINE = new RegExp(`^(?:${LIST_HEADING})\\W*$`, 'i');
/** Link lines under a list heading: at most this many, each short and without a closing stop. */
const MAX_LIST_LINES = 12;
const MAX_LIST_LINE_WORDS = 20;

/**
 * "By Jonas Ekdahl, Local Affairs Reporter", "By Ana Ruiz and Tom Lee in Lisbon": "By" and then
 * only capitalised words (and a few connectives). A reporter's name would otherwise tie together
 * every story they write.
 */
const BYLINE = /^[Bb]y\s+\p{Lu}[\p{L}'’.-]*(?:(?:\s*[,&|/-]\s*|\s+(?:and|in|at|for|of|the)\s+|\s+)\p{Lu}[\p{L}'’.-]*)*\W*$/u;
const MAX_BYLINE_WORDS = 12;

/** Removes generic publisher furniture; returns the sentences that are left. */
export function stripGenericBoilerplate(sentences: readonly string[]): string[] {
  const out: string[] = [];
  let listLines = 0;
  for (const sentence of sentences) {
    const cut = sentence.replace(PHRASE, ' ');
    const s = cut === sentence ? sentence : cut.replace(/\s+/g, ' ').trim();
    if (!/[\p{L}\p{N}]/u.test(s)) continue;
    const words = countWords(s);
    if (listLines > 0) {
      listLines--;
      if (words <= MAX_LIST_LINE_WORDS && !/[.!?"”]$/.test(s)) continue;
      listLines = 0;
    }
    if (LIST_HEADING_LINE.test(s)) {
      listLines = MAX_LIST_LINES;
      continue;
    }
    if (words <= MAX_FURNITURE_WORDS && SENTENCE.test(s)) continue;
    if (words <= MAX_BYLINE_WORDS && BYLINE.test(s)) continue;
    out.push(s);
  }
  return out;
}

function countWords(s: string): number {
  let n = 1;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 32) n++;
  return n;
}

/**
 * Key of a sentence for per-source counting: insensitive to case and punctuation, so
 * "Read more at X." and "read more at x" are one sentence. Sentences with fewer than three words
 * are not keyed: too short to be recognisably the same furniture. One pass, two 32-bit FNV-1a
 * lanes (64 bits: collisions are negligible).
 */
export function sentenceKey(sentence: string): string | null {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  let wordCount = 0;
  let inWord = false;
  for (let i = 0; i < sentence.length; i++) {
    let c = sentence.charCodeAt(i);
    const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c > 127;
    if (!alnum) {
      inWord = false;
      continue;
    }
    if (!inWord) {
      // A word boundary hashes as one space, however much punctuation stood there.
      if (wordCount > 0) {
        h1 = Math.imul(h1 ^ 32, 0x01000193);
        h2 = Math.imul(h2 ^ 32, 0x01000193);
      }
      wordCount++;
      inWord = true;
    }
    if (c >= 65 && c <= 90) c += 32;
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x01000193);
  }
  if (wordCount < 3) return null;
  return (fmix32(h1) * 4294967296 + fmix32(h2 ^ h1)).toString(36);
}

/**
 * Earlier articles of a source a sentence must have appeared in to be the outlet's established
 * furniture: such sentences never count as evidence that an article is a republication.
 */
const ESTABLISHED_COUNT = 3;

/**
 * Drops sentences seen in at least `minCount` earlier articles of the same source (learned
 * boilerplate), unless most of the article was seen before: then it is a republication of an
 * earlier article, and stripping would leave it nothing to be recognised by. "Most" is measured
 * in words, over the sentences that are not established furniture (see ESTABLISHED_COUNT), which
 * always go: a 60-word brief under the outlet's 100-word footer is not a republication, and
 * counted by sentences or with its footer it looked like one (and was glued to other stories by
 * that footer). `sentenceKeys[i]` is the key of `sentences[i]`; `countOf` maps keys to
 * earlier-article counts.
 */
export function stripLearnedBoilerplate(
  sentences: readonly string[],
  sentenceKeys: readonly (string | null)[],
  countOf: ReadonlyMap<string, number>,
  minCount: number,
): string[] {
  const countAt = (i: number): number => {
    const key = sentenceKeys[i];
    return key === null || key === undefined ? 0 : (countOf.get(key) ?? 0);
  };
  let words = 0;
  let seenWords = 0;
  sentences.forEach((sentence, i) => {
    const count = countAt(i);
    if (count >= ESTABLISHED_COUNT || sentenceKeys[i] === null) return;
    const n = countWords(sentence);
    words += n;
    if (count > 0) seenWords += n;
  });
  const republication = words > 0 && seenWords * 2 > words;
  return sentences.filter((_, i) => {
    const count = countAt(i);
    return count < minCount || (republication && count < ESTABLISHED_COUNT);
  });
}
