// The live ticker board: a client of this node's public protocol only (docs/protocol.md).
// One connection, WebSocket (/stream, combined) or SockJS (/sockjs, combined), and Binance's SUBSCRIBE /
// UNSUBSCRIBE control messages on it. Ticks only record the row's newest tick; one requestAnimationFrame paints
// every changed row once per frame, so a burst of ticks costs one DOM write per cell per frame.
(() => {
  'use strict';

  const TOP = 10;                  // rows when no ?symbols= is given: the most active symbols
  const DISCOVERY_MS = 2000;       // how long !bookTicker is counted to find them
  const BACKOFF_MIN_MS = 500;      // reconnect delay doubles from here...
  const BACKOFF_MAX_MS = 15000;    // ...up to here, each delay jittered to 50-100 % of its value
  const SEND_GAP_MS = 250;         // the node closes a connection sending over 5 messages per second
  const SYMBOL = /^[a-z0-9]{2,20}$/;

  const $ = id => document.getElementById(id);
  const tbody = document.querySelector('#board tbody');
  const stateEl = $('state');
  const messageEl = $('message');

  const params = new URLSearchParams(location.search);
  const symbols = [];              // the board's symbols, lower case, in row order
  const rows = new Map();          // symbol -> {tr, cells, tick, shown}
  const dirty = new Set();         // rows with a tick not painted yet
  let frame = 0;

  let transport = params.get('transport') === 'sockjs' ? 'sockjs' : 'ws';
  let conn = null;                 // the open or opening connection; events of any other are ignored
  let open = false;                // conn is open: control messages may be sent
  let attempt = 0;                 // failed connects in a row, for the backoff
  let retryTimer = 0;
  let nextId = 1;
  const requests = new Map();      // id -> {method, streams}, until the reply
  const outbox = [];
  let sendTimer = 0;
  let lastSend = 0;
  let discovery = null;            // {counts, latest, timer} while counting !bookTicker

  for (const s of (params.get('symbols') || '').toLowerCase().split(',')) {
    if (SYMBOL.test(s.trim()) && !symbols.includes(s.trim())) addRow(s.trim());
  }
  const discover = symbols.length === 0;
  let chosen = !discover;          // the rows are the user's (URL or edits), not the discovered ones

  // ---- connection ---------------------------------------------------------------------------------------

  /** The node's URL for path, with the page's apiKey (fanout.auth) passed on: browsers set no WebSocket headers. */
  function endpoint(path) {
    const url = new URL(path, location.href);
    url.search = '';
    if (params.get('apiKey')) url.searchParams.set('apiKey', params.get('apiKey'));
    return url.href;
  }

  function connect() {
    clearTimeout(retryTimer);
    const c = transport === 'sockjs'
      ? new SockJS(endpoint('sockjs'))
      : new WebSocket(endpoint('stream').replace(/^http/, 'ws'));
    conn = c;
    setState(attempt === 0 ? 'connecting' : 'reconnecting', transport);
    c.onopen = () => {
      if (c !== conn) return;
      open = true;
      attempt = 0;
      setState('live', transport);
      if (discover && discovery === null && symbols.length === 0) startDiscovery();
      else if (symbols.length > 0) request('SUBSCRIBE', symbols.map(stream));
    };
    c.onmessage = e => {
      if (c === conn) onMessage(JSON.parse(e.data));
    };
    c.onclose = e => {
      if (c !== conn) return;
      forget();
      const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt++);
      const delay = Math.round(base / 2 + Math.random() * base / 2);
      setState('reconnecting', transport);
      if (e.code === 1012) say(`node restarting (1012): reconnecting in ${seconds(delay)}`);
      else if (e.code === 1013) say(`node overloaded (1013): reconnecting in ${seconds(delay)}`);
      else say(`disconnected (${e.code}${e.reason ? ' ' + e.reason : ''}): reconnecting in ${seconds(delay)}`);
      retryTimer = setTimeout(connect, delay);
    };
  }

  function switchTransport(to) {
    if (to === transport) return;
    transport = to;
    updateUrl();
    const old = conn;
    forget();                      // the old connection's close event is ignored: this is not a failure
    if (old) old.close(1000, 'transport switch');
    attempt = 0;
    connect();
  }

  // Drops what belonged to the current connection; the rows stay and are subscribed again on the next open.
  function forget() {
    conn = null;
    open = false;
    outbox.length = 0;
    requests.clear();
    if (discovery) {
      clearTimeout(discovery.timer);
      discovery = null;
    }
  }

  // Control messages go out at most one per SEND_GAP_MS, so a burst of user actions never trips the node's limit.
  // While not open nothing is queued: opening subscribes to every row anyway.
  function request(method, streams) {
    if (streams.length === 0 || !open) return;
    const id = nextId++;
    requests.set(id, {method, streams});
    outbox.push(JSON.stringify({method, params: streams, id}));
    pump();
  }

  function pump() {
    if (sendTimer || outbox.length === 0 || !open) return;
    const wait = lastSend + SEND_GAP_MS - performance.now();
    if (wait > 0) {
      sendTimer = setTimeout(() => { sendTimer = 0; pump(); }, wait);
      return;
    }
    lastSend = performance.now();
    conn.send(outbox.shift());
    pump();
  }

  function onMessage(m) {
    if (m.data !== undefined && m.stream !== undefined) {
      if (m.stream === '!serverShutdown') {
        // The node closes us with 1012 at a jittered moment of its drain window; ticks flow until then.
        setState('reconnecting', transport);
        say('node shutting down: will reconnect');
      } else {
        onTick(m.data);
      }
    } else if (m.id !== undefined) {
      onReply(m);
    }
  }

  function onReply(m) {
    const req = requests.get(m.id);
    requests.delete(m.id);
    if (!m.error) return;
    const unknown = /unknown symbol (\S+)/i.exec(m.error.msg);
    if (req && req.method === 'SUBSCRIBE' && unknown) {
      // The node rejected the whole request: drop the unknown symbol and ask again for the rest.
      const bad = unknown[1].toLowerCase();
      removeRow(bad);
      request('SUBSCRIBE', req.streams.filter(s => s !== stream(bad)));
      updateUrl();
    }
    say(`error ${m.error.code}: ${m.error.msg}`, true);
  }

  // ---- the ten most active ------------------------------------------------------------------------------

  // Counts the updates of every symbol on !bookTicker for DISCOVERY_MS, keeps the TOP busiest, then subscribes
  // to those alone. Ticks of !bookTicker are conflated, so a count is "updates delivered", which still ranks
  // activity; the snapshot sent on subscribe adds one to every symbol alike.
  function startDiscovery() {
    discovery = {counts: new Map(), latest: new Map(), timer: setTimeout(endDiscovery, DISCOVERY_MS)};
    say(`finding the ${TOP} most active symbols…`);
    request('SUBSCRIBE', ['!bookTicker']);
  }

  function endDiscovery() {
    const d = discovery;
    if (d.counts.size === 0) {     // nothing ticked yet: keep counting
      d.timer = setTimeout(endDiscovery, DISCOVERY_MS);
      return;
    }
    discovery = null;
    const top = [...d.counts].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).slice(0, TOP);
    for (const [s] of top) {
      addRow(s);
      onTick(d.latest.get(s));
    }
    request('SUBSCRIBE', symbols.map(stream));
    request('UNSUBSCRIBE', ['!bookTicker']);
    say(`the ${top.length} most active of ${d.counts.size} symbols over ${DISCOVERY_MS / 1000} s`);
  }

  // ---- rows -----------------------------------------------------------------------------------------------

  function onTick(t) {
    const s = t.s.toLowerCase();
    if (discovery) {
      discovery.counts.set(s, (discovery.counts.get(s) || 0) + 1);
      discovery.latest.set(s, t);
    }
    const row = rows.get(s);
    if (!row) return;              // e.g. a !bookTicker tick still in flight after the UNSUBSCRIBE
    row.tick = t;
    dirty.add(row);
    if (!frame) frame = requestAnimationFrame(paint);
  }

  function paint() {
    frame = 0;
    const nowMicros = (performance.timeOrigin + performance.now()) * 1000;
    for (const row of dirty) {
      const t = row.tick;
      const c = row.cells;
      price(c.bid, row.shown.b, t.b);
      price(c.ask, row.shown.a, t.a);
      if (row.shown.B !== t.B) c.bidQty.textContent = t.B;
      if (row.shown.A !== t.A) c.askQty.textContent = t.A;
      if (t.pt) c.latency.textContent = `${((nowMicros - t.pt) / 1000).toFixed(1)} ms`;
      row.tr.dataset.u = t.u;
      row.shown = t;
    }
    dirty.clear();
  }

  const FLASH = {duration: 600, easing: 'ease-out'};
  const FLASH_UP = [{backgroundColor: 'rgba(14, 203, 129, 0.3)'}, {backgroundColor: 'rgba(14, 203, 129, 0)'}];
  const FLASH_DOWN = [{backgroundColor: 'rgba(246, 70, 93, 0.3)'}, {backgroundColor: 'rgba(246, 70, 93, 0)'}];

  // The text keeps the colour of the last move; the Web Animations API restarts the flash on every change without
  // the forced reflow that removing and re-adding a CSS animation class needs.
  function price(cell, before, now) {
    if (before === now) return;
    cell.textContent = now;
    if (before === undefined) return;
    const up = Number(now) > Number(before);
    cell.classList.toggle('up', up);
    cell.classList.toggle('down', !up);
    cell.animate(up ? FLASH_UP : FLASH_DOWN, FLASH);
  }

  function addRow(s) {
    if (rows.has(s)) return;
    const tr = document.createElement('tr');
    tr.dataset.symbol = s;
    tr.innerHTML = '<td></td><td class="qty"></td><td class="bid">—</td><td class="ask">—</td>' +
      '<td class="qty"></td><td class="latency"></td><td class="remove"><button title="remove">×</button></td>';
    const td = tr.children;
    td[0].textContent = s.toUpperCase();
    td[6].firstChild.onclick = () => {
      removeRow(s);
      request('UNSUBSCRIBE', [stream(s)]);
      chosen = true;
      updateUrl();
    };
    const row = {tr, cells: {bidQty: td[1], bid: td[2], ask: td[3], askQty: td[4], latency: td[5]}, tick: null,
      shown: {}};
    rows.set(s, row);
    symbols.push(s);
    tbody.appendChild(tr);
  }

  function removeRow(s) {
    const row = rows.get(s);
    if (!row) return;
    rows.delete(s);
    dirty.delete(row);
    symbols.splice(symbols.indexOf(s), 1);
    row.tr.remove();
  }

  // ---- page -----------------------------------------------------------------------------------------------

  function stream(s) {
    return `${s}@bookTicker`;
  }

  function setState(state, via) {
    stateEl.dataset.state = state;
    stateEl.dataset.transport = via;
    stateEl.textContent = `${state === 'reconnecting' ? 'reconnecting…' : state} · ${via === 'ws' ? 'WebSocket' : 'SockJS'}`;
    if (state === 'live') say('');
  }

  function say(text, error) {
    messageEl.textContent = text;
    messageEl.classList.toggle('error', Boolean(error));
  }

  function seconds(ms) {
    return `${(ms / 1000).toFixed(1)} s`;
  }

  // Keeps ?symbols= and ?transport= in the address once the user chose them, so a reload shows the same board.
  function updateUrl() {
    const p = new URLSearchParams(location.search);
    if (chosen) p.set('symbols', symbols.join(','));
    if (transport === 'sockjs') p.set('transport', 'sockjs'); else p.delete('transport');
    history.replaceState(null, '', `${location.pathname}?${p.toString().replace(/%2C/g, ',')}`);
  }

  $('add').onsubmit = e => {
    e.preventDefault();
    const input = $('symbol');
    const s = input.value.trim().toLowerCase();
    input.value = '';
    if (!SYMBOL.test(s)) {
      say(`not a symbol: ${s}`, true);
      return;
    }
    if (rows.has(s)) return;
    addRow(s);
    request('SUBSCRIBE', [stream(s)]);
    chosen = true;
    updateUrl();
  };

  for (const radio of document.querySelectorAll('input[name=transport]')) {
    radio.checked = radio.value === transport;
    radio.onchange = () => switchTransport(radio.value);
  }

  connect();
})();
