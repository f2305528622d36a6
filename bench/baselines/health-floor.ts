/**
 * The cold-start floor: what starting any Node server on this stack costs — node:http plus
 * better-sqlite3 opening (creating) the SQLite file in WAL mode, answering GET /health with
 * a `SELECT 1`. Environment: PORT, SQLITE_PATH.
 */
import { createServer } from 'node:http';
import Database from 'better-sqlite3';

const db = new Database(process.env.SQLITE_PATH ?? ':memory:');
db.pragma('journal_mode = WAL');
const ping = db.prepare('SELECT 1 AS ok');

createServer((req, res) => {
  if (req.url === '/health' && ping.get()) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ok"}');
    return;
  }
  res.writeHead(404);
  res.end();
}).listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
