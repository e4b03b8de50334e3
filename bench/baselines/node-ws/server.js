#!/usr/bin/env node
'use strict';
/*
 * Benchmark baseline: the original Node.js emitter (kafkajs consumer -> ws server), written the way a competent
 * Node developer would, serving the same URLs and wire format as a tickstream fanout node so that
 * `./tickstream loadgen` drives both identically. See README.md for what it does and deliberately does not do.
 *
 * One process, one thread: the kafkajs consumer and every WebSocket share the event loop.
 */

const cluster = require('node:cluster');
const http = require('node:http');
const os = require('node:os');
const { parseArgs } = require('node:util');
const { performance } = require('node:perf_hooks');
const { Kafka, logLevel } = require('kafkajs');
const { WebSocketServer, WebSocket } = require('ws');

// ---------------------------------------------------------------------------------------------------------------
// Configuration: flags win over environment variables, which win over defaults.

const HELP = `Usage: node server.js [options]
  --host HOST                 interface to listen on (env BASELINE_HOST, default 127.0.0.1)
  --port N                    port of WebSocket and HTTP endpoints (env BASELINE_PORT, default 8090)
  --kafka HOST:PORT[,...]     Kafka bootstrap brokers (env KAFKA_BROKERS, default 127.0.0.1:9092)
  --topic NAME                topic to read (env KAFKA_TOPIC, default book-tickers)
  --slow-buffer-bytes N       a client with more than this queued is skipped (default 65536)
  --slow-grace-ms N           a client skipped continuously for this long is closed with 1013 (default 5000)
  --workers N                 processes sharing the port (node:cluster), each with its own Kafka consumer
                              (env BASELINE_WORKERS, default 1)
  --help                      print this and exit`;

function config(argv, env) {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      kafka: { type: 'string' },
      topic: { type: 'string' },
      'slow-buffer-bytes': { type: 'string' },
      'slow-grace-ms': { type: 'string' },
      workers: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const int = (name, text, min) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) {
      console.error(`${name}: expected an integer >= ${min}, got '${text}'`);
      process.exit(2);
    }
    return n;
  };
  return {
    host: values.host ?? env.BASELINE_HOST ?? '127.0.0.1',
    port: int('--port', values.port ?? env.BASELINE_PORT ?? '8090', 0),
    brokers: (values.kafka ?? env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()).filter(Boolean),
    topic: values.topic ?? env.KAFKA_TOPIC ?? 'book-tickers',
    slowBufferBytes: int('--slow-buffer-bytes', values['slow-buffer-bytes'] ?? '65536', 1),
    slowGraceMs: int('--slow-grace-ms', values['slow-grace-ms'] ?? '5000', 0),
    workers: int('--workers', values.workers ?? env.BASELINE_WORKERS ?? '1', 1),
    // Binance's limits, as tickstream's defaults.
    maxStreams: 1024,
    maxMessagesPerSecond: 5,
    maxPayload: 64 * 1024,
    pingIntervalMs: 20_000,
    pongTimeoutMs: 60_000,
  };
}

const cfg = config(process.argv.slice(2), process.env);

const who = cluster.isPrimary ? '' : ` [worker ${cluster.worker.id}]`;

function log(msg) {
  console.log(`${new Date().toISOString()}${who} ${msg}`);
}

