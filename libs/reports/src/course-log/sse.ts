/**
 * Server-sent events (text/event-stream) on a raw response: `id` lets a
 * reconnecting client resume (Last-Event-ID), a comment line every heartbeat
 * keeps idle proxies from closing the stream, and slow clients are waited
 * for (backpressure), not buffered without end.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';

export interface SseMessage {
  id?: string;
  event: string;
  data: unknown;
}

export function formatSse({ id, event, data }: SseMessage): string {
  const lines = JSON.stringify(data).split('\n').map((l) => `data: ${l}`);
  return `${id ? `id: ${id}\n` : ''}event: ${event}\n${lines.join('\n')}\n\n`;
}

/** Waits until the socket takes more, or the stream is aborted. */
function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.once('drain', done);
    signal.addEventListener('abort', done);
  });
}

/** Writes the stream on the raw response (Fastify lets go of the reply: hijack), with the headers the reply had so far (request id, security). */
export async function writeSse(reply: FastifyReply, messages: AsyncIterable<SseMessage>, signal: AbortSignal, heartbeatMs: number): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) res.setHeader(name, value);
  res.statusCode = 200;
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('Connection', 'keep-alive');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  res.write('retry: 2000\n\n');
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
  heartbeat.unref();
  const iterator = messages[Symbol.asyncIterator]();
  try {
    while (!signal.aborted) {
      const next = await iterator.next();
      if (next.done || signal.aborted) break;
      if (!res.write(formatSse(next.value))) await drained(res, signal);
    }
  } catch (error) {
    const code = (error as { code?: unknown })?.code;
    if (!signal.aborted) res.write(formatSse({ event: 'error', data: { code: typeof code === 'string' ? code : 'INTERNAL', message: 'the live log stopped; reconnect with Last-Event-ID' } }));
  } finally {
    clearInterval(heartbeat);
    await iterator.return?.();
    res.end();
  }
}
