import type { Article } from '../src/engine/types.js';
import { seededRandom, syntheticArticle } from './synthetic.js';

/**
 * A deterministic synthetic news stream for the service and index benchmarks (same seed, same
 * articles). Plain word salad (bench/synthetic.ts) never clusters; a news stream does, and what
 * the index costs depends on it: how many stories are open, how often a term recurs, how many
 * republications share LSH buckets. So each article belongs to a story, whose invented names and
 * numbers (an open vocabulary, like real names) are spliced into its text:
 * - 50% report a new story;
 * - 35% rewrite a recent story (fresh wording, the story's names and numbers);
 * - 15% republish a recent report almost word for word (a wire copy: a few words changed).
 * Each of 200 outlets appends its own footer line to half its articles (learned boilerplate).
 * Articles are 250-650 words, published `intervalMs` apart.
 */
export interface StreamOptions {
  seed: number;
  /** Time between consecutive articles' publishedAt. */
  intervalMs: number;
  /** publishedAt of the first article (epoch ms). */
  start: number;
}

interface Story {
  tokens: string[];
  reports: string[];
}

const outlets = 200;
const recentStories = 300;
// 32 syllables, 3-4 per name: about a million names, so two stories rarely share one by chance.
const syllables = [
  'ka', 'lo', 'mir', 'ten', 'sa', 'vor', 'el', 'dru', 'pa', 'nix', 'ov', 'ra', 'bel', 'tu', 'gan', 'si',
  'bro', 'dam', 'fe', 'gor', 'hal', 'ji', 'kes', 'lun', 'mo', 'nar', 'pel', 'quin', 'ros', 'sta', 'vi', 'zen',
];

export function* newsStream(options: StreamOptions): Generator<Article> {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const name = () => {
    const parts = 3 + Math.floor(random() * 2);
    let word = '';
    for (let i = 0; i < parts; i++) word += pick(syllables);
    return word.charAt(0).toUpperCase() + word.slice(1);
  };
  const stories: Story[] = [];
  for (let i = 0; ; i++) {
    const outlet = Math.floor(random() * outlets);
    const roll = random();
    // Recent stories are picked more often than older ones (news attention decays).
    const recent = () => stories[stories.length - 1 - Math.floor(random() ** 2 * stories.length)] as Story;
    let text: string;
    if (stories.length > 0 && roll < 0.15) {
      const story = recent();
      text = lightlyEdited(pick(story.reports), random);
    } else {
      let story: Story;
      if (stories.length > 0 && roll < 0.5) story = recent();
      else {
        const tokens = Array.from({ length: 6 + Math.floor(random() * 6) }, name);
        for (let n = 0; n < 3; n++) tokens.push(String(Math.floor(random() * 100_000)));
        story = { tokens, reports: [] };
        stories.push(story);
        if (stories.length > recentStories) stories.shift();
      }
      text = spliced(syntheticArticle(random, 250 + Math.floor(random() * 400)), story.tokens, random);
      story.reports.push(text);
    }
    if (random() < 0.5) text += ` Read more from Outlet ${outlet} and subscribe to our daily newsletter.`;
    yield {
      id: `bench-${i}`,
      source: `outlet${outlet}.example`,
      url: `https://outlet${outlet}.example/news/${i}`,
      text,
      publishedAt: new Date(options.start + i * options.intervalMs).toISOString(),
    };
  }
}

/** Replaces about 12% of the words (never a sentence's last) with the story's names and numbers. */
function spliced(text: string, tokens: readonly string[], random: () => number): string {
  return text
    .split(' ')
    .map((w) => (!w.endsWith('.') && random() < 0.12 ? (tokens[Math.floor(random() * tokens.length)] as string) : w))
    .join(' ');
}

/** A republication: about 3% of the words dropped. */
function lightlyEdited(text: string, random: () => number): string {
  return text
    .split(' ')
    .filter((w) => w.endsWith('.') || random() >= 0.03)
    .join(' ');
}
