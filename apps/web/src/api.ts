/**
 * The dashboard talks to the public API only, with the user's own tokens:
 * POST /auth/login, /auth/refresh (rotating refresh token, once per 401),
 * /auth/logout. The session is kept in sessionStorage (this tab only).
 */
import { EventSourceParserStream } from 'eventsource-parser/stream';

export interface Session {
  userId: string;
  accessToken: string;
  refreshToken: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const KEY = 'learnstream.session';
let session: Session | null = readSession();
const listeners = new Set<(s: Session | null) => void>();

function readSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

function setSession(next: Session | null): void {
  session = next;
  if (next) sessionStorage.setItem(KEY, JSON.stringify(next));
  else sessionStorage.removeItem(KEY);
  for (const listener of listeners) listener(next);
}

export const currentSession = () => session;
export function onSessionChange(listener: (s: Session | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

async function errorOf(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  return new ApiError(res.status, body?.error?.code ?? `HTTP_${res.status}`, body?.error?.message ?? res.statusText);
}

async function tokens(path: string, body: unknown): Promise<Session> {
  const res = await fetch(`/api/v1/auth/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw await errorOf(res);
  const pair = (await res.json()) as Session;
  return { userId: pair.userId, accessToken: pair.accessToken, refreshToken: pair.refreshToken };
}

export async function signIn(username: string, password: string): Promise<void> {
  setSession(await tokens('login', { username, password }));
}

let refreshing: Promise<boolean> | null = null;
/** One refresh at a time: concurrent 401s wait for the same new token pair. */
function refresh(): Promise<boolean> {
  const spent = session?.refreshToken;
  if (!spent) return Promise.resolve(false);
  refreshing ??= tokens('refresh', { refreshToken: spent })
    .then((next) => (setSession({ ...next, userId: session?.userId ?? next.userId }), true))
    .catch(() => (setSession(null), false))
    .finally(() => (refreshing = null));
  return refreshing;
}

export async function signOut(): Promise<void> {
  if (session) await request('/api/v1/auth/logout', { method: 'POST' }).catch(() => undefined);
  setSession(null);
}

/** A request with the access token; on 401 the token pair is refreshed once and the request sent again. */
export async function request(path: string, init: RequestInit = {}, retry = true): Promise<Response> {
  const used = session?.accessToken;
  const headers = new Headers(init.headers);
  if (used) headers.set('Authorization', `Bearer ${used}`);
  const res = await fetch(path, { ...init, headers });
  if (res.status === 401 && retry && used) {
    const renewed = session?.accessToken && session.accessToken !== used ? true : await refresh();
    if (renewed) return request(path, init, false);
  }
  return res;
}

export async function get<T>(path: string): Promise<T> {
  const res = await request(path, { headers: { Accept: 'application/json' } });
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as T;
}

export async function send<T>(method: string, path: string, body?: unknown): Promise<T | null> {
  const res = await request(path, { method, headers: body === undefined ? {} : { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw await errorOf(res);
  const text = await res.text();
  return text ? (JSON.parse(text) as T) : null;
}

/** Downloads a file the API answers (CSV or JSON) under the name its Content-Disposition gives. */
export async function download(path: string, accept: string, fallbackName: string): Promise<void> {
  const res = await request(path, { headers: { Accept: accept } });
  if (!res.ok) throw await errorOf(res);
  const disposition = res.headers.get('Content-Disposition') ?? '';
  // The UTF-8 name (RFC 8187: a Thai course code or school name), else the ASCII one.
  const utf8 = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
  const name = (utf8 ? decodeURIComponent(utf8) : /filename="([^"]+)"/.exec(disposition)?.[1]) ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export interface SseMessage {
  event: string;
  id?: string;
  data: string;
}

/**
 * Server-sent events over fetch (EventSource cannot send the Authorization
 * header): yields each message until the stream ends or `signal` aborts.
 */
export async function* serverSentEvents(path: string, signal: AbortSignal): AsyncGenerator<SseMessage> {
  const res = await request(path, { headers: { Accept: 'text/event-stream' }, signal });
  if (!res.ok || !res.body) throw await errorOf(res);
  const reader = res.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      yield { event: value.event ?? 'message', id: value.id, data: value.data };
    }
  } finally {
    reader.releaseLock();
  }
}
