/**
 * The least an HTTP ingest can do on this machine, for bench:ingest's reference
 * (a child process of the bench; not part of the product): node's own http
 * server, a bearer token looked up in a Set, the JSON body parsed, one
 * single-row INSERT per request through a pg pool of DATABASE_POOL_MAX (10),
 * 201 {"recorded":1}. No framework, validation, sealing, group commit,
 * projections or access policy: whatever Learnstream's single-event ingest
 * does, it does on top of this, on the same cores.
 *
 * Environment: DATABASE_URL, PORT, TOKENS (comma-separated), TABLE (a table
 * like anchor_events: stream_id, event_id, event_type, data, metadata).
 */
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import pg from 'pg';

const tokens = new Set((process.env.TOKENS ?? '').split(',').filter(Boolean));
const table = process.env.TABLE ?? 'anchor_events';
if (!/^[a-z_]+$/.test(table)) throw new Error(`TABLE ${table}: not a plain name`);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_MAX ?? 10), application_name: 'learnstream-bench' });
const insert = `INSERT INTO ${table} (stream_id, event_id, event_type, data, metadata) VALUES ($1, $2, $3, $4, $5)`;

function answer(res: import('node:http').ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') return answer(res, 200, '{"status":"ok"}');
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (!token || !tokens.has(token)) return answer(res, 401, '{"code":"UNAUTHENTICATED"}');
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let event: { id?: string; type?: string };
    try {
      event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return answer(res, 400, '{"code":"VALIDATION_FAILED"}');
    }
    pool
      .query(insert, [`minimal-${randomUUID()}`, event.id ?? randomUUID(), event.type ?? 'Unknown', JSON.stringify(event), JSON.stringify({ actor: token.slice(0, 8), ip: req.socket.remoteAddress })])
      .then(
        () => answer(res, 201, '{"recorded":1}'),
        () => answer(res, 500, '{"code":"INTERNAL"}'),
      );
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1');
