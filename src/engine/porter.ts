/**
 * natural's PorterStemmer (natural/lib/natural/stemmers/porter_stemmer.js), step for step and with
 * its quirks (its measure counts the groups of its own consonant/vowel categorisation, where a 'y'
 * after consonants is a vowel), but with string tests instead of regular expressions built and run
 * per suffix: ~4.5 -> ~0.8 µs per word (SUBTLEX's 74k words, warm). Every word a stream brings is
 * new once, and an 800-word article brings ~40 new tokens (bench/signature.ts), so natural's
 * stemmer was most of a fresh article's feature time. tests/unit/engine/porter.test.ts checks this
 * against natural on the 74k words and made-up ones. For words without line breaks.
 */
export function porterStem(word: string): string {
  if (word.length < 3) return word;
  return step5b(step5a(step4(step3(step2(step1c(step1b(step1a(word.toLowerCase()))))))));
}

function isVowel(c: number): boolean {
  return c === 97 || c === 101 || c === 105 || c === 111 || c === 117; // a e i o u
}

const Y = 121;

/**
 * natural's categorizeGroups, summarised: it turns a run of consonants (not aeiouy) followed by
 * 'y' into "CV", every run of vowels into "V", then every run of anything but "V" (consonants,
 * other 'y's) into "C". Returned: that string's length, whether it starts with C and ends with V,
 * and its number of Vs.
 */
function groups(word: string): { length: number; firstC: boolean; lastV: boolean; vs: number } {
  let length = 0;
  let vs = 0;
  let inC = false;
  let firstC = false;
  let lastV = false;
  const n = word.length;
  for (let i = 0; i < n; ) {
    const c = word.charCodeAt(i);
    let v = false;
    if (isVowel(c)) {
      while (i < n && isVowel(word.charCodeAt(i))) i++;
      v = true;
    } else {
      let j = i;
      if (c !== Y) while (j < n && !isVowel(word.charCodeAt(j)) && word.charCodeAt(j) !== Y) j++;
      else j++;
      if (!inC) {
        if (length === 0) firstC = true;
        length++;
      }
      inC = true;
      lastV = false;
      i = j;
      // A consonant run right before a 'y': that 'y' is a vowel.
      if (c !== Y && j < n && word.charCodeAt(j) === Y) {
        v = true;
        i = j + 1;
      }
    }
    if (v) {
      length++;
      vs++;
      inC = false;
      lastV = true;
    }
  }
  return { length, firstC, lastV, vs };
}

/** natural's measure: -1 for no word, else the groups less a leading C and a trailing V, halved. */
function measure(word: string | null): number {
  if (!word) return -1;
  const g = groups(word);
  const start = g.firstC ? 1 : 0;
  return (g.length - start - (g.lastV && g.length > start ? 1 : 0)) / 2;
}

/** natural's categorizeChars at `i`: a vowel, or a 'y' after a consonant (not aeiouy). */
function vowelAt(word: string, i: number): boolean {
  const c = word.charCodeAt(i);
  if (isVowel(c)) return true;
  if (c !== Y || i === 0) return false;
  const prev = word.charCodeAt(i - 1);
  return !isVowel(prev) && prev !== Y;
}

/** categorizeChars(word).substr(at, 3) === 'CVC' (at >= 0). */
function cvc(word: string, at: number): boolean {
  return at + 3 <= word.length && !vowelAt(word, at) && vowelAt(word, at + 1) && !vowelAt(word, at + 2);
}

/** `word` less its `suffix`, or null when it does not end with it. */
function strip(word: string, suffix: string): string | null {
  return word.endsWith(suffix) ? word.slice(0, word.length - suffix.length) : null;
}

function step1a(word: string): string {
  if (word.endsWith('sses') || word.endsWith('ies')) return word.slice(0, -2);
  if (word.endsWith('s') && word.charAt(word.length - 2) !== 's' && word.length > 2) return word.slice(0, -1);
  return word;
}

function step1b(word: string): string {
  if (word.endsWith('eed')) {
    return measure(word.slice(0, -3)) > 0 ? word.slice(0, -1) : word;
  }
  const stem = strip(word, 'ed') ?? strip(word, 'ing');
  // natural goes on only from a non-empty stem, and keeps the word when that yields nothing.
  if (!stem || groups(stem).vs === 0) return word;
  let replaced = stem;
  for (const [suffix, by] of [['at', 'ate'], ['bl', 'ble'], ['iz', 'ize']] as const) {
    const r = strip(replaced, suffix);
    if (r !== null && r + by) replaced = r + by;
  }
  if (replaced !== stem) return replaced;
  const last = stem.charAt(stem.length - 1);
  if (stem.length >= 2 && last === stem.charAt(stem.length - 2) && !'aeioulsz'.includes(last)) return stem.slice(0, -1);
  if (measure(stem) === 1 && cvc(stem, stem.length - 3) && !'wxy'.includes(last)) return `${stem}e`;
  return stem;
}

