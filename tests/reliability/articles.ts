import type { Article } from '../../src/engine/types.js';
import { seededRandom } from '../shared/seeded-random.js';

/**
 * Short invented articles for the reliability suite, from templates written for it: every story
 * has invented names (syllable words no other story uses), a place and figures, and is told in
 * `versions` ways: the first report, a lightly edited wire copy (near-duplicate) and rewrites.
 * Deterministic for a seed; nothing here comes from real news.
 */
export interface LabelledArticle extends Article {
  label: string;
}

const syllables = ['ka', 'lo', 'mi', 'ru', 'ven', 'tas', 'bo', 'ne', 'dri', 'sul', 'pa', 'gor', 'fi', 'mek', 'zan', 'tho', 'wel', 'yra', 'qu', 'hes'];
const events = ['flood', 'strike', 'fire', 'election', 'merger', 'rescue', 'trial', 'outbreak', 'launch', 'protest', 'recall', 'heist'];
const sources = ['harbour-herald.example', 'daily-lantern.example', 'valley-courier.example', 'metro-dispatch.example'];

export function inventedStories(stories: number, versions: number, seed = 1): LabelledArticle[] {
  const rand = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const name = (i: number, part: number) => {
    // Unique per story: the story number is spelt in syllables, so no two stories share a name.
    let n = i * 7 + part;
    let word = '';
    do {
      word += syllables[n % syllables.length];
      n = Math.floor(n / syllables.length);
    } while (n > 0);
    return word.charAt(0).toUpperCase() + word.slice(1) + pick(['ov', 'ez', 'ine', 'ard']);
  };
  const out: LabelledArticle[] = [];
  const start = Date.UTC(2026, 5, 1, 6);
  for (let s = 0; s < stories; s++) {
    const person = `${name(s, 0)} ${name(s, 1)}`;
    const place = name(s, 2);
    const org = `${name(s, 3)} Company`;
    const event = pick(events);
    const figure = 100 + Math.floor(rand() * 9000);
    const facts = [
      `A ${event} hit ${place} on Monday, ${person} of ${org} said.`,
      `${org} counted ${figure} people affected in ${place}.`,
      `${person} called the ${event} the worst the town had seen.`,
      `Officials in ${place} promised a review of the ${event} by ${org}.`,
    ];
    const rewrites = [
      `${person} said ${figure} people in ${place} were affected by the ${event}.`,
      `The ${event} in ${place} drew criticism of ${org}, which ${person} leads.`,
      `${place} officials and ${org} will review what happened, ${person} confirmed.`,
    ];
    for (let v = 0; v < versions; v++) {
      const text =
        v === 0 ? facts.join(' ') : v === 1 ? `${facts.join(' ')} More details are expected later.` : [...rewrites].sort(() => rand() - 0.5).join(' ');
      out.push({
        id: `r${s}-v${v}`,
        label: `story-${s}`,
        source: sources[(s + v) % sources.length] as string,
        title: `${event.charAt(0).toUpperCase() + event.slice(1)} in ${place}`,
        text,
        publishedAt: new Date(start + s * 600_000 + v * 120_000).toISOString(),
      });
    }
  }
  return out.sort((a, b) => (a.publishedAt as string).localeCompare(b.publishedAt as string) || a.id.localeCompare(b.id));
}

export function withoutLabels(articles: readonly LabelledArticle[]): Article[] {
  return articles.map(({ label: _label, ...article }) => article);
}

