import { MemoryIndex } from '../../src/engine/memory-index.js';
import { describeIndexConformance } from '../shared/index-conformance.js';

describeIndexConformance('MemoryIndex', async () => new MemoryIndex(), async (index) => index.close());
