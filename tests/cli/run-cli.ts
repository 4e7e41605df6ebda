import { spawn, spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The command line that runs the CLI from source with tsx, loaded by absolute URL so any cwd works. */
export function cliCommand(args: readonly string[]): [string, string[]] {
  const tsx = pathToFileURL(join(projectRoot, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  return [process.execPath, ['--import', tsx, join(projectRoot, 'src', 'cli', 'main.ts'), ...args]];
}

/**
 * Runs the CLI from source in a child process (fresh, no build needed); `cwd` defaults to the
 * project root.
 */
export function runCli(args: readonly string[], options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  const [command, argv] = cliCommand(args);
  const child = spawn(command, argv, {
    cwd: options.cwd ?? projectRoot,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(options.input ?? '');
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** Whether util-linux `script` is at hand to give the CLI a terminal. */
export const hasScript = spawnSync('script', ['--version']).status === 0;

/**
 * Runs the CLI under util-linux `script`, so its stdin, stdout and stderr are a terminal (a pty), as
 * for someone typing the command; stdout and stderr come back mixed in `stdout`, lines ended by
 * \r\n. The terminal's input stays open, as a keyboard would, so a CLI that waits on stdin is sent
 * SIGTERM after `timeoutMs` and `timedOut` is set.
 */
export function runCliInTerminal(args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<CliRun & { timedOut: boolean }> {
  const [command, argv] = cliCommand(args);
  const line = [command, ...argv].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qec', line, '/dev/null'], { cwd: options.cwd ?? projectRoot, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGTERM');
  }, options.timeoutMs ?? 15_000);
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolvePromise({ code, stdout, stderr, timedOut });
    });
  });
}