/** Wall-clock microseconds since the epoch, with sub-millisecond resolution (Date.now() has only ms). */
function nowMicros() {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

// ---------------------------------------------------------------------------------------------------------------
// State. Everything lives on the one event loop, so plain Maps and Sets suffice.

const ALL = '!bookTicker';
const latest = new Map(); // SYMBOL -> Tick: the snapshot sent on subscribe, and the stale-update check
const bySymbol = new Map(); // SYMBOL -> Set<Client> subscribed to <symbol>@bookTicker
const allSubscribers = new Set(); // Clients subscribed to !bookTicker
const clients = new Set();
const stats = {
  ticksIn: 0, staleDrops: 0, malformed: 0, framesOut: 0, slowDrops: 0, slowCloses: 0,
};
let ready = false;
let draining = false;

/**
 * One Kafka record, encoded once for every client: the record value (Binance payload + pt) with ft appended, as
 * a Buffer; the combined envelopes are built on first use. ws sends the same Buffer to every client.
 */
class Tick {
  constructor(symbol, u, value, ft) {
    this.symbol = symbol;
    this.u = u;
    this.stream = `${symbol.toLowerCase()}@bookTicker`;
    // The value is compact JSON ending in '}': append ft without re-encoding, so field order and decimal strings
    // stay exactly as the ingest wrote them (pt then ft, as tickstream sends).
    this.rawText = `${value.slice(0, value.lastIndexOf('}'))},"ft":${ft}}`;
    this._raw = null;
    this._combined = null;
    this._combinedAll = null;
  }

  raw() {
    return this._raw ??= Buffer.from(this.rawText);
  }

  combined() {
    return this._combined ??= Buffer.from(`{"stream":"${this.stream}","data":${this.rawText}}`);
  }

  combinedAll() {
    return this._combinedAll ??= Buffer.from(`{"stream":"${ALL}","data":${this.rawText}}`);
  }

  frame(client, all) {
    if (!client.combined) {
      return this.raw();
    }
    return all ? this.combinedAll() : this.combined();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Kafka -> ticks

/** Decodes, drops stale updates, stamps ft, encodes once and delivers to the symbol's subscribers. */
function onRecord(message, ft, now) {
  if (!message.value) {
    stats.malformed++;
    return;
  }
  const value = message.value.toString('utf8');
  let t;
  try {
    t = JSON.parse(value);
  } catch {
    stats.malformed++;
    return;
  }
  if (t === null || typeof t.s !== 'string' || typeof t.u !== 'number' || typeof t.pt !== 'number') {
    stats.malformed++;
    return;
  }
  const symbol = t.s.toUpperCase();
  const last = latest.get(symbol);
  if (last && t.u <= last.u) {
    stats.staleDrops++; // a duplicate (e.g. two ingest instances during a failover) or an older update
    return;
  }
  const tick = new Tick(symbol, t.u, value, ft);
  latest.set(symbol, tick);
  stats.ticksIn++;
  const subs = bySymbol.get(symbol);
  if (subs) {
    for (const c of subs) {
      deliver(c, tick.frame(c, false), now);
    }
  }
  for (const c of allSubscribers) {
    deliver(c, tick.frame(c, true), now);
  }
}

const TEXT = { binary: false };

/**
 * Sends one frame unless the client is behind. A client whose socket holds more than slowBufferBytes unsent is
 * skipped (the tick is dropped for it: market data is worthless late, and buffering it for a reader that does not
 * read would grow this process without bound); one that stays behind for slowGraceMs is closed with 1013.
 */
function deliver(c, frame, now) {
  const ws = c.ws;
  if (ws.readyState !== WebSocket.OPEN) {
    return;
  }
  if (ws.bufferedAmount > cfg.slowBufferBytes) {
    stats.slowDrops++;
    if (c.slowSince === 0) {
      c.slowSince = now;
    } else if (now - c.slowSince >= cfg.slowGraceMs) {
      stats.slowCloses++;
      closeClient(c, 1013, 'Too slow');
    }
    return;
  }
  c.slowSince = 0;
  ws.send(frame, TEXT);
  stats.framesOut++;
}

async function startConsumer() {
  const kafka = new Kafka({
    clientId: 'tickstream-baseline-node',
    brokers: cfg.brokers,
    logLevel: logLevel.WARN, // KAFKAJS_LOG_LEVEL=info overrides
  });
  const admin = kafka.admin();
  await admin.connect();
  // Wait for the topic (the ingest creates it), so the consumer never auto-creates it with the wrong settings.
  let offsets;
  for (;;) {
    try {
      offsets = await admin.fetchTopicOffsets(cfg.topic);
      if (offsets.length > 0) {
        break;
      }
    } catch (e) {
      log(`waiting for topic ${cfg.topic}: ${e.message}`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  await admin.disconnect();

  // The snapshot is complete once every partition has been read up to the end offset it had at start.
  const behind = new Map(); // partition -> end offset still to reach
  for (const o of offsets) {
    if (BigInt(o.high) > BigInt(o.low)) {
      behind.set(o.partition, BigInt(o.high));
    }
  }
  log(`rebuilding the snapshot of ${cfg.topic} from ${offsets.length} partitions `
    + `(${behind.size} non-empty) up to ${JSON.stringify(offsets.map((o) => o.high))}`);

  // A unique group per process: every process is assigned every partition (a shared group would split them,
  // and each process must see every symbol). Nothing is committed: a restart rebuilds from the compacted topic.
  const consumer = kafka.consumer({
    groupId: `tickstream-baseline-node-${os.hostname()}-${process.pid}-${Date.now()}`,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 100,
  });
  const markReady = () => {
    if (!ready && behind.size === 0) {
      ready = true;
      log(`snapshot rebuilt: ${latest.size} symbols; following the live end of ${cfg.topic}; ready`);
    }
  };
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    const end = behind.get(payload.partition);
    if (end !== undefined && BigInt(payload.lastOffset) + 1n >= end) {
      behind.delete(payload.partition);
      markReady();
    }
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) {
      log(`Kafka consumer crashed and will not restart: ${payload.error && payload.error.message}`);
      process.exit(1);
    }
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [cfg.topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      // ft: when the fetched batch reached this process, once per batch, as tickstream stamps once per poll.
      const ft = nowMicros();
      const now = Date.now();
      for (const message of batch.messages) {
        onRecord(message, ft, now);
      }
    },
  });
  markReady();
  return consumer;
}

// ---------------------------------------------------------------------------------------------------------------
// Stream names and control messages (Binance's protocol, tickstream's texts where it matters)

class RequestError extends Error {
  constructor(code, msg, id) {
    super(msg);
    this.code = code;
    this.id = id;
  }
}

const invalid = (what, id) => new RequestError(2, `Invalid request: ${what}`, id);
const SYMBOL_RE = /^[\p{L}\p{N}]{1,32}$/u;
const METHODS = '`SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`';

/** "<symbol>@bookTicker" or "!bookTicker", any case -> { name: canonical, symbol: SYMBOL or null }. */
function parseStream(text, id) {
  if (typeof text !== 'string') {
    throw invalid('stream name must be a string', id);
  }
  const all = text.startsWith('!');
  const at = text.indexOf('@');
  if (!all && at < 0) {
    throw invalid(`invalid stream name '${text}': expected <symbol>@bookTicker`, id);
  }
  const type = all ? text.slice(1) : text.slice(at + 1);
  if (type.toLowerCase() !== 'bookticker') {
    throw invalid(`unsupported stream '${text}': this server serves <symbol>@bookTicker and !bookTicker only`, id);
  }
  if (all) {
    return { name: ALL, symbol: null };
  }
  const symbol = text.slice(0, at);
  if (!SYMBOL_RE.test(symbol)) {
    throw invalid(`invalid symbol '${symbol}' in stream name '${text}'`, id);
  }
  const upper = symbol.toUpperCase();
  return { name: `${symbol.toLowerCase()}@bookTicker`, symbol: upper };
}

/** Checks a list of streams to add: known symbols, within the per-connection limit. */
function checkSubscribe(c, streams, id) {
  let added = 0;
  for (const s of streams) {
    if (s.symbol !== null && !latest.has(s.symbol)) {
      throw invalid(`unknown symbol ${s.symbol}`, id);
    }
    if (!c.streams.has(s.name)) {
      added++;
    }
  }
  if (c.streams.size + added > cfg.maxStreams) {
    throw invalid(`too many streams, at most ${cfg.maxStreams} per connection`, id);
  }
}

/**
 * Adds the streams not yet subscribed and sends each one's latest tick at once (the snapshot). Snapshots skip
 * the slow-client check: they are bounded by the subscriptions, and a screen must never start empty.
 */
function subscribe(c, streams) {
  for (const s of streams) {
    if (c.streams.has(s.name)) {
      continue;
    }
    c.streams.set(s.name, s);
    if (s.symbol === null) {
      allSubscribers.add(c);
      for (const tick of latest.values()) {
        sendSnapshot(c, tick.frame(c, true));
      }
    } else {
      let set = bySymbol.get(s.symbol);
      if (!set) {
        bySymbol.set(s.symbol, set = new Set());
      }
      set.add(c);
      const tick = latest.get(s.symbol);
      if (tick) {
        sendSnapshot(c, tick.frame(c, false));
      }
    }
  }
}

function sendSnapshot(c, frame) {
  if (c.ws.readyState === WebSocket.OPEN) {
    c.ws.send(frame, TEXT);
    stats.framesOut++;
  }
}

function unsubscribe(c, s) {
  if (!c.streams.delete(s.name)) {
    return;
  }
  if (s.symbol === null) {
    allSubscribers.delete(c);
  } else {
    const set = bySymbol.get(s.symbol);
    if (set) {
      set.delete(c);
      if (set.size === 0) {
        bySymbol.delete(s.symbol);
      }
    }
  }
}

function validId(id) {
  return id === undefined || id === null || Number.isInteger(id)
    || (typeof id === 'string' && /^[A-Za-z0-9]{0,36}$/.test(id));
}

function property(params, max, id) {
  if (params.length > max) {
    throw invalid('too many parameters', id);
  }
  if (typeof params[0] !== 'string') {
    throw invalid('property name must be a string', id);
  }
  if (params[0] !== 'combined') {
    throw new RequestError(0, 'Unknown property', id);
  }
}

/** Line and column (1-based) of a JSON.parse error, from the position V8 reports. */
function jsonErrorAt(text, err) {
  const m = /position (\d+)/.exec(err.message);
  const pos = m ? Number(m[1]) : text.length;
  const before = text.slice(0, pos).split('\n');
  return `line ${before.length} column ${before[before.length - 1].length + 1}`;
}

function onText(c, text) {
  let req;
  try {
    req = JSON.parse(text);
  } catch (e) {
    throw new RequestError(3, `Invalid JSON: expected value at ${jsonErrorAt(text, e)}`, null);
  }
  if (req === null || typeof req !== 'object' || Array.isArray(req)) {
    throw invalid('expected a JSON object', null);
  }
  const id = req.id ?? null;
  if (!validId(req.id)) {
    throw invalid('request ID must be an unsigned integer', null);
  }
  if (!('method' in req)) {
    throw invalid('missing field `method`', id);
  }
  const params = req.params ?? [];
  const method = req.method;
  if (!['SUBSCRIBE', 'UNSUBSCRIBE', 'LIST_SUBSCRIPTIONS', 'SET_PROPERTY', 'GET_PROPERTY'].includes(method)) {
    throw invalid(`unknown variant \`${method}\`, expected one of ${METHODS}`, id);
  }
  if (!Array.isArray(params)) {
    throw invalid('params must be an array', id);
  }
  switch (method) {
    case 'SUBSCRIBE': {
      const streams = params.map((p) => parseStream(p, id));
      checkSubscribe(c, streams, id);
      reply(c, { result: null, id }); // the reply first, then the snapshots, then live ticks
      subscribe(c, streams);
      return;
    }
    case 'UNSUBSCRIBE':
      for (const s of params.map((p) => parseStream(p, id))) {
        unsubscribe(c, s);
      }
      reply(c, { result: null, id });
      return;
    case 'LIST_SUBSCRIPTIONS':
      if (params.length > 0) {
        throw invalid('too many parameters', id);
      }
      reply(c, { result: [...c.streams.keys()], id });
      return;
    case 'SET_PROPERTY':
      property(params, 2, id);
      if (typeof params[1] !== 'boolean') {
        throw new RequestError(1, 'Invalid value type: expected Boolean', id);
      }
      c.combined = params[1];
      reply(c, { result: null, id });
      return;
    case 'GET_PROPERTY':
      property(params, 1, id);
      reply(c, { result: c.combined, id });
      return;
    default:
      throw new Error(method);
  }
}

function reply(c, obj) {
  if (c.ws.readyState === WebSocket.OPEN) {
    c.ws.send(JSON.stringify(obj));
  }
}

/** Counts one incoming message (text, binary or pong) against Binance's 5 per second; closes with 1008 past it. */
function admit(c) {
  const now = Date.now();
  if (now - c.windowStart >= 1000) {
    c.windowStart = now;
    c.messagesInWindow = 0;
  }
  if (++c.messagesInWindow > cfg.maxMessagesPerSecond) {
    closeClient(c, 1008, 'Too many messages');
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Connections

function release(c) {
  if (!clients.delete(c)) {
    return;
  }
  for (const s of c.streams.values()) {
    unsubscribe(c, s);
  }
}

/** Close frame now, and drop the socket if the close handshake has not finished a second later. */
function closeClient(c, code, reason) {
  release(c);
  const ws = c.ws;
  if (ws.readyState === WebSocket.OPEN) {
    ws.close(code, reason);
    setTimeout(() => ws.terminate(), 1000).unref();
  }
}

function onConnection(ws, combined, streams) {
  const c = {
    ws, combined, streams: new Map(), slowSince: 0, windowStart: 0, messagesInWindow: 0, lastPong: Date.now(),
  };
  clients.add(c);
  ws.on('error', () => {}); // protocol errors close the socket; 'close' below cleans up
  ws.on('close', () => release(c));
  ws.on('pong', () => {
    if (admit(c)) {
      c.lastPong = Date.now();
    }
  });
  ws.on('message', (data, isBinary) => {
    if (!admit(c)) {
      return;
    }
    if (isBinary) {
      closeClient(c, 1003, 'Binary messages are not supported');
      return;
    }
    const text = data.toString('utf8');
    try {
      onText(c, text);
    } catch (e) {
      if (!(e instanceof RequestError)) {
        throw e;
      }
      reply(c, { error: { code: e.code, msg: e.message }, id: e.id });
    }
  });
  subscribe(c, streams);
}

/** The streams a URL names: /ws, /ws/a/b or /stream?streams=a/b; null if the path is not a stream endpoint. */
function streamsOf(url) {
  let list;
  const combined = url.pathname === '/stream';
  if (combined) {
    list = url.searchParams.get('streams') ?? '';
  } else if (url.pathname === '/ws' || url.pathname.startsWith('/ws/')) {
    list = decodeURIComponent(url.pathname.slice(4));
  } else {
    return null;
  }
  const timeUnit = url.searchParams.get('timeUnit');
  if (timeUnit !== null && !['MILLISECOND', 'MICROSECOND'].includes(timeUnit.toUpperCase())) {
    throw invalid(`invalid timeUnit '${timeUnit}': expected MILLISECOND or MICROSECOND`, null);
  }
  const streams = new Map();
  for (const name of list.split('/')) {
    if (name !== '') {
      const s = parseStream(name, null);
      streams.set(s.name, s);
    }
  }
  return { combined, streams: [...streams.values()] };
}

function refuse(socket, status, msg) {
  const body = JSON.stringify({ error: { code: 2, msg }, id: null });
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\n`
    + `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false, // market data: compression costs CPU per client and latency
  maxPayload: cfg.maxPayload, // larger incoming messages close with 1009
  clientTracking: false,
});

const server = http.createServer({ noDelay: true }, (req, res) => {
  const path = req.url.split('?')[0];
  const json = (status, obj) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(obj));
  };
  if (path === '/health/live') {
    json(200, { status: 'UP' });
  } else if (path === '/health/ready') {
    const up = ready && !draining;
    json(up ? 200 : 503, { status: up ? 'UP' : 'DOWN', draining });
  } else if (path === '/metrics') {
    // ?gc=1 collects first when started with --expose-gc, so the benchmark reads the heap in use after a full GC.
    if (req.url.endsWith('?gc=1') && typeof global.gc === 'function') {
      global.gc();
    }
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    res.end(metricsText());
  } else {
    json(404, { error: 'not found' });
  }
});

server.on('upgrade', (req, socket, head) => {
  socket.on('error', () => {});
  let target;
  try {
    target = streamsOf(new URL(req.url, 'http://localhost'));
  } catch (e) {
    refuse(socket, 400, e instanceof RequestError ? e.message : `Invalid request: ${e.message}`);
    return;
  }
  if (target === null) {
    refuse(socket, 404, 'Invalid request: no such endpoint');
    return;
  }
  if (!ready || draining) {
    refuse(socket, 503, 'Service unavailable: not ready');
    return;
  }
  for (const s of target.streams) {
    if (s.symbol !== null && !latest.has(s.symbol)) {
      refuse(socket, 400, `Invalid request: unknown symbol ${s.symbol}`);
      return;
    }
  }
  if (target.streams.length > cfg.maxStreams) {
    refuse(socket, 400, `Invalid request: too many streams, at most ${cfg.maxStreams} per connection`);
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, target.combined, target.streams));
});

function metricsText() {
  let subscriptions = 0;
  for (const c of clients) {
    subscriptions += c.streams.size;
  }
  const mem = process.memoryUsage();
  return [
    `baseline_node_connections ${clients.size}`,
    `baseline_node_subscriptions ${subscriptions}`,
    `baseline_node_ticks_in_total ${stats.ticksIn}`,
    `baseline_node_stale_drops_total ${stats.staleDrops}`,
    `baseline_node_malformed_records_total ${stats.malformed}`,
    `baseline_node_frames_out_total ${stats.framesOut}`,
    `baseline_node_slow_drops_total ${stats.slowDrops}`,
    `baseline_node_slow_client_closes_total ${stats.slowCloses}`,
    `baseline_node_heap_used_bytes ${mem.heapUsed}`,
    `baseline_node_rss_bytes ${mem.rss}`,
    '',
  ].join('\n');
}

// Binance's liveness: a ping every 20 s; a connection that has not answered for 60 s is dropped.
function pingAll() {
  const now = Date.now();
  for (const c of clients) {
    if (now - c.lastPong > cfg.pongTimeoutMs) {
      release(c);
      c.ws.terminate();
    } else if (c.ws.readyState === WebSocket.OPEN) {
      c.ws.ping();
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Lifecycle

let consumer = null;
let pinger = null;

async function shutdown(signal) {
  if (draining) {
    return;
  }
  draining = true;
  log(`${signal}: draining ${clients.size} connections`);
  // However Kafka answers (a broker that is already gone makes kafkajs retry for many seconds), exit soon.
  setTimeout(() => process.exit(0), 5000).unref();
  clearInterval(pinger);
  server.close(); // no new connections; the HTTP server closes once the upgraded sockets are gone
  const notice = JSON.stringify({ e: 'serverShutdown', E: Date.now() });
  const combinedNotice = `{"stream":"!serverShutdown","data":${notice}}`;
  for (const c of [...clients]) {
    if (c.ws.readyState === WebSocket.OPEN) {
      c.ws.send(c.combined ? combinedNotice : notice);
    }
    closeClient(c, 1012, 'Service restart');
  }
  try {
    if (consumer) {
      await consumer.disconnect();
    }
  } catch (e) {
    log(`Kafka consumer disconnect: ${e.message}`);
  }
  setTimeout(() => process.exit(0), 1100).unref(); // after closeClient's terminate fallback
}

function startServer() {
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  pinger = setInterval(pingAll, cfg.pingIntervalMs);
  server.listen(cfg.port, cfg.host, () => {
    log(`listening on ${cfg.host}:${server.address().port}; Kafka ${cfg.brokers.join(',')} topic ${cfg.topic}`);
    startConsumer().then((c) => {
      consumer = c;
      if (draining) {
        c.disconnect().catch(() => {});
      }
    }, (e) => {
      log(`Kafka consumer failed to start: ${e.stack || e.message}`);
      process.exit(1);
    });
  });
}

/**
 * --workers N: how a Node shop uses N cores. The primary only forks; every worker is a whole server (its own
 * consumer of every partition, its own snapshot) and the primary hands accepted connections to them in turn.
 * A worker that dies takes the primary down with it, so a supervisor restarts the whole set.
 */
function startPrimary() {
  log(`primary: starting ${cfg.workers} workers`);
  let stopping = false;
  const stop = (signal) => {
    stopping = true;
    for (const w of Object.values(cluster.workers)) {
      w.process.kill(signal);
    }
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => {}); // a terminal's Ctrl-C reaches the workers directly
  cluster.on('exit', (w, code, signal) => {
    if (!stopping) {
      log(`worker ${w.id} exited (${signal || code}); stopping`);
      stop('SIGTERM');
      process.exitCode = 1;
    }
  });
  for (let i = 0; i < cfg.workers; i++) {
    cluster.fork();
  }
}

if (cfg.workers > 1 && cluster.isPrimary) {
  startPrimary();
} else {
  startServer();
}