function step1c(word: string): string {
  if (!word.endsWith('y')) return word;
  // A V among categorizeGroups(word) less its last group.
  const g = groups(word);
  return g.vs - (g.lastV ? 1 : 0) > 0 ? `${word.slice(0, -1)}i` : word;
}

/** Rules [suffix, replacement] in their order, filed under their suffix's last letter. */
type Rules = ReadonlyMap<string, readonly (readonly [string, string])[]>;

function byLastLetter(rules: readonly (readonly [string, string])[]): Rules {
  const map = new Map<string, (readonly [string, string])[]>();
  for (const rule of rules) {
    const last = rule[0].charAt(rule[0].length - 1);
    map.set(last, [...(map.get(last) ?? []), rule]);
  }
  return map;
}

/**
 * natural's replacePatterns: each suffix whose removal from the original word leaves a measure above
 * `threshold` is replaced in the word as replaced so far. Only rules whose suffix ends in the word's
 * last letter can apply (the others leave no measure), so only those are tried.
 */
function replaceSuffixes(word: string, rules: Rules, threshold: number): string {
  let replaced = word;
  for (const [suffix, by] of rules.get(word.charAt(word.length - 1)) ?? []) {
    if (measure(strip(word, suffix)) <= threshold) continue;
    const r = strip(replaced, suffix);
    if (r !== null && r + by) replaced = r + by;
  }
  return replaced || word;
}

const STEP2 = byLastLetter([
  ['ational', 'ate'], ['tional', 'tion'], ['enci', 'ence'], ['anci', 'ance'], ['izer', 'ize'], ['abli', 'able'],
  ['bli', 'ble'], ['alli', 'al'], ['entli', 'ent'], ['eli', 'e'], ['ousli', 'ous'], ['ization', 'ize'], ['ation', 'ate'],
  ['ator', 'ate'], ['alism', 'al'], ['iveness', 'ive'], ['fulness', 'ful'], ['ousness', 'ous'], ['aliti', 'al'],
  ['iviti', 'ive'], ['biliti', 'ble'], ['logi', 'log'],
]);

const STEP3 = byLastLetter([
  ['icate', 'ic'], ['ative', ''], ['alize', 'al'], ['iciti', 'ic'], ['ical', 'ic'], ['ful', ''], ['ness', ''],
]);

function step2(word: string): string {
  return replaceSuffixes(word, STEP2, 0);
}

function step3(word: string): string {
  return replaceSuffixes(word, STEP3, 0);
}

/** Step 4's suffixes by last letter, longest first. */
const STEP4 = byLastLetter(
  ['al', 'ance', 'ence', 'er', 'ic', 'able', 'ible', 'ant', 'ement', 'ment', 'ent', 'ou', 'ism', 'ate', 'iti', 'ous', 'ive', 'ize']
    .sort((a, b) => b.length - a.length)
    .map((suffix) => [suffix, ''] as const),
);

function step4(word: string): string {
  // /^(.+?)(al|ance|...)$/: the shortest non-empty stem before one of the suffixes, i.e. the
  // longest suffix that leaves one.
  const n = word.length;
  for (const [suffix] of STEP4.get(word.charAt(n - 1)) ?? []) {
    if (n - suffix.length < 1 || !word.endsWith(suffix)) continue;
    const stem = word.slice(0, n - suffix.length);
    if (measure(stem) > 1) return stem;
    break;
  }
  // /^(.+?)(s|t)(ion)$/
  if (n >= 5 && word.endsWith('ion') && (word.charAt(n - 4) === 's' || word.charAt(n - 4) === 't')) {
    const stem = word.slice(0, n - 3);
    if (measure(stem) > 1) return stem;
  }
  return word;
}

function step5a(word: string): string {
  const stem = word.endsWith('e') ? word.slice(0, -1) : word;
  const m = measure(stem);
  // categorizeChars(word).substr(-4, 3) === 'CVC' && /[^wxy].$/.test(word)
  const endsCvc = cvc(word, Math.max(word.length - 4, 0)) && !'wxy'.includes(word.charAt(word.length - 2));
  return m > 1 || (m === 1 && !endsCvc) ? stem : word;
}

function step5b(word: string): string {
  return measure(word) > 1 && word.endsWith('ll') ? word.slice(0, -1) : word;
}
