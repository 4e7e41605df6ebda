import type { Engine } from '../engine/engine.js';
import type { Index } from '../engine/index-store.js';
import type { Article, AssignOutcome } from '../engine/types.js';
import {
  settledWithin,
  type Assigner,
  type EventFeed,
  type JobFailure,
  type QueueCounts,
  type QueueHealth,
  type ServiceEvent,
  type SubmitOptions,
  type SubmitResult,
  type Submitter,
} from '../service/ports.js';
import type { ApiDeps } from './app.js';

/**
 * The service ports run in-process: articles are assigned by an Engine over a local Index, one at a
 * time in submission order, and events are kept in a bounded in-memory log. This is what
 * `samestory api --embedded` serves: the API and dashboard with no Redis or worker, for trying the
 * product on a laptop or clustering a private collection.
 */
export class EmbeddedService implements Submitter, Assigner, EventFeed, QueueHealth {
  private readonly listeners = new Set<(event: ServiceEvent) => void>();
  private readonly log: ServiceEvent[] = [];
  private readonly failures: JobFailure[] = [];
  /** Completion times (epoch ms) of the last hour, for throughput. */
  private readonly completions: number[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  private jobSeq = 0;
  private eventSeq = 0;
  private waiting = 0;
  private active = 0;
  private completed = 0;
  private failed = 0;

  constructor(
    private readonly engine: Engine,
    private readonly index: Index,
    private readonly options: { maxEvents: number } = { maxEvents: 10_000 },
  ) {}

  async submit(article: Article, options: SubmitOptions = {}): Promise<SubmitResult> {
    const jobId = `embedded-${++this.jobSeq}`;
    this.waiting++;
    const done = this.inTurn(() => this.process(jobId, article));
    // An article indexed before is answered with its decision, as the queue service answers an
    // unchanged re-submission: nothing is left queued.
    const wait = options.wait || (await this.index.getArticle(article.id)) !== null;
    const outcome = wait ? await (options.timeoutMs === undefined ? done : settledWithin(done, options.timeoutMs)) : undefined;
    if (!outcome) return { articleId: article.id, jobId, status: 'queued' };
    return { articleId: article.id, jobId, status: 'done', assignment: outcome.assignment };
  }

  async submitMany(articles: Article[], options: SubmitOptions = {}): Promise<SubmitResult[]> {
    return Promise.all(articles.map((a) => this.submit(a, options)));
  }

  /** A direct decision (POST /v1/dedup): taken in turn after what was submitted, not counted as a job. */
  async assign(article: Article): Promise<AssignOutcome> {
    return this.inTurn(() => this.assignPublishing(article));
  }

  /** Runs `work` after everything queued before it, one at a time, in order. */
  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const done = this.chain.then(work);
    // The chain only orders the work; a failure reaches the caller through `done`.
    this.chain = done.catch(() => undefined);
    return done;
  }

  subscribe(listener: (event: ServiceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async read(afterId: string, count: number): Promise<ServiceEvent[]> {
    const after = Number(afterId.split('-')[1] ?? afterId);
    return this.log.filter((e) => Number(e.streamId.split('-')[1]) > after).slice(0, count);
  }

  async counts(): Promise<QueueCounts> {
    return { waiting: this.waiting, active: this.active, completed: this.completed, failed: this.failed, delayed: 0 };
  }

  async recentFailures(limit: number): Promise<JobFailure[]> {
    return this.failures.slice(-limit).reverse();
  }

  /** The in-process worker: always there. */
  async workers(): Promise<number> {
    return 1;
  }

  async throughput(minutes: number): Promise<number[]> {
    const now = Date.now();
    const buckets = new Array<number>(minutes).fill(0);
    for (const t of this.completions) {
      const age = Math.floor((now - t) / 60_000);
      if (age < minutes) buckets[minutes - 1 - age]!++;
    }
    return buckets;
  }

  /** Resolves when everything submitted so far has been processed. */
  async idle(): Promise<void> {
    await this.chain;
  }

  private async process(jobId: string, article: Article): Promise<AssignOutcome> {
    this.waiting--;
    this.active++;
    try {
      const outcome = await this.assignPublishing(article);
      this.completed++;
      this.completions.push(Date.now());
      while (this.completions.length > 0 && this.completions[0]! < Date.now() - 3_600_000) this.completions.shift();
      return outcome;
    } catch (error) {
      this.failed++;
      const reason = error instanceof Error ? error.message : String(error);
      this.failures.push({ jobId, articleId: article.id, reason, at: new Date().toISOString() });
      if (this.failures.length > 100) this.failures.shift();
      throw error;
    } finally {
      this.active--;
    }
  }

  private async assignPublishing(article: Article): Promise<AssignOutcome> {
    const outcome = await this.engine.assign(article, this.index);
    if (outcome.changed) {
      for (const removal of outcome.removals) this.publish((streamId) => ({ type: 'removal', streamId, removal }));
      for (const merge of outcome.merges) this.publish((streamId) => ({ type: 'merge', streamId, merge }));
      this.publish((streamId) => ({ type: 'assignment', streamId, assignment: outcome.assignment }));
    }
    return outcome;
  }

  /** Ids look like Redis Stream ids ("ms-seq"), so clients resume the same way in both modes. */
  private publish(make: (streamId: string) => ServiceEvent): void {
    const event = make(`${Date.now()}-${++this.eventSeq}`);
    this.log.push(event);
    if (this.log.length > this.options.maxEvents) this.log.shift();
    for (const listener of this.listeners) listener(event);
  }
}

/** ApiDeps over one EmbeddedService, which is the submitter, assigner, event feed and queue health. */
export function embeddedPorts(engine: Engine, index: Index): {
  service: EmbeddedService;
  deps: Pick<ApiDeps, 'engine' | 'index' | 'submitter' | 'assigner' | 'events' | 'health'>;
} {
  const service = new EmbeddedService(engine, index);
  return { service, deps: { engine, index, submitter: service, assigner: service, events: service, health: service } };
}
