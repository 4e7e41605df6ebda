import { Command } from 'commander';
import { registerApiCommand } from './api-command.js';
import { registerEmbeddedCommands } from './embedded-commands.js';
import { registerFeedCommands } from './feed-commands.js';
import { registerServiceCommands } from './service-commands.js';

/**
 * `samestory` command line. Each group of commands lives in its own module and registers itself
 * here, so the embedded engine, the service and the feed tools stay independent. Built by a
 * function so tests can read the commands and options without running anything.
 */
export function createProgram(): Command {
  const program = new Command('samestory')
    .description('Find which news reports tell the same story.')
    .showHelpAfterError();
  registerEmbeddedCommands(program);
  registerFeedCommands(program);
  registerServiceCommands(program);
  registerApiCommand(program);
  return program;
}
