import { describe, expect, it } from 'vitest';
import * as samestory from '../../src/index.js';

describe('the library entry point', () => {
  it('exports what the README shows, and the errors its calls throw', () => {
    for (const name of ['Engine', 'MemoryIndex', 'connectService', 'loadServiceConfig', 'parseArticle', 'ArticleValidationError', 'ServiceConfigError']) {
      expect(typeof (samestory as Record<string, unknown>)[name], name).toBe('function');
    }
  });

  it('lets a caller tell a bad configuration variable by its class', () => {
    let thrown: unknown;
    try {
      samestory.loadServiceConfig({ SAMESTORY_PREFIX: 'bad prefix' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(samestory.ServiceConfigError);
    expect(String(thrown)).toMatch(/SAMESTORY_PREFIX/);
  });
});
