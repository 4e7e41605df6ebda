import { get, type ClientRequest, type IncomingMessage } from 'node:http';

/**
 * A minimal Server-Sent Events reader for tests: collects parsed events until closed. It uses
 * node:http rather than fetch because destroying the request really closes the socket, so the
 * server sees the client leave at once.
 */
export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

export function readSse(url: string, headers: Record<string, string> = {}) {
  const events: SseEvent[] = [];
  let request: ClientRequest | undefined;
  const opened = new Promise<IncomingMessage>((resolve, reject) => {
    request = get(url, { headers }, resolve);
    request.on('error', reject);
  });
  const done = opened
    .then(async (res) => {
      res.setEncoding('utf8');
      let buffer = '';
      for await (const chunk of res as AsyncIterable<string>) {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event: SseEvent = { data: '' };
          let hasData = false;
          for (const line of block.split('\n')) {
            const [field, ...rest] = line.split(':');
            const value = rest.join(':').replace(/^ /, '');
            if (field === 'id') event.id = value;
            else if (field === 'event') event.event = value;
            else if (field === 'data') {
              event.data += value;
              hasData = true;
            }
          }
          if (hasData) events.push(event);
        }
      }
    })
    .catch(() => undefined); // the stream ends by our own destroy()
  return {
    events,
    opened: opened.then((res) => ({ status: res.statusCode, contentType: res.headers['content-type'] })),
    async until(predicate: (events: SseEvent[]) => boolean, timeoutMs = 10_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(events)) {
        if (Date.now() > deadline) throw new Error(`SSE: condition not met; got ${JSON.stringify(events)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close(): Promise<void> {
      request?.destroy();
      await done;
    },
  };
}
