import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createProgram } from '../../src/cli/program.js';
import { projectRoot } from './run-cli.js';

/** README's "Command line" table: command name -> its synopsis (table escapes `|` as `\|`). */
function readmeSynopses(): Map<string, string> {
  const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Command line'), readme.indexOf('\n## ', readme.indexOf('## Command line') + 1));
  const rows = [...section.matchAll(/^\| `samestory ([a-z-]+)([^`]*)` \|/gm)];
  return new Map(rows.map((m) => [m[1] as string, (m[2] as string).replace(/\\\|/g, '|')]));
}

describe("README's command-line synopsis", () => {
  const program = createProgram();
  const synopses = readmeSynopses();

  it('lists every command the CLI has, and no other', () => {
    expect([...synopses.keys()].sort()).toEqual(program.commands.map((c) => c.name()).sort());
  });

  for (const command of program.commands) {
    it(`names every option of \`samestory ${command.name()}\` (as --help shows them), with their choices`, () => {
      const synopsis = synopses.get(command.name()) ?? '';
      const named = [...new Set(synopsis.match(/--[a-z][a-z-]*/g) ?? [])].sort();
      expect(named).toEqual(command.options.map((o) => o.long).sort());
      for (const option of command.options) {
        if (option.argChoices) expect(synopsis).toContain(`${option.long} ${option.argChoices.join('|')}`);
      }
    });
  }
});
