import cliProgress from 'cli-progress';

/** Progress of a long CLI job. Drawn on stderr, and only when stderr is a terminal. */
export interface Progress {
  /** Advances by `amount` units (e.g. bytes read), counting one more item. */
  advance(amount: number): void;
  stop(): void;
}

/**
 * A progress bar over `total` units (bytes are a good unit when the item count is unknown until the
 * input is read). Silent when stderr is not a TTY or `total` is 0, so pipes and logs stay clean.
 */
export function startProgress(label: string, total: number, stream = process.stderr): Progress {
  if (!stream.isTTY || total <= 0) return { advance() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${label} [{bar}] {percentage}% | {items} articles | ETA {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let value = 0;
  let items = 0;
  bar.start(total, 0, { items });
  return {
    advance(amount) {
      value = Math.min(total, value + amount);
      bar.update(value, { items: ++items });
    },
    stop() {
      bar.stop();
    },
  };
}
