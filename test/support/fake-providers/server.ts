// A loopback HTTP server standing in for one provider's API: a documented handler, plus injected
// responses (5xx, 429 + Retry-After, hangs, malformed JSON) served first, and a record of requests.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  /** Path and query as received. */
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is (e.g. malformed JSON, XML). */
  body?: unknown;
  /** Never answer (the client must time out). */
  hang?: boolean;
}

export type FakeHandler = (req: FakeRequest) => FakeResponse;

export interface FakeProvider {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  requests: FakeRequest[];
  /** Responses served, in order, before the documented handler answers again. */
  inject(...responses: FakeResponse[]): void;
  /** Most requests in flight at once so far. */
  maxInFlight(): number;
  /** Delay every documented answer by this many ms (to observe concurrency). */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

export async function startFake(handler: FakeHandler): Promise<FakeProvider> {
  const requests: FakeRequest[] = [];
  const injected: FakeResponse[] = [];
  const hanging = new Set<ServerResponse>();
  let inFlight = 0;
  let peak = 0;
  let latency = 0;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const fr: FakeRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(fr);
      inFlight++;
      peak = Math.max(peak, inFlight);
      const scripted = injected.shift();
      const reply = scripted ?? handler(fr);
      const send = (): void => {
        inFlight--;
        if (reply.hang) {
          hanging.add(res);
          return;
        }
        const isString = typeof reply.body === 'string';
        const body = reply.body === undefined ? '' : isString ? (reply.body as string) : JSON.stringify(reply.body);
        res.writeHead(reply.status, { 'content-type': isString ? 'text/plain' : 'application/json', ...reply.headers });
        res.end(body);
      };
      if (latency > 0 && !scripted) setTimeout(send, latency);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    inject: (...r) => injected.push(...r),
    maxInFlight: () => peak,
    setLatency: (ms) => {
      latency = ms;
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The bearer token of a request, if any. */
export function bearerOf(req: FakeRequest): string | undefined {
  return /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
}

/** [user, password] of an HTTP basic Authorization header. */
export function basicOf(req: FakeRequest): [string, string] | undefined {
  const m = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i === -1 ? undefined : [decoded.slice(0, i), decoded.slice(i + 1)];
}
