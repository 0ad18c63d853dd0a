/**
 * Server-sent events (text/event-stream) on a raw response: `id` lets a
 * reconnecting client resume (Last-Event-ID), a comment line every heartbeat
 * keeps idle proxies from closing the stream, and slow clients are waited
 * for (backpressure), not buffered without end.
 */
import type { Response } from 'express';

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
function drained(res: Response, signal: AbortSignal): Promise<void> {
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

export async function writeSse(res: Response, messages: AsyncIterable<SseMessage>, signal: AbortSignal, heartbeatMs: number): Promise<void> {
  res.status(200);
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
