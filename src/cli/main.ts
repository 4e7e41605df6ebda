import { Command } from 'commander';
import { registerEmbeddedCommands } from './embedded-commands.js';

/**
 * `samestory` command line. Each group of commands lives in its own module and registers itself
 * here, so the embedded engine, the service and the feed tools stay independent.
 */
const program = new Command('samestory')
  .description('Find which news reports tell the same story.')
  .showHelpAfterError();

registerEmbeddedCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`samestory: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
