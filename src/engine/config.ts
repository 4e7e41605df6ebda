/** Tunable engine parameters. Defaults were tuned on the dev splits (see README, "Quality"). */
export interface EngineConfig {
  /** MinHash permutations (signature length). */
  numPerm: number;
  /** Seed for the MinHash permutations: same seed, same signatures. */
  seed: number;
  /** Words per shingle. */
  shingleSize: number;
  /** Estimated Jaccard at or above which an article is a near-duplicate. */
  duplicateThreshold: number;
  /** TF-IDF cosine (article vs cluster representative) at or above which an article joins a cluster. */
  clusterThreshold: number;
  /** Articles further apart in time than this never share a cluster; also the candidate window. */
  windowMs: number;
  /** A sentence seen in this many earlier articles of the same source is boilerplate. */
  boilerplateMinCount: number;
}

export const defaultEngineConfig: EngineConfig = {
  numPerm: 128,
  seed: 1,
  shingleSize: 5,
  duplicateThreshold: 0.8,
  clusterThreshold: 0.3,
  windowMs: 7 * 24 * 3600 * 1000,
  boilerplateMinCount: 2,
};
