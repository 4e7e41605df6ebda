import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../cli/run-cli.js';
import { freePort, sleep } from '../reliability/harness.js';

/**
 * The service image without Docker: the Dockerfile's final stage is laid out in a temporary
 * folder exactly as its COPY lines say (build-stage paths taken from this checkout's build), and
 * its ENTRYPOINT runs there. Anything the running API reads from the package but the image leaves
 * out (the dashboard's static files once were) shows up as a failed request.
 */
interface Copy {
  from: string;
  to: string;
}

/** COPY lines of the Dockerfile's last stage, `--from=build /app/x` read as this checkout's `x`. */
function finalStageCopies(dockerfile: string): { copies: Copy[]; entrypoint: string[] } {
  const lines = dockerfile.split('\n').map((l) => l.trim());
  const last = lines.map((l, i) => (/^FROM\s/i.test(l) ? i : -1)).filter((i) => i >= 0).pop() ?? 0;
  const stage = lines.slice(last);
  const copies = stage.flatMap((line) => {
    const m = /^COPY\s+(?:--from=\S+\s+(\/app\/)?)?(\S+)\s+(\S+)$/i.exec(line);
    return m ? [{ from: m[2] as string, to: m[3] as string }] : [];
  });
  const entry = stage.find((l) => /^ENTRYPOINT\s/i.test(l));
  return { copies, entrypoint: entry ? (JSON.parse(entry.replace(/^ENTRYPOINT\s+/i, '')) as string[]) : [] };
}

describe('the service image (Dockerfile final stage, laid out without Docker)', () => {
  const root = mkdtempSync(join(tmpdir(), 'samestory-image-'));
  let stop: (() => void) | undefined;

  afterAll(() => {
    stop?.();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves the API, the dashboard and its static files from only what the image copies', { timeout: 60_000 }, async () => {
    const { copies, entrypoint } = finalStageCopies(readFileSync(join(projectRoot, 'Dockerfile'), 'utf8'));
    expect(entrypoint).toEqual(['node', 'bin/samestory.js']);
    expect(existsSync(join(projectRoot, 'dist', 'src', 'cli', 'main.js')), 'dist/ is built (npm ci runs the build)').toBe(true);
    for (const { from, to } of copies) {
      const target = to.endsWith('/') ? join(root, to, basename(from)) : join(root, to);
      mkdirSync(dirname(target), { recursive: true });
      // Real copies, so module paths resolve inside the image folder; node_modules (read-only
      // and large) is linked: it holds no project file.
      if (from === 'node_modules') symlinkSync(join(projectRoot, from), target);
      else cpSync(join(projectRoot, from), target, { recursive: true });
    }

    const port = await freePort();
    const child = spawn(process.execPath, [...entrypoint.slice(1), 'api', '--embedded', '--port', String(port), '--host', '127.0.0.1'], {
      cwd: root,
      env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    stop = () => child.kill('SIGKILL');
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      const up = await fetch(`${base}/health`).then(() => true, () => false);
      if (up) break;
      if (i > 150 || child.exitCode !== null) throw new Error(`the image's API did not start: ${stderr}`);
      await sleep(100);
    }

    for (const path of ['/', '/static/app.js', '/static/style.css', '/openapi.json', '/health']) {
      expect((await fetch(`${base}${path}`)).status, `GET ${path}`).toBe(200);
    }
  });
});
