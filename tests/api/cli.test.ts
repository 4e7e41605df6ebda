import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot, runCli } from '../cli/run-cli.js';
import { bakery } from './stories.js';

describe('samestory api', () => {
  it('rejects a bad port or environment with a message and exit code 1', async () => {
    const port = await runCli(['api', '--embedded', '--port', 'http']);
    expect(port.code).toBe(1);
    expect(port.stderr).toContain('--port: "http" is not a port number');
    const env = await runCli(['api'], { env: { REDIS_URL: 'localhost:6379' } });
    expect(env.code).toBe(1);
    expect(env.stderr).toContain('REDIS_URL');
  });

  it('--embedded serves the API and dashboard in one process, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join('src', 'cli', 'main.ts'), 'api', '--embedded', '--port', '0', '--host', '127.0.0.1'], {
      cwd: projectRoot,
      env: { ...process.env, LOG_LEVEL: 'info', SAMESTORY_API_KEY: 'cli-key' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          output += chunk;
          const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
          if (match) resolve(match[1]!);
        });
        child.on('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
      });
      const refused = await fetch(`${url}/v1/articles`, { method: 'POST', body: JSON.stringify(bakery), headers: { 'content-type': 'application/json' } });
      expect(refused.status).toBe(401);
      const res = await fetch(`${url}/v1/articles?wait=true`, {
        method: 'POST',
        body: JSON.stringify(bakery),
        headers: { 'content-type': 'application/json', 'x-api-key': 'cli-key' },
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'done', assignment: { articleId: bakery.id, decidedBy: 'new' } });
      expect((await fetch(`${url}/`)).headers.get('content-type')).toMatch(/text\/html/);
      expect((await (await fetch(`${url}/health`)).json()).status).toBe('ok');
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      expect((await exited)[0]).toBe(0);
      expect(output).toMatch(/"msg":"api stopped"/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
