import { describe, expect, it } from 'vitest';
import { DatasetError, type LabelledArticle } from '../../../src/eval/dataset.js';
import { evaluate } from '../../../src/eval/evaluate.js';

const flood =
  'Floodwater from the Arnel river reached the market square of Tessby on Tuesday after three days of rain. ' +
  'Mayor Vera Holm said 120 homes were evacuated and the old stone bridge was closed to traffic. ' +
  '"We have not seen water this high since 1987," Holm said at an evening briefing in the town hall. ' +
  'Volunteers filled 4,000 sandbags overnight, and the regional rescue service sent two pumping teams.';
const chess =
  'A twelve-year-old from Marrow Bay won the national junior chess title on Sunday without losing a game. ' +
  'Ida Kestrel beat the defending champion in the final round with a rook sacrifice on move 31. ' +
  'Her coach said she trains two hours a day after school and studies endgames on the bus.';

function item(id: string, text: string, label: string): LabelledArticle {
  return { article: { id, text }, label };
}

describe('evaluate', () => {
  it('runs the engine in order and scores the final clusters and duplicate links', async () => {
    const result = await evaluate([
      item('flood-1', flood, 'flood'),
      item('chess-1', chess, 'chess'),
      item('flood-copy', `${flood} The story was updated at 6 pm.`, 'flood'),
    ]);
    expect(result).toMatchObject({ articles: 3, clusters: 2, trueClusters: 2, nmi: 1 });
    expect(result.bcubed).toEqual({ precision: 1, recall: 1, f1: 1 });
    expect(result.duplicates).toEqual({ count: 1, precision: 1 });
    expect(result.articlesPerSecond).toBeGreaterThan(0);
    expect(result.engineSeconds).toBeGreaterThan(0);
  });

  it('refuses a set that repeats an article id, naming both lines', async () => {
    await expect(evaluate([item('a', flood, 'x'), item('a', chess, 'y')])).rejects.toThrow(DatasetError);
    const located = [{ ...item('a', flood, 'x'), where: 'set.jsonl:1' }, { ...item('a', chess, 'y'), where: 'set.jsonl:7' }];
    await expect(evaluate(located)).rejects.toThrow('set.jsonl:7: id "a" occurs twice, first at set.jsonl:1');
  });

  it('decides in publication order, as `samestory cluster` does, undated articles last in set order', async () => {
    const dated = (id: string, text: string, publishedAt: string): LabelledArticle => ({ article: { id, text, publishedAt }, label: id });
    const order: string[] = [];
    await evaluate(
      [
        item('undated-1', chess, 'c'),
        dated('third', flood, '2026-03-09T08:00:00Z'),
        dated('first', `${flood} Update.`, '2026-03-01T08:00:00Z'),
        item('undated-2', `${chess} Update.`, 'c'),
        dated('second', `${flood} Another update.`, '2026-03-05T08:00:00Z'),
      ],
      { now: Date.UTC(2026, 5, 1), onAssigned: (i) => order.push(i.article.id) },
    );
    expect(order).toEqual(['first', 'second', 'third', 'undated-1', 'undated-2']);
  });
});
