import { readFileSync } from 'node:fs';
import { defaultEngineConfig, type EngineConfig } from '../engine/config.js';

/**
 * Parses a `--config` value: inline JSON (starts with `{`) or the path of a JSON file, holding some
 * EngineConfig fields. Unknown fields and non-numbers are refused with a message naming the field,
 * so a typo never silently runs the defaults.
 */
export function parseEngineConfigOption(value: string): Partial<EngineConfig> {
  const inline = value.trimStart().startsWith('{');
  let text = value;
  if (!inline) {
    try {
      text = readFileSync(value, 'utf8');
    } catch (error) {
      throw new Error(`--config: cannot read ${value} (give inline JSON like '{"clusterThreshold":0.4}' or a file)`, {
        cause: error,
      });
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`--config: ${inline ? 'inline value' : value} is not valid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('--config: expected a JSON object of engine settings');
  }
  const config: Partial<Record<keyof EngineConfig, number>> = {};
  for (const [key, v] of Object.entries(parsed)) {
    if (!Object.hasOwn(defaultEngineConfig, key)) {
      throw new Error(`--config: unknown setting ${JSON.stringify(key)} (known: ${Object.keys(defaultEngineConfig).join(', ')})`);
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new Error(`--config: ${key} must be a finite number`);
    }
    config[key as keyof EngineConfig] = v;
  }
  return config;
}
