import { readFileSync } from 'node:fs';
import { checkEngineConfig, EngineConfigError, type EngineConfig } from '../engine/config.js';

/**
 * Parses a `--config` value: inline JSON (starts with `{`) or the path of a JSON file, holding some
 * EngineConfig fields. Unknown fields, non-numbers and values out of range are refused with a
 * message naming the field, so a typo never silently runs the defaults or nonsense.
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
  // Unknown settings, non-numbers and values out of range are refused, naming the setting.
  try {
    checkEngineConfig(parsed as Partial<EngineConfig>);
  } catch (error) {
    if (error instanceof EngineConfigError) throw new Error(`--config: ${error.message}`, { cause: error });
    throw error;
  }
  return parsed as Partial<EngineConfig>;
}
