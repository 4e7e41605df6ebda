import { defaultEngineConfig, type EngineConfig } from './config.js';
import type { Index } from './index-store.js';
import type { Article, AssignOutcome } from './types.js';

/** Streaming story clustering: decides each article against an Index (placeholder signature). */
export class Engine {
  readonly config: EngineConfig;

  constructor(config: Partial<EngineConfig> = {}) {
    this.config = { ...defaultEngineConfig, ...config };
  }

  /** Decides one article against `index` and applies the decision atomically. */
  async assign(_article: Article, _index: Index, _now = Date.now()): Promise<AssignOutcome> {
    throw new Error('Engine.assign is being written');
  }
}
