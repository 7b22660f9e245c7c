// src/core/errors.ts
var PoolError = class extends Error {
  /** Stable machine-readable code. */
  code;
  /** The origin concerned, where known. */
  origin;
  /** The redacted URL concerned, where known. */
  url;
  /** The last close code seen, where a socket closed. */
  closeCode;
  /** The last close reason seen, where a socket closed. */
  closeReason;
  constructor(code, message, details = {}) {
    super(message, details.cause === void 0 ? void 0 : { cause: details.cause });
    this.name = "PoolError";
    this.code = code;
    if (details.origin !== void 0) this.origin = details.origin;
    if (details.url !== void 0) this.url = details.url;
    if (details.closeCode !== void 0) this.closeCode = details.closeCode;
    if (details.closeReason !== void 0) this.closeReason = details.closeReason;
  }
};
function describeValue(value) {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (value === null || value === void 0 || typeof value === "boolean" || typeof value === "bigint") {
    return String(value);
  }
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return "an array";
  return typeof value === "symbol" ? "a symbol" : "an object";
}

// src/core/backoff.ts
function backoffDelay(attempt, policy, random2) {
  const d = Math.min(policy.maxDelay, policy.initialDelay * policy.factor ** (attempt - 1));
  return d * (1 - policy.jitter * random2());
}
var TERMINAL_CODES = /* @__PURE__ */ new Set([1002, 1003, 1007, 1008, 1009, 1010]);
function defaultShouldReconnect(info) {
  return !TERMINAL_CODES.has(info.code);
}

// src/core/validate.ts
var MAX_DELAY = 2147483647;
function fail(name, value, expected, code = "ERR_INVALID_OPTION") {
  throw new PoolError(code, `Expected \`${name}\` to be ${expected}, got ${describeValue(value)}`);
}
function count(name, value, min, infinite = true, code) {
  if (typeof value === "number" && (Number.isInteger(value) && value >= min || infinite && value === Infinity)) {
    return value;
  }
  return fail(name, value, `an integer >= ${min}${infinite ? " or Infinity" : ""}`, code);
}
function duration(name, value, infinite, code) {
  if (typeof value === "number" && (value >= 1 && value <= MAX_DELAY || infinite && value === Infinity)) {
    return value;
  }
  return fail(name, value, `a duration in ms between 1 and ${MAX_DELAY}${infinite ? " or Infinity" : ""}`, code);
}
function range(name, value, min, max) {
  if (typeof value === "number" && value >= min && value <= max) return value;
  return fail(name, value, `a number between ${min} and ${max}`);
}
function plainObject(name, value, known, code, alternatives = "") {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail(name, value, `an object${alternatives}`, code);
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      const hint = suggest(key, known);
      throw new PoolError(
        code ?? "ERR_INVALID_OPTION",
        `Unknown ${name === "options" ? "option" : `key in \`${name}\``} \`${key}\`${hint ? `: did you mean \`${hint}\`?` : "."} Known: ${known.join(", ")}`
      );
    }
  }
  return value;
}
function suggest(key, known) {
  const lower = key.toLowerCase();
  let best;
  let bestDistance = 3;
  for (const k of known) {
    const d = k.toLowerCase() === lower ? 0 : editDistance(lower, k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}
function editDistance(a, b) {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

// src/core/socket.ts
function isSendData(data) {
  return typeof data === "string" || data instanceof ArrayBuffer || ArrayBuffer.isView(data) || typeof Blob !== "undefined" && data instanceof Blob;
}

// src/core/options.ts
var OPTION_KEYS = [
  "maxPerHost",
  "maxTotal",
  "minIdlePerHost",
  "maxQueue",
  "acquireTimeout",
  "connectTimeout",
  "idleTimeout",
  "maxLifetime",
  "maxUses",
  "reconnect",
  "heartbeat",
  "buffer",
  "protocols",
  "binaryType",
  "requestTimeout",
  "codec",
  "sharedLimit",
  "WebSocket",
  "wsOptions",
  "requireSecure",
  "resolveUrl",
  "breaker"
];
var RECONNECT_DEFAULTS = Object.freeze({
  initialDelay: 500,
  factor: 2,
  maxDelay: 3e4,
  jitter: 1,
  maxAttempts: Infinity,
  minUptime: 5e3,
  shouldReconnect: defaultShouldReconnect
});
function resolveOptions(input = {}) {
  const o = plainObject("options", input, OPTION_KEYS);
  const get = (key, fallback, check) => o[key] === void 0 ? fallback : check(key, o[key]);
  const maxPerHost = get("maxPerHost", 6, (n, v) => count(n, v, 1));
  const minIdlePerHost = get("minIdlePerHost", 0, (n, v) => count(n, v, 0, false));
  checkMinIdle(minIdlePerHost, maxPerHost);
  return Object.freeze({
    maxPerHost,
    maxTotal: get("maxTotal", Infinity, (n, v) => count(n, v, 1)),
    minIdlePerHost,
    maxQueue: get("maxQueue", Infinity, (n, v) => count(n, v, 0)),
    acquireTimeout: get("acquireTimeout", 1e4, (n, v) => duration(n, v, true)),
    connectTimeout: get("connectTimeout", 1e4, (n, v) => duration(n, v, true)),
    idleTimeout: get("idleTimeout", 3e4, (n, v) => duration(n, v, true)),
    maxLifetime: get("maxLifetime", Infinity, (n, v) => duration(n, v, true)),
    maxUses: get("maxUses", Infinity, (n, v) => count(n, v, 1)),
    reconnect: get("reconnect", RECONNECT_DEFAULTS, resolveReconnect),
    heartbeat: get("heartbeat", false, resolveHeartbeat),
    buffer: get("buffer", Object.freeze({ maxMessages: 1e3, maxBytes: 1048576 }), resolveBuffer),
    protocols: get("protocols", Object.freeze([]), resolveProtocols),
    binaryType: get("binaryType", "arraybuffer", (n, v) => v === "arraybuffer" || v === "blob" || v === "nodebuffer" ? v : fail(n, v, '"arraybuffer", "blob" or "nodebuffer"')),
    requestTimeout: get("requestTimeout", 1e4, (n, v) => duration(n, v, true)),
    codec: get("codec", void 0, resolveCodec),
    sharedLimit: get("sharedLimit", Infinity, (n, v) => count(n, v, 1)),
    WebSocket: get("WebSocket", void 0, (n, v) => typeof v === "function" ? v : fail(n, v, "a WebSocket constructor")),
    wsOptions: get("wsOptions", void 0, (n, v) => Object.freeze({ ...plainObjectAny(n, v) })),
    requireSecure: get("requireSecure", false, (n, v) => typeof v === "boolean" ? v : fail(n, v, "a boolean")),
    resolveUrl: get("resolveUrl", void 0, (n, v) => typeof v === "function" ? v : fail(n, v, "a function")),
    breaker: get("breaker", Object.freeze({ failures: 5, cooldown: 3e4 }), resolveBreaker)
  });
}
function checkMinIdle(minIdlePerHost, maxPerHost) {
  if (minIdlePerHost > maxPerHost) {
    fail("minIdlePerHost", minIdlePerHost, `an integer >= 0 and <= \`maxPerHost\` (${maxPerHost})`);
  }
}
function plainObjectAny(name, v) {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return fail(name, v, "an object");
  return v;
}
function resolveReconnect(name, v) {
  if (v === false) return false;
  if (v === true) return RECONNECT_DEFAULTS;
  const o = plainObject(name, v, Object.keys(RECONNECT_DEFAULTS), void 0, ", true or false");
  const pick = (key, check) => o[key] === void 0 ? RECONNECT_DEFAULTS[key] : check(`${name}.${key}`, o[key]);
  const r = Object.freeze({
    initialDelay: pick("initialDelay", (n, x) => duration(n, x, false)),
    factor: pick("factor", (n, x) => typeof x === "number" && x >= 1 && x !== Infinity ? x : fail(n, x, "a finite number >= 1")),
    maxDelay: pick("maxDelay", (n, x) => duration(n, x, false)),
    jitter: pick("jitter", (n, x) => range(n, x, 0, 1)),
    maxAttempts: pick("maxAttempts", (n, x) => count(n, x, 0)),
    minUptime: pick("minUptime", (n, x) => duration(n, x, false)),
    shouldReconnect: pick("shouldReconnect", (n, x) => typeof x === "function" ? x : fail(n, x, "a function"))
  });
  if (r.initialDelay > r.maxDelay) {
    if (o.initialDelay === void 0) {
      fail(`${name}.maxDelay`, r.maxDelay, `a duration >= \`${name}.initialDelay\` (${r.initialDelay}, the default)`);
    }
    fail(`${name}.initialDelay`, r.initialDelay, `a duration <= \`${name}.maxDelay\` (${r.maxDelay})`);
  }
  return r;
}
function resolveHeartbeat(name, v) {
  if (v === false) return false;
  const o = plainObject(name, v, ["interval", "timeout", "message", "isPong"], void 0, " or false");
  const message = o.message;
  if (message !== void 0 && !isSendData(message)) {
    fail(`${name}.message`, message, "a string, ArrayBuffer, typed array or Blob");
  }
  if (o.isPong !== void 0 && typeof o.isPong !== "function") fail(`${name}.isPong`, o.isPong, "a function");
  return Object.freeze({
    interval: o.interval === void 0 ? 25e3 : duration(`${name}.interval`, o.interval, false),
    timeout: o.timeout === void 0 ? 1e4 : duration(`${name}.timeout`, o.timeout, false),
    message,
    isPong: o.isPong
  });
}
function resolveBuffer(name, v) {
  const o = plainObject(name, v, ["maxMessages", "maxBytes"]);
  return Object.freeze({
    maxMessages: o.maxMessages === void 0 ? 1e3 : count(`${name}.maxMessages`, o.maxMessages, 0),
    maxBytes: o.maxBytes === void 0 ? 1048576 : count(`${name}.maxBytes`, o.maxBytes, 0)
  });
}
function resolveBreaker(name, v) {
  if (v === false) return false;
  const o = plainObject(name, v, ["failures", "cooldown"], void 0, " or false");
  return Object.freeze({
    failures: o.failures === void 0 ? 5 : count(`${name}.failures`, o.failures, 1, false),
    cooldown: o.cooldown === void 0 ? 3e4 : duration(`${name}.cooldown`, o.cooldown, false)
  });
}
function resolveCodec(name, v) {
  if (typeof v !== "object" || v === null) fail(name, v, "an object with `encode` and `decode` functions");
  const o = v;
  if (typeof o.encode !== "function") fail(`${name}.encode`, o.encode, "a function");
  if (typeof o.decode !== "function") fail(`${name}.decode`, o.decode, "a function");
  return o;
}
var TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
function resolveProtocols(name, v, code) {
  const list = typeof v === "string" ? [v] : v;
  if (!Array.isArray(list)) return fail(name, v, "a string or an array of strings", code);
  for (const p of list) {
    if (typeof p !== "string" || !TOKEN.test(p)) fail(name, p, "subprotocol names made of token characters", code);
  }
  const dup = list.find((p, i) => list.indexOf(p) !== i);
  if (dup !== void 0) fail(name, dup, "distinct subprotocol names (this one is repeated)", code);
  return Object.freeze([...list]);
}

// src/core/url.ts
function redactUrl(url) {
  let out = url.host === "" && !url.href.startsWith(`${url.protocol}//`) ? `${url.protocol}${url.pathname}` : `${url.protocol}//${url.host}${url.pathname}`;
  const search = url.search;
  if (search.length > 1) {
    const parts = search.slice(1).split("&");
    for (let i = 0; i < parts.length; i++) {
      const eq = parts[i].indexOf("=");
      if (eq !== -1) parts[i] = `${parts[i].slice(0, eq)}=***`;
    }
    out += `?${parts.join("&")}`;
  }
  return out;
}
function parsePoolUrl(input, requireSecure) {
  if (input instanceof URL) input = input.href;
  if (typeof input !== "string") {
    throw new PoolError("ERR_INVALID_URL", `Expected the URL to be a string or URL, got ${describeValue(input)}`);
  }
  let url;
  try {
    url = new URL(input);
  } catch {
    throw new PoolError("ERR_INVALID_URL", "Expected an absolute ws: or wss: URL, got a relative or malformed URL");
  }
  const redacted = redactUrl(url);
  if (url.protocol !== "ws:" && url.protocol !== "wss:") {
    throw new PoolError("ERR_INVALID_URL", `Expected a ws: or wss: URL, got ${url.protocol} in ${redacted}`, { url: redacted });
  }
  if (requireSecure && url.protocol === "ws:") {
    throw new PoolError("ERR_INVALID_URL", `Expected a wss: URL because \`requireSecure\` is true, got ${redacted}`, {
      url: redacted,
      origin: url.origin
    });
  }
  url.hash = "";
  return { href: url.href, origin: url.origin, redacted };
}

// src/runtime/clock.ts
function now() {
  return typeof performance !== "undefined" ? performance.now() : Date.now();
}
function random() {
  return Math.random();
}
var Timers = class {
  #live = /* @__PURE__ */ new Set();
  /**
   * Runs `fn` after `ms`. `Infinity` means never (returns `undefined`).
   * @param keepAlive keep a Node process alive while this timer is pending
   */
  set(fn, ms, keepAlive = false) {
    if (ms === Infinity) return void 0;
    const handle = setTimeout(() => {
      this.#live.delete(handle);
      fn();
    }, ms);
    if (!keepAlive && typeof handle.unref === "function") {
      ;
      handle.unref();
    }
    this.#live.add(handle);
    return handle;
  }
  /** Cancels a timer; accepts `undefined`. */
  cancel(handle) {
    if (handle === void 0) return;
    clearTimeout(handle);
    this.#live.delete(handle);
  }
  /** Number of pending timers (for leak checks). */
  get size() {
    return this.#live.size;
  }
  /** Cancels every pending timer. */
  clear() {
    for (const h of this.#live) clearTimeout(h);
    this.#live.clear();
  }
};

// src/core/stats.ts
var WINDOW = 1024;
var LatencyWindow = class {
  #samples = [];
  #next = 0;
  count = 0;
  max = 0;
  record(ms) {
    if (this.#samples.length < WINDOW) this.#samples.push(ms);
    else {
      this.#samples[this.#next] = ms;
      this.#next = (this.#next + 1) % WINDOW;
    }
    this.count++;
    if (ms > this.max) this.max = ms;
  }
  summary() {
    if (this.count === 0) return { count: 0, p50: null, p95: null, p99: null, max: null };
    const sorted = this.#samples.slice().sort((a, b) => a - b);
    const at = (p) => round(sorted[Math.max(0, Math.ceil(p / 100 * sorted.length) - 1)]);
    return { count: this.count, p50: at(50), p95: at(95), p99: at(99), max: round(this.max) };
  }
};
var round = (ms) => Math.round(ms * 1e3) / 1e3;
var FIELDS = [
  "connections",
  "open",
  "connecting",
  "reconnecting",
  "active",
  "idle",
  "pending",
  "created",
  "closed",
  "reconnects",
  "errors",
  "timeouts",
  "rejected",
  "dropped",
  "messagesIn",
  "messagesOut",
  "bytesIn",
  "bytesOut"
];
var StatsRecord = class {
  constructor(registry, parent) {
    this.registry = registry;
    this.parent = parent;
    const values = {};
    for (const f of FIELDS) values[f] = 0;
    this.values = values;
  }
  registry;
  parent;
  values;
  acquireWait = new LatencyWindow();
  connectTime = new LatencyWindow();
  circuit = "closed";
  /** Adds `n` (may be negative, for gauges) here and in the totals. */
  add(field, n = 1) {
    this.values[field] += n;
    if (this.parent) this.parent.values[field] += n;
    this.registry.dirty = true;
  }
  /** Counts one message in or out: the hot path, kept to plain increments. */
  message(inbound, bytes) {
    const v = this.values;
    const t = this.parent.values;
    if (inbound) {
      v.messagesIn++;
      v.bytesIn += bytes;
      t.messagesIn++;
      t.bytesIn += bytes;
    } else {
      v.messagesOut++;
      v.bytesOut += bytes;
      t.messagesOut++;
      t.bytesOut += bytes;
    }
    this.registry.dirty = true;
  }
  /** Sets the circuit state shown for this origin. */
  setCircuit(state) {
    this.circuit = state;
    this.registry.dirty = true;
  }
  /** Records a latency sample here and in the totals. */
  latency(which, ms) {
    this[which].record(ms);
    this.parent?.[which].record(ms);
    this.registry.dirty = true;
  }
  snapshot(max) {
    const s = {
      ...this.values,
      max: Number.isFinite(max) ? max : null,
      acquireWait: this.acquireWait.summary(),
      connectTime: this.connectTime.summary()
    };
    if (this.parent) s.circuit = this.circuit;
    return s;
  }
};
var StatsRegistry = class {
  totals = new StatsRecord(this, null);
  #hosts = /* @__PURE__ */ new Map();
  dirty = true;
  #cached = null;
  /** The record of `origin`, created on first use. */
  host(origin) {
    let rec = this.#hosts.get(origin);
    if (!rec) {
      rec = new StatsRecord(this, this.totals);
      this.#hosts.set(origin, rec);
      this.dirty = true;
    }
    return rec;
  }
  /** The current snapshot; the same object until a figure changes. */
  snapshot(maxPerHost, maxTotal) {
    if (this.dirty || this.#cached === null) {
      const hosts = {};
      for (const [origin, rec] of this.#hosts) hosts[origin] = rec.snapshot(maxPerHost);
      this.#cached = { totals: this.totals.snapshot(maxTotal), hosts };
      this.dirty = false;
    }
    return this.#cached;
  }
  /** Marks the snapshot stale (e.g. after the caps changed). */
  invalidate() {
    this.dirty = true;
  }
};

// src/runtime/environment.ts
function onOnline(fn) {
  const g = globalThis;
  if (!("ononline" in g) || typeof g.addEventListener !== "function") return () => {
  };
  const target = g;
  target.addEventListener("online", fn);
  return () => target.removeEventListener("online", fn);
}

// src/runtime/transport.ts
import IsoWebSocket from "isomorphic-ws";
function resolveWebSocket(injected) {
  const ctor = injected ?? IsoWebSocket ?? globalThis.WebSocket;
  if (typeof ctor !== "function") {
    throw new PoolError(
      "ERR_INVALID_OPTION",
      "Expected `WebSocket` to be a WebSocket constructor, got undefined: this runtime has no global WebSocket; pass one with `createPool({ WebSocket })`"
    );
  }
  return ctor;
}
function isNodeWs(ctor) {
  return typeof ctor.prototype?.ping === "function";
}
function openSocket(ctor, url, protocols, binaryType, wsOptions) {
  const list = protocols.length > 0 ? protocols : void 0;
  const socket = wsOptions && isNodeWs(ctor) ? new ctor(url, list, wsOptions) : new ctor(url, list);
  try {
    socket.binaryType = binaryType;
  } catch {
  }
  return socket;
}
function abortSocket(socket) {
  try {
    if (typeof socket.terminate === "function") socket.terminate();
    else socket.close();
  } catch {
  }
}
var NodeBuffer = globalThis.Buffer;
function byteLength(data) {
  if (typeof data === "string") return NodeBuffer ? NodeBuffer.byteLength(data) : utf8Length(data);
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  const size = data?.size ?? data?.byteLength;
  return typeof size === "number" ? size : 0;
}
function utf8Length(s) {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 128) continue;
    if (c < 2048) n += 1;
    else if (c >= 55296 && c <= 56319 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 56320 && d <= 57343) {
        n += 2;
        i++;
      } else n += 2;
    } else n += 2;
  }
  return n;
}
function reportListenerError(error) {
  const report = globalThis.reportError;
  if (typeof report === "function") report(error);
  else
    setTimeout(() => {
      throw error;
    }, 0);
}

// src/pool/events.ts
import mitt from "mitt";
var Emitter = class {
  #mitt = mitt();
  #onceWrappers = /* @__PURE__ */ new Map();
  on(type, fn) {
    this.#mitt.on(type, fn);
    return () => this.off(type, fn);
  }
  once(type, fn) {
    const wrapper = (event) => {
      this.off(type, fn);
      fn(event);
    };
    this.#onceWrappers.set(fn, wrapper);
    this.#mitt.on(type, wrapper);
    return () => this.off(type, fn);
  }
  off(type, fn) {
    const wrapper = this.#onceWrappers.get(fn);
    if (wrapper) {
      this.#onceWrappers.delete(fn);
      this.#mitt.off(type, wrapper);
    }
    this.#mitt.off(type, fn);
  }
  /** Whether anyone listens to `type` (lets hot paths skip building payloads). */
  has(type) {
    const list = this.#mitt.all.get(type);
    return list !== void 0 && list.length > 0;
  }
  emit(type, event) {
    const list = this.#mitt.all.get(type);
    if (list === void 0 || list.length === 0) return;
    if (list.length === 1) {
      call(list[0], event);
      return;
    }
    for (const fn of list.slice()) call(fn, event);
  }
  /** Removes every listener. */
  clear() {
    this.#mitt.all.clear();
    this.#onceWrappers.clear();
  }
};
function call(fn, event) {
  try {
    fn(event);
  } catch (error) {
    reportListenerError(error);
  }
}

// src/core/wait-queue.ts
var WaitQueue = class {
  #lists = /* @__PURE__ */ new Map();
  #heap = [];
  #size = 0;
  /** Number of queued values. */
  get size() {
    return this.#size;
  }
  /** Appends `value` behind every value of the same or higher priority. O(1), O(log p) for a new priority. */
  push(value, priority = 0) {
    let list = this.#lists.get(priority);
    if (list === void 0) {
      list = { priority, head: null, tail: null };
      this.#lists.set(priority, list);
      this.#heapPush(priority);
    }
    const node = { value, prev: list.tail, next: null, list };
    if (list.tail === null) list.head = node;
    else list.tail.next = node;
    list.tail = node;
    this.#size++;
    return node;
  }
  /** The value that {@link shift} would return, without removing it. */
  peek() {
    return this.#front()?.head?.value;
  }
  /** Removes and returns the first value: highest priority, oldest within it. */
  shift() {
    const node = this.#front()?.head;
    if (!node) return void 0;
    this.remove(node);
    return node.value;
  }
  /** Removes a queued node in O(1). Returns false if it already left the queue. */
  remove(node) {
    const list = node.list;
    if (list === null) return false;
    if (node.prev === null) list.head = node.next;
    else node.prev.next = node.next;
    if (node.next === null) list.tail = node.prev;
    else node.next.prev = node.prev;
    node.prev = node.next = node.list = null;
    this.#size--;
    return true;
  }
  /** Removes every value and returns them in queue order. */
  drain() {
    const out = [];
    for (let v = this.shift(); v !== void 0; v = this.shift()) out.push(v);
    return out;
  }
  /** The non-empty list of highest priority, discarding empty lists that reached the top. */
  #front() {
    while (this.#heap.length > 0) {
      const list = this.#lists.get(this.#heap[0]);
      if (list.head !== null) return list;
      this.#lists.delete(list.priority);
      this.#heapPop();
    }
    return void 0;
  }
  #heapPush(p) {
    const h = this.#heap;
    let i = h.push(p) - 1;
    while (i > 0) {
      const parent = i - 1 >> 1;
      if (h[parent] >= p) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = p;
  }
  #heapPop() {
    const h = this.#heap;
    const last = h.pop();
    if (h.length === 0) return;
    let i = 0;
    for (; ; ) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const c = l + 1 < h.length && h[l + 1] > h[l] ? l + 1 : l;
      if (h[c] <= last) break;
      h[i] = h[c];
      i = c;
    }
    h[i] = last;
  }
};

// src/pool/breaker.ts
var Breaker = class {
  constructor(policy, timers, onChange) {
    this.policy = policy;
    this.timers = timers;
    this.onChange = onChange;
  }
  policy;
  timers;
  onChange;
  state = "closed";
  failures = 0;
  openedAt = 0;
  #timer;
  #trial = null;
  #parked = /* @__PURE__ */ new Set();
  /** Whether an acquire that needs a new connection may proceed. */
  allowsAcquire() {
    return this.state === "closed" || this.state === "half-open" && this.#trial === null;
  }
  /** Whether `c` may attempt now; if not, it is parked until `resume()`. */
  mayAttempt(c) {
    if (this.state === "closed") return true;
    if (this.state === "half-open" && (this.#trial === null || this.#trial === c)) {
      this.#trial = c;
      return true;
    }
    this.#parked.add(c);
    return false;
  }
  failure(c, now2) {
    if (!this.policy) return;
    if (this.state === "half-open") {
      if (this.#trial === c) this.#open(now2);
      return;
    }
    if (++this.failures >= this.policy.failures && this.state === "closed") this.#open(now2);
  }
  success() {
    this.failures = 0;
    if (this.state === "closed") return;
    this.#set("closed");
    this.#trial = null;
    this.timers.cancel(this.#timer);
    this.#timer = void 0;
    const parked = [...this.#parked];
    this.#parked.clear();
    for (const c of parked) c.resume();
  }
  /** `c` is gone: it no longer waits, and if it was the trial another parked one takes its place. */
  forget(c) {
    this.#parked.delete(c);
    if (this.#trial === c) {
      this.#trial = null;
      if (this.state === "half-open") this.#nextTrial();
    }
  }
  stop() {
    this.timers.cancel(this.#timer);
    this.#timer = void 0;
    this.#parked.clear();
  }
  #open(now2) {
    const { cooldown } = this.policy;
    this.#trial = null;
    this.openedAt = now2;
    this.#set("open");
    this.timers.cancel(this.#timer);
    this.#timer = this.timers.set(() => {
      this.#timer = void 0;
      this.#set("half-open");
      this.#nextTrial();
    }, cooldown);
  }
  #nextTrial() {
    const next = this.#parked.values().next().value;
    if (next === void 0) return;
    this.#parked.delete(next);
    this.#trial = next;
    next.resume();
  }
  #set(state) {
    this.state = state;
    this.onChange(state);
  }
};

// src/pool/heartbeat.ts
var Heartbeat = class {
  constructor(policy, timers, socket, onDead) {
    this.policy = policy;
    this.timers = timers;
    this.socket = socket;
    this.onDead = onDead;
    if (policy.message === void 0 && typeof socket.ping === "function") socket.on?.("pong", () => this.seen());
    this.#arm(policy.interval);
  }
  policy;
  timers;
  socket;
  onDead;
  #lastSeen = now();
  #probeAt = -1;
  #timer;
  /** Any inbound message: a sign of life. */
  seen() {
    this.#lastSeen = now();
  }
  /** Whether `data` is a probe reply (not delivered, not counted). */
  isPong(data) {
    const match = this.policy.isPong;
    if (match === void 0) return false;
    try {
      return match(data) === true;
    } catch {
      return false;
    }
  }
  stop() {
    this.timers.cancel(this.#timer);
    this.#timer = void 0;
  }
  #arm(ms) {
    this.#timer = this.timers.set(() => this.#tick(), Math.max(1, ms));
  }
  #tick() {
    this.#timer = void 0;
    const t = now();
    if (this.#probeAt >= 0) {
      if (this.#lastSeen < this.#probeAt) return this.onDead();
      this.#probeAt = -1;
    }
    const silent = t - this.#lastSeen;
    if (silent < this.policy.interval) return this.#arm(this.policy.interval - silent);
    this.#probeAt = t;
    try {
      const { message } = this.policy;
      if (message === void 0 && typeof this.socket.ping === "function") this.socket.ping();
      else this.socket.send(message ?? "ping");
    } catch {
    }
    this.#arm(this.policy.timeout);
  }
};

// src/pool/outbox.ts
var Outbox = class {
  constructor(maxMessages, maxBytes) {
    this.maxMessages = maxMessages;
    this.maxBytes = maxBytes;
  }
  maxMessages;
  maxBytes;
  #items = [];
  bytes = 0;
  get length() {
    return this.#items.length;
  }
  /** @throws PoolError `ERR_BUFFER_FULL` when either limit would be exceeded */
  push(data, bytes, what, details) {
    if (this.#items.length + 1 > this.maxMessages || this.bytes + bytes > this.maxBytes) {
      throw new PoolError(
        "ERR_BUFFER_FULL",
        `Cannot buffer ${bytes} bytes while ${what} reconnects: the buffer holds ${this.#items.length} messages / ${this.bytes} bytes of at most ${this.maxMessages} / ${this.maxBytes}`,
        details
      );
    }
    this.#items.push(data);
    this.bytes += bytes;
  }
  /** Empties the outbox and returns what it held, oldest first. */
  take() {
    const items = this.#items;
    this.#items = [];
    this.bytes = 0;
    return items;
  }
};

// src/pool/connection.ts
var CLOSE_GRACE = 1e3;
var Connection = class {
  constructor(id, url, key, protocols, owner) {
    this.id = id;
    this.url = url;
    this.key = key;
    this.protocols = protocols;
    this.owner = owner;
    this.#outbox = new Outbox(owner.options.buffer.maxMessages, owner.options.buffer.maxBytes);
  }
  id;
  url;
  key;
  protocols;
  owner;
  state = "connecting";
  lease = null;
  /** Retries since the last stable open (reset after `minUptime`). */
  attempt = 0;
  uses = 0;
  createdAt = now();
  openedAt = 0;
  lastUsed = 0;
  lastFailure;
  /** How the last socket closed. */
  lastClose;
  /** The acquire this connection is being opened for (host bookkeeping). */
  waiter = null;
  /** Opened to keep `minIdlePerHost` warm connections (host bookkeeping). */
  warm = false;
  /** Set while the connection sits in its host's idle set. */
  idleTimer;
  #outbox;
  #socket = null;
  /** Whether the current socket reached open. */
  #socketOpen = false;
  #everOpened = false;
  #heartbeat = null;
  #timer;
  /** Bumped per attempt and at shutdown so late callbacks of an old socket are ignored. */
  #generation = 0;
  #failure;
  /** Waiting for the circuit breaker's permission to attempt. */
  #parked = false;
  get ref() {
    return { origin: this.url.origin, id: this.id, url: this.url.redacted };
  }
  get protocol() {
    return this.#socket?.protocol ?? "";
  }
  get bufferedAmount() {
    return (this.#socket?.bufferedAmount ?? 0) + this.#outbox.bytes;
  }
  /** Whether the connection waits to retry (backoff delay or circuit breaker), with no socket. */
  get waitingToRetry() {
    return this.#socket === null && (this.#timer !== void 0 || this.#parked);
  }
  /** First attempt. */
  start() {
    this.#tryAttempt();
  }
  /** Sends now if open, else buffers within the `buffer` limits. */
  send(data) {
    const socket = this.#socket;
    if (this.#socketOpen && socket !== null && socket.readyState === 1) {
      socket.send(data);
      this.owner.stats.message(false, byteLength(data));
      return;
    }
    if (this.state === "closing" || this.state === "closed") {
      throw new PoolError("ERR_LEASE_CLOSED", `Cannot send: the connection to ${this.url.redacted} is closed`, this.#details());
    }
    this.#outbox.push(data, byteLength(data), this.url.redacted, this.#details());
  }
  /** Discards buffered messages and reports them (`drop` event, stats). */
  dropBuffer(reason) {
    const count2 = this.#outbox.length;
    if (count2 === 0) return;
    const bytes = this.#outbox.bytes;
    this.#outbox.take();
    this.owner.stats.add("dropped", count2);
    this.owner.emit("drop", { ...this.ref, count: count2, bytes, reason });
  }
  /** Closes for good (the pool or the holder asked); `onClosed` reports the end. */
  shutdown(code = 1e3, reason = "") {
    if (this.state === "closing" || this.state === "closed") return;
    const socket = this.#socket;
    this.#generation++;
    this.#stopTimers();
    if (socket === null) return this.#finish(void 0);
    this.#setState("closing");
    this.#listen(socket, this.#generation);
    if (socket.readyState === 0) return abortSocket(socket);
    try {
      socket.close(code, reason);
    } catch {
      abortSocket(socket);
    }
    this.#timer = this.owner.timers.set(() => {
      abortSocket(socket);
      if (this.state === "closing") this.#finish(void 0);
    }, CLOSE_GRACE, true);
  }
  /** Terminates the socket without a closing handshake; the drop is handled as unexpected. */
  kill() {
    const socket = this.#socket;
    if (socket === null || this.state !== "open") return;
    abortSocket(socket);
    if (typeof socket.terminate !== "function") socket.onclose?.({ code: 1006, reason: "", wasClean: false });
  }
  /** Retries now instead of waiting out the backoff (the browser came back online). */
  retryNow() {
    if (this.#timer === void 0 || this.#socket !== null || this.#parked) return;
    if (this.state !== "connecting" && this.state !== "reconnecting") return;
    this.owner.timers.cancel(this.#timer);
    this.#timer = void 0;
    this.#tryAttempt();
  }
  /** The circuit breaker allows the attempt this connection was parked for. */
  resume() {
    if (!this.#parked || this.state === "closing" || this.state === "closed") return;
    this.#parked = false;
    this.#tryAttempt();
  }
  #tryAttempt() {
    if (!this.owner.needsConnection(this)) return this.#finish(this.lastFailure);
    if (!this.owner.mayAttempt(this)) {
      this.#parked = true;
      return;
    }
    void this.#attempt();
  }
  async #attempt() {
    const gen = ++this.#generation;
    this.#failure = void 0;
    const { options } = this.owner;
    this.owner.emit("connect", { ...this.ref, attempt: this.attempt + 1 });
    let target = this.url.href;
    if (options.resolveUrl) {
      try {
        target = parsePoolUrl(await options.resolveUrl(this.url.href), options.requireSecure).href;
      } catch (error) {
        if (gen === this.#generation) this.#failed({ code: 1006, reason: "", wasClean: false, error: asError(error, "resolveUrl failed") });
        return;
      }
      if (gen !== this.#generation) return;
    }
    let socket;
    try {
      socket = openSocket(this.owner.ctor, target, this.protocols, options.binaryType, options.wsOptions);
    } catch (error) {
      return this.#failed({ code: 1006, reason: "", wasClean: false, error: asError(error, "WebSocket constructor threw") });
    }
    this.#socket = socket;
    this.#socketOpen = false;
    const startedAt = now();
    this.#listen(socket, gen);
    socket.onopen = () => {
      if (gen !== this.#generation) return;
      this.owner.timers.cancel(this.#timer);
      this.#timer = void 0;
      const connectTime = now() - startedAt;
      this.owner.stats.latency("connectTime", connectTime);
      this.#opened(socket, connectTime);
    };
    this.#timer = this.owner.timers.set(() => {
      this.#timer = void 0;
      this.#failure ??= { code: 1006, reason: "", wasClean: false, error: new Error(`Connection attempt timed out after ${options.connectTimeout} ms`) };
      abortSocket(socket);
    }, options.connectTimeout, this.owner.isAwaited(this));
  }
  /** Wires a socket's message, error and close handlers for generation `gen`. */
  #listen(socket, gen) {
    socket.onmessage = (ev) => {
      if (gen !== this.#generation || !this.#socketOpen) return;
      const data = ev.data;
      const hb = this.#heartbeat;
      if (hb !== null) {
        hb.seen();
        if (hb.isPong(data)) return;
      }
      this.owner.stats.message(true, byteLength(data));
      this.lease?._deliver(data);
    };
    socket.onerror = (ev) => {
      if (gen !== this.#generation || this.state === "closing") return;
      const error = asError(ev?.error, ev?.message || "WebSocket error");
      this.#failure ??= { code: 1006, reason: "", wasClean: false, error };
      this.#failure.error ??= error;
      if (this.#socketOpen) this.#reportError(error, void 0);
    };
    socket.onclose = (ev) => {
      socket.onopen = socket.onmessage = socket.onclose = null;
      socket.onerror = () => {
      };
      if (this.#socket !== socket) return;
      const wasOpen = this.#socketOpen;
      this.#socket = null;
      this.#socketOpen = false;
      this.#heartbeat?.stop();
      this.#heartbeat = null;
      const info = { code: ev.code, reason: ev.reason, wasClean: ev.wasClean };
      this.lastClose = info;
      if (this.state === "closing") {
        if (wasOpen) this.owner.emit("close", { ...this.ref, ...info, willReconnect: false });
        return this.#finish(void 0);
      }
      if (gen !== this.#generation) return;
      this.owner.timers.cancel(this.#timer);
      this.#timer = void 0;
      info.error = this.#failure?.error;
      if (wasOpen) this.#dropped(info);
      else this.#failed(info);
    };
  }
  #opened(socket, connectTime) {
    const reopened = this.#everOpened;
    this.#everOpened = true;
    this.#socketOpen = true;
    this.openedAt = now();
    this.lastFailure = void 0;
    this.#setState("open");
    for (const data of this.#outbox.take()) {
      socket.send(data);
      this.owner.stats.message(false, byteLength(data));
    }
    const hb = this.owner.options.heartbeat;
    if (hb) {
      this.#heartbeat = new Heartbeat(hb, this.owner.timers, socket, () => {
        this.owner.emit("evict", { ...this.ref, reason: "heartbeat" });
        this.#failure = { code: 1006, reason: "", wasClean: false, error: new Error(`No reply to the heartbeat within ${hb.timeout} ms`) };
        this.kill();
      });
    }
    this.owner.emit("open", { ...this.ref, protocol: socket.protocol, reconnect: reopened, connectTime });
    this.owner.onOpen(this, reopened);
  }
  /** An open socket closed without being asked to. */
  #dropped(failure) {
    const { reconnect } = this.owner.options;
    if (reconnect && now() - this.openedAt >= reconnect.minUptime) this.attempt = 0;
    const retry = this.#mayRetry(failure);
    this.owner.emit("close", { ...this.ref, code: failure.code, reason: failure.reason, wasClean: failure.wasClean, willReconnect: retry });
    if (retry) this.#retry(failure);
    else this.#finish(failure);
  }
  /** A connection attempt failed. */
  #failed(failure) {
    failure.error ??= new Error(`WebSocket closed with code ${failure.code} before opening`);
    this.lastFailure = failure;
    this.#reportError(failure.error, this.attempt + 1);
    this.owner.onAttemptFailed(this);
    if (this.#mayRetry(failure)) this.#retry(failure);
    else this.#finish(failure);
  }
  #reportError(error, attempt) {
    this.owner.stats.add("errors");
    this.owner.emit("error", { origin: this.url.origin, id: this.id, url: this.url.redacted, error, ...attempt ? { attempt } : {} });
    this.lease?._emit("error", error);
  }
  #mayRetry(failure) {
    const policy = this.owner.options.reconnect;
    if (!policy || this.attempt >= policy.maxAttempts || !this.owner.needsConnection(this)) return false;
    const info = { code: failure.code, reason: failure.reason, wasClean: failure.wasClean, attempt: this.attempt + 1 };
    try {
      return policy.shouldReconnect(info) !== false;
    } catch {
      return false;
    }
  }
  #retry(failure) {
    const policy = this.owner.options.reconnect;
    this.lastFailure = failure;
    this.attempt++;
    const delay = Math.round(backoffDelay(this.attempt, policy, random));
    if (this.#everOpened) this.#setState("reconnecting");
    const { code, reason } = failure;
    this.owner.emit("reconnecting", { ...this.ref, attempt: this.attempt, delay, code, reason });
    this.lease?._emit("reconnecting", { attempt: this.attempt, delay, code, reason });
    this.#timer = this.owner.timers.set(() => {
      this.#timer = void 0;
      this.#tryAttempt();
    }, delay, this.owner.isAwaited(this));
  }
  #finish(failure) {
    if (this.state === "closed") return;
    this.#generation++;
    this.#stopTimers();
    this.#parked = false;
    if (failure) this.lastFailure = failure;
    this.#setState("closed");
    this.owner.onClosed(this, failure);
  }
  #stopTimers() {
    const { timers } = this.owner;
    timers.cancel(this.#timer);
    timers.cancel(this.idleTimer);
    this.#timer = this.idleTimer = void 0;
    this.#heartbeat?.stop();
  }
  #setState(next) {
    const prev = this.state;
    if (prev === next) return;
    this.state = next;
    this.owner.onStateChange(this, prev, next);
  }
  #details() {
    return { origin: this.url.origin, url: this.url.redacted, closeCode: this.lastFailure?.code, closeReason: this.lastFailure?.reason };
  }
};
function asError(value, fallback) {
  if (value instanceof Error) return value;
  return new Error(typeof value === "string" && value ? value : fallback);
}

// src/pool/idle-set.ts
var IdleSet = class {
  #byKey = /* @__PURE__ */ new Map();
  #lru = /* @__PURE__ */ new Set();
  get size() {
    return this.#lru.size;
  }
  has(c) {
    return this.#lru.has(c);
  }
  add(c) {
    this.#lru.add(c);
    const stack = this.#byKey.get(c.key);
    if (stack) stack.push(c);
    else this.#byKey.set(c.key, [c]);
  }
  /** Removes and returns the most recently used idle connection for `key`. */
  take(key) {
    const stack = this.#byKey.get(key);
    const c = stack?.pop();
    if (c === void 0) return void 0;
    if (stack.length === 0) this.#byKey.delete(key);
    this.#lru.delete(c);
    return c;
  }
  delete(c) {
    if (!this.#lru.delete(c)) return false;
    const stack = this.#byKey.get(c.key);
    stack.splice(stack.indexOf(c), 1);
    if (stack.length === 0) this.#byKey.delete(c.key);
    return true;
  }
  /** The least recently used idle connection. */
  oldest() {
    return this.#lru.values().next().value;
  }
  values() {
    return this.#lru.values();
  }
};

// src/pool/lease.ts
var LEASE_EVENTS = /* @__PURE__ */ new Set(["message", "open", "close", "reconnecting", "error"]);
var dispose = Symbol.dispose ?? /* @__PURE__ */ Symbol.for("Symbol.dispose");
var Lease = class {
  #conn;
  #owner;
  #ended = null;
  #emitter = null;
  /** @internal Created by the pool. */
  constructor(conn, owner) {
    this.#conn = conn;
    this.#owner = owner;
  }
  /** The pooled connection's id: the same across reconnects and successive leases; the `id` in pool events. */
  get id() {
    return this.#conn.id;
  }
  /** The normalised URL this lease was acquired for. */
  get url() {
    return this.#conn.url.href;
  }
  /** The pool key: the URL's WHATWG origin. */
  get origin() {
    return this.#conn.url.origin;
  }
  /** `'connecting' | 'open' | 'reconnecting' | 'closed' | 'released'`. */
  get state() {
    if (this.#ended) return this.#ended;
    const s = this.#conn.state;
    return s === "closing" ? "closed" : s;
  }
  /** The negotiated subprotocol, `''` when none. */
  get protocol() {
    return this.#conn.protocol;
  }
  /** Bytes queued: the socket's own buffer plus messages held while reconnecting. */
  get bufferedAmount() {
    return this.#ended ? 0 : this.#conn.bufferedAmount;
  }
  /**
   * Sends now when open; while reconnecting, buffers in order (bounded by the `buffer` option).
   * @throws PoolError `ERR_LEASE_RELEASED`, `ERR_LEASE_CLOSED`, `ERR_BUFFER_FULL`, `ERR_INVALID_ARGUMENT`
   */
  send(data) {
    this.#check("send");
    if (!isSendData(data)) {
      throw new PoolError("ERR_INVALID_ARGUMENT", `Expected \`data\` to be a string, ArrayBuffer, typed array or Blob, got ${data === null ? "null" : typeof data}`, { origin: this.origin });
    }
    this.#conn.send(data);
  }
  /** Subscribes to a lease event; returns the unsubscribe function. @throws PoolError `ERR_LEASE_RELEASED` */
  on(type, fn) {
    return this.#emitterFor(type, fn, "on").on(type, fn);
  }
  /** Subscribes for one event; returns the unsubscribe function. @throws PoolError `ERR_LEASE_RELEASED` */
  once(type, fn) {
    return this.#emitterFor(type, fn, "once").once(type, fn);
  }
  /** Unsubscribes; a no-op after release. */
  off(type, fn) {
    this.#emitter?.off(type, fn);
  }
  /** Returns the connection to the pool. A second call is a no-op. */
  release() {
    if (this.#ended === "released") return;
    const wasClosed = this.#ended === "closed";
    this.#ended = "released";
    this.#emitter?.clear();
    if (!wasClosed) this.#owner.release(this, this.#conn);
  }
  /**
   * Closes the connection for good instead of returning it. `code` is 1000 or 3000-4999 (what
   * browsers allow); `reason` at most 123 UTF-8 bytes. A no-op after release.
   * @throws PoolError `ERR_INVALID_ARGUMENT`
   */
  destroy(code = 1e3, reason = "") {
    if (this.#ended === "released") return;
    if (code !== 1e3 && !(Number.isInteger(code) && code >= 3e3 && code <= 4999)) {
      throw new PoolError("ERR_INVALID_ARGUMENT", `Expected \`code\` to be 1000 or an integer between 3000 and 4999, got ${String(code)}`, { origin: this.origin });
    }
    if (typeof reason !== "string" || new TextEncoder().encode(reason).length > 123) {
      throw new PoolError("ERR_INVALID_ARGUMENT", "Expected `reason` to be a string of at most 123 UTF-8 bytes", { origin: this.origin });
    }
    if (this.#ended === "closed") return;
    this.#owner.destroy(this, this.#conn, code, reason);
  }
  /** `using lease = await pool.acquire(url)` releases at the end of the block. */
  [dispose]() {
    this.release();
  }
  /** @internal Delivers a received message to the holder. */
  _deliver(data) {
    this.#emitter?.emit("message", data);
  }
  /** @internal Emits a lease event. */
  _emit(type, event) {
    this.#emitter?.emit(type, event);
  }
  /** @internal The connection closed for good under this lease. */
  _closed(event) {
    if (this.#ended) return;
    this.#ended = "closed";
    this.#emitter?.emit("close", event);
  }
  #check(what) {
    if (this.#ended === "released") {
      throw new PoolError("ERR_LEASE_RELEASED", `Cannot ${what}: lease ${this.id} on ${this.#conn.url.redacted} was released`, { origin: this.origin, url: this.#conn.url.redacted });
    }
  }
  #emitterFor(type, fn, what) {
    this.#check(what);
    if (!LEASE_EVENTS.has(type)) {
      throw new PoolError("ERR_INVALID_ARGUMENT", `Expected a lease event (message, open, close, reconnecting, error), got ${JSON.stringify(type)}`);
    }
    if (typeof fn !== "function") throw new PoolError("ERR_INVALID_ARGUMENT", `Expected the listener to be a function, got ${typeof fn}`);
    return this.#emitter ??= new Emitter();
  }
};

// src/pool/host-pool.ts
var GAUGE = {
  connecting: "connecting",
  open: "open",
  reconnecting: "reconnecting"
};
var HostPool = class {
  constructor(origin, ctx) {
    this.origin = origin;
    this.ctx = ctx;
    this.stats = ctx.registry.host(origin);
    this.breaker = new Breaker(ctx.options.breaker, ctx.timers, (state) => this.stats.setCircuit(state));
  }
  origin;
  ctx;
  stats;
  #queue = new WaitQueue();
  #idle = new IdleSet();
  #conns = /* @__PURE__ */ new Set();
  #closing = 0;
  #dispatching = false;
  /** The most recently acquired URL: where warm connections go. */
  #mru;
  #topUpFailures = 0;
  #topUpTimer;
  #lastFailure;
  breaker;
  get options() {
    return this.ctx.options;
  }
  get timers() {
    return this.ctx.timers;
  }
  get ctor() {
    return this.ctx.ctor;
  }
  get live() {
    return this.#conns.size;
  }
  get queued() {
    return this.#queue.size;
  }
  get idleCount() {
    return this.#idle.size;
  }
  emit(type, event) {
    this.ctx.emitter.emit(type, event);
  }
  /** Serves `w` now from an idle connection, or opens one, or queues it. */
  acquire(w) {
    this.stats.add("pending");
    const c = this.#takeIdle(w.key);
    if (c) return this.#grant(c, w);
    if (!this.breaker.allowsAcquire()) return this.#rejectOpenCircuit(w);
    if (this.#queue.size === 0 && this.#hasRoom()) {
      this.ctx.arm(w, this);
      return this.#connectFor(w);
    }
    if (this.#queue.size >= this.options.maxQueue) {
      this.#settle(w);
      this.stats.add("rejected");
      return w.reject(new PoolError("ERR_QUEUE_FULL", `Cannot queue another acquire for ${w.url.redacted}: ${this.#queue.size} already queued (maxQueue ${this.options.maxQueue})`, { origin: this.origin, url: w.url.redacted }));
    }
    this.ctx.arm(w, this);
    if (w.settled) return;
    w.node = this.#queue.push(w, w.priority);
    if (this.ctx.emitter.has("enqueue")) this.emit("enqueue", { origin: this.origin, url: w.url.redacted, pending: this.#queue.size, priority: w.priority });
    this.dispatch();
  }
  #rejectOpenCircuit(w) {
    this.#settle(w);
    this.stats.add("rejected");
    const b = this.breaker;
    const f = this.#lastFailure;
    const cooldown = this.options.breaker ? this.options.breaker.cooldown : 0;
    const left = Math.max(0, Math.round(b.openedAt + cooldown - now()));
    w.reject(new PoolError("ERR_CIRCUIT_OPEN", `Circuit open for ${this.origin}: ${b.failures} consecutive connection attempts failed${f?.error ? ` (last: ${f.error.message})` : ""}; ${b.state === "half-open" ? "a trial connection is under way" : `next trial in ${left} ms`}`, {
      origin: this.origin,
      url: w.url.redacted,
      cause: f?.error,
      closeCode: f?.code,
      closeReason: f?.reason
    }));
  }
  /** Rejects `w` (timeout, abort, pool closed) and lets its connection go if nobody needs it. */
  abandon(w, error) {
    if (w.settled) return;
    const c = w.conn;
    this.#settle(w);
    w.reject(error);
    if (c && c.waiter === w) {
      c.waiter = null;
      if (c.waitingToRetry && !this.needsConnection(c)) c.shutdown();
    }
    this.ctx.checkDrained();
  }
  /** The failure to quote when an acquire times out. */
  lastFailureFor(w) {
    return w.conn?.lastFailure ?? this.#lastFailure;
  }
  /** Serves queued waiters while connections or room allow. */
  dispatch() {
    if (this.#dispatching) return;
    this.#dispatching = true;
    try {
      while (this.#queue.size > 0 && !this.ctx.closing) {
        const w = this.#queue.peek();
        const c = this.#takeIdle(w.key);
        if (c) {
          this.#grant(c, w);
          continue;
        }
        if (!this.#hasRoom()) {
          this.#makeRoom();
          break;
        }
        this.#queue.remove(w.node);
        w.node = null;
        this.#connectFor(w);
      }
    } finally {
      this.#dispatching = false;
    }
  }
  /** Applies changed caps: evicts idle connections above them, serves the queue, tops up. */
  applyLimits() {
    const { maxPerHost, minIdlePerHost } = this.ctx.limits;
    while (this.#conns.size - this.#closing > maxPerHost) {
      const victim = this.#idle.oldest();
      if (!victim) break;
      this.evict(victim, "resize");
    }
    for (const c of this.#idle.values()) if (c.idleTimer === void 0 && this.#idle.size > minIdlePerHost) this.#armIdle(c);
    this.dispatch();
    this.#topUp();
  }
  /** Closes an idle connection on purpose. */
  evict(c, reason) {
    this.#unIdle(c);
    this.emit("evict", { ...c.ref, reason });
    c.shutdown();
  }
  /** Retries now every connection waiting out a backoff delay (the browser came back online). */
  retryNow() {
    for (const c of this.#conns) c.retryNow();
  }
  /** The least recently used idle connection (for the global cap). */
  oldestIdle() {
    return this.#idle.oldest();
  }
  /** Pool close: rejects every waiter and closes every connection. */
  closeAll(error) {
    for (const w of this.#queue.drain()) {
      w.node = null;
      this.abandon(w, error());
    }
    this.ctx.timers.cancel(this.#topUpTimer);
    this.breaker.stop();
    for (const c of [...this.#conns]) {
      if (c.waiter) this.abandon(c.waiter, error());
      c.dropBuffer("closed");
      this.#unIdle(c);
      c.shutdown(1e3);
    }
  }
  // ConnectionOwner -------------------------------------------------------------------------
  needsConnection(c) {
    if (this.ctx.closing) return false;
    if (c.lease || c.waiter && !c.waiter.settled) return true;
    const head = this.#queue.peek();
    if (head && head.key === c.key) {
      this.#queue.remove(head.node);
      head.node = null;
      head.conn = c;
      c.waiter = head;
      return true;
    }
    return c.warm && this.#idle.size + this.#warming() <= this.ctx.limits.minIdlePerHost;
  }
  mayAttempt(c) {
    return this.breaker.mayAttempt(c);
  }
  onAttemptFailed(c) {
    this.#lastFailure = c.lastFailure;
    this.breaker.failure(c, now());
  }
  isAwaited(c) {
    return c.lease !== null || c.waiter !== null && !c.waiter.settled;
  }
  onStateChange(_c, prev, next) {
    const from = GAUGE[prev];
    const to = GAUGE[next];
    if (from) this.stats.add(from, -1);
    if (to) this.stats.add(to, 1);
    if (next === "closing") this.ctx.closingDelta(this, 1);
    if (prev === "closing") this.ctx.closingDelta(this, -1);
    this.#closing += (next === "closing" ? 1 : 0) - (prev === "closing" ? 1 : 0);
  }
  onOpen(c, reopened) {
    this.breaker.success();
    if (reopened) this.stats.add("reconnects");
    if (c.lease) {
      if (reopened) c.lease._emit("open", { protocol: c.protocol });
      return;
    }
    if (this.ctx.closing) return c.shutdown();
    const w = c.waiter;
    c.waiter = null;
    if (w && !w.settled) return this.#grant(c, w);
    c.warm = false;
    this.#makeIdle(c);
    this.dispatch();
    this.ctx.serveBlocked();
  }
  onClosed(c, failure) {
    const wasIdle = this.#unIdle(c);
    this.#conns.delete(c);
    this.breaker.forget(c);
    this.stats.add("connections", -1);
    this.stats.add("closed");
    this.ctx.liveDelta(-1);
    if (failure) this.#lastFailure = failure;
    const w = c.waiter;
    c.waiter = null;
    if (w && !w.settled) {
      const f = failure ?? c.lastFailure;
      this.abandon(w, this.ctx.closing ? this.ctx.closedError(this.origin) : new PoolError("ERR_CONNECT_FAILED", `Could not connect to ${c.url.redacted}: ${f?.error?.message ?? "connection closed"}${f ? ` (close code ${f.code}${f.reason ? `, reason "${f.reason}"` : ""})` : ""}`, {
        origin: this.origin,
        url: c.url.redacted,
        cause: f?.error,
        closeCode: f?.code,
        closeReason: f?.reason
      }));
    }
    const lease = c.lease;
    if (lease) {
      c.lease = null;
      this.stats.add("active", -1);
      c.dropBuffer(this.ctx.closing ? "closed" : "gave-up");
      const info = failure ?? c.lastClose;
      lease._closed({ code: info?.code ?? 1006, reason: info?.reason ?? "", wasClean: info?.wasClean ?? false });
    }
    if (failure && (wasIdle || c.warm) && !this.ctx.closing) this.#scheduleTopUp(c);
    this.ctx.capacityFreed(this);
    this.#topUp();
    this.ctx.checkDrained();
  }
  // LeaseOwner ------------------------------------------------------------------------------
  release(lease, c) {
    if (c.lease !== lease) return;
    c.lease = null;
    c.lastUsed = now();
    this.stats.add("active", -1);
    if (this.ctx.emitter.has("release")) this.emit("release", c.ref);
    const { maxUses, maxLifetime } = this.options;
    if (c.state !== "open") {
      c.dropBuffer("released");
      c.shutdown();
    } else if (this.ctx.closing) c.shutdown();
    else if (c.uses >= maxUses) this.evict(c, "uses");
    else if (c.lastUsed - c.createdAt >= maxLifetime) this.evict(c, "lifetime");
    else if (this.#conns.size - this.#closing > this.ctx.limits.maxPerHost || this.ctx.overTotal()) this.evict(c, "resize");
    else {
      this.#makeIdle(c);
      this.dispatch();
      this.ctx.serveBlocked();
    }
    this.ctx.checkDrained();
  }
  destroy(lease, c, code, reason) {
    if (c.lease !== lease) return;
    c.dropBuffer("destroyed");
    c.lease = null;
    this.stats.add("active", -1);
    lease._closed({ code, reason, wasClean: true });
    if (this.ctx.emitter.has("release")) this.emit("release", c.ref);
    c.shutdown(code, reason);
    this.ctx.checkDrained();
  }
  // internals -------------------------------------------------------------------------------
  #hasRoom() {
    return this.#conns.size < this.ctx.limits.maxPerHost && this.ctx.hasGlobalRoom();
  }
  /** At a cap: close the least recently used idle connection (of another URL, since the head found none of its own). */
  #makeRoom() {
    if (this.#conns.size >= this.ctx.limits.maxPerHost) {
      if (this.#closing >= this.#queue.size) return;
      const victim = this.#idle.oldest();
      if (victim) this.evict(victim, "capacity");
    } else this.ctx.makeGlobalRoom(this);
  }
  #connectFor(w) {
    const c = this.#create(w.url, w.key, w.protocols);
    c.waiter = w;
    w.conn = c;
    c.start();
  }
  #create(url, key, protocols) {
    const c = new Connection(this.ctx.nextId(), url, key, protocols, this);
    this.#conns.add(c);
    this.stats.add("created");
    this.stats.add("connections");
    this.stats.add("connecting");
    this.ctx.liveDelta(1);
    return c;
  }
  #grant(c, w) {
    this.#settle(w);
    c.uses++;
    c.warm = false;
    const lease = new Lease(c, this);
    c.lease = lease;
    this.stats.add("active");
    const wait = now() - w.start;
    this.stats.latency("acquireWait", wait);
    if (this.ctx.emitter.has("acquire")) this.emit("acquire", { ...c.ref, wait });
    if (this.#mru?.key !== w.key) this.#mru = { url: w.url, key: w.key, protocols: w.protocols };
    w.resolve(lease);
    if (this.ctx.limits.minIdlePerHost > 0) this.#topUp();
  }
  #settle(w) {
    w.settled = true;
    this.ctx.disarm(w);
    if (w.node) {
      this.#queue.remove(w.node);
      w.node = null;
    }
    this.stats.add("pending", -1);
  }
  #takeIdle(key) {
    for (let c = this.#idle.take(key); c; c = this.#idle.take(key)) {
      this.#afterUnIdle(c);
      if (now() - c.createdAt >= this.options.maxLifetime) {
        this.emit("evict", { ...c.ref, reason: "lifetime" });
        c.shutdown();
        continue;
      }
      return c;
    }
    return void 0;
  }
  #makeIdle(c) {
    this.#idle.add(c);
    this.ctx.idleChanged(c, this, true);
    this.stats.add("idle");
    this.#armIdle(c);
  }
  #armIdle(c) {
    return;
    c.idleTimer = this.timers.set(() => {
      c.idleTimer = void 0;
      if (this.#idle.size > this.ctx.limits.minIdlePerHost) this.evict(c, "idle");
    }, this.options.idleTimeout);
  }
  #unIdle(c) {
    if (!this.#idle.delete(c)) return false;
    this.#afterUnIdle(c);
    return true;
  }
  #afterUnIdle(c) {
    this.ctx.idleChanged(c, this, false);
    this.stats.add("idle", -1);
    this.timers.cancel(c.idleTimer);
    c.idleTimer = void 0;
  }
  #warming() {
    let n = 0;
    for (const c of this.#conns) if (c.warm) n++;
    return n;
  }
  /** Opens warm connections up to `minIdlePerHost` once the origin has been used and nobody queues. */
  #topUp() {
    const min = this.ctx.limits.minIdlePerHost;
    if (min === 0 || !this.#mru || this.ctx.closing || this.#topUpTimer !== void 0 || this.#queue.size > 0) return;
    for (let have = this.#idle.size + this.#warming(); have < min && this.#hasRoom(); have++) {
      const c = this.#create(this.#mru.url, this.#mru.key, this.#mru.protocols);
      c.warm = true;
      c.start();
    }
  }
  /** An idle or warm connection failed: top up again after a backoff delay, not at once. */
  #scheduleTopUp(c) {
    const policy = this.options.reconnect;
    if (!policy || this.ctx.limits.minIdlePerHost === 0) return;
    if (c.openedAt > 0 && now() - c.openedAt >= policy.minUptime) this.#topUpFailures = 0;
    if (this.#topUpFailures >= policy.maxAttempts) return;
    this.#topUpFailures++;
    this.timers.cancel(this.#topUpTimer);
    this.#topUpTimer = this.timers.set(() => {
      this.#topUpTimer = void 0;
      this.#topUp();
    }, Math.round(backoffDelay(this.#topUpFailures, policy, random)));
  }
};

// src/pool/pool-context.ts
var PoolContext = class {
  constructor(options) {
    this.options = options;
    this.ctor = resolveWebSocket(options.WebSocket);
    this.limits = { maxPerHost: options.maxPerHost, maxTotal: options.maxTotal, minIdlePerHost: options.minIdlePerHost };
  }
  options;
  timers = new Timers();
  emitter = new Emitter();
  registry = new StatsRegistry();
  ctor;
  limits;
  hosts = /* @__PURE__ */ new Map();
  closing = false;
  draining = false;
  onDrained;
  onEmpty;
  #live = 0;
  #closingCount = 0;
  #nextId = 0;
  /** Idle connections of every origin, least recently used first. */
  #idle = /* @__PURE__ */ new Map();
  /** Origins waiting for room under `maxTotal`. */
  #blocked = /* @__PURE__ */ new Set();
  #detachOnline;
  host(origin) {
    let h = this.hosts.get(origin);
    if (!h) {
      h = new HostPool(origin, this);
      this.hosts.set(origin, h);
    }
    return h;
  }
  nextId() {
    this.#detachOnline ??= onOnline(() => {
      for (const h of this.hosts.values()) h.retryNow();
    });
    return ++this.#nextId;
  }
  get live() {
    return this.#live;
  }
  /** Starts the waiter's deadline and abort listener. */
  arm(w, host) {
    if (w.timeout !== Infinity) w.timer = this.timers.set(() => this.#timedOut(w, host), w.timeout, true);
    if (w.signal) {
      const signal = w.signal;
      w.onAbort = () => host.abandon(w, signal.reason);
      signal.addEventListener("abort", w.onAbort, { once: true });
    }
  }
  disarm(w) {
    this.timers.cancel(w.timer);
    w.timer = void 0;
    if (w.onAbort) {
      w.signal.removeEventListener("abort", w.onAbort);
      w.onAbort = void 0;
    }
  }
  #timedOut(w, host) {
    w.timer = void 0;
    const waited = Math.round(now() - w.start);
    const f = host.lastFailureFor(w);
    const last = f ? `; last connection attempt failed: ${f.error?.message ?? "closed"} (close code ${f.code}${f.reason ? `, reason "${f.reason}"` : ""})` : w.conn ? "; the connection is still opening" : `; ${host.queued} acquires queued, ${host.live} connections live (maxPerHost ${this.limits.maxPerHost})`;
    const error = new PoolError("ERR_ACQUIRE_TIMEOUT", `Timed out after ${waited} ms (acquireTimeout ${w.timeout} ms) acquiring a connection to ${w.url.redacted}${last}`, {
      origin: w.url.origin,
      url: w.url.redacted,
      cause: f?.error,
      closeCode: f?.code,
      closeReason: f?.reason
    });
    host.stats.add("timeouts");
    this.emitter.emit("timeout", { origin: w.url.origin, url: w.url.redacted, wait: waited });
    host.abandon(w, error);
  }
  hasGlobalRoom() {
    return this.#live < this.limits.maxTotal;
  }
  /** More live connections (not already closing) than `maxTotal` allows. */
  overTotal() {
    return this.#live - this.#closingCount > this.limits.maxTotal;
  }
  /** At `maxTotal`: close the least recently used idle connection of any origin. */
  makeGlobalRoom(host) {
    this.#blocked.add(host);
    if (this.#closingCount >= this.#blocked.size) return;
    const oldest = this.#idle.entries().next().value;
    if (oldest) oldest[1].evict(oldest[0], "capacity");
  }
  /** A connection went idle: if origins wait for global room, close the least recently used idle one. */
  serveBlocked() {
    if (this.#blocked.size === 0 || this.hasGlobalRoom()) return;
    for (const h of this.#blocked) if (h.queued === 0) this.#blocked.delete(h);
    if (this.#blocked.size === 0 || this.#closingCount >= this.#blocked.size) return;
    const oldest = this.#idle.entries().next().value;
    if (oldest) oldest[1].evict(oldest[0], "capacity");
  }
  /** Evicts idle connections, least recently used first, while over `maxTotal`. */
  shrinkTotal() {
    while (this.overTotal()) {
      const oldest = this.#idle.entries().next().value;
      if (!oldest) break;
      oldest[1].evict(oldest[0], "resize");
    }
  }
  liveDelta(n) {
    this.#live += n;
  }
  closingDelta(_host, n) {
    this.#closingCount += n;
  }
  idleChanged(c, host, added) {
    if (added) this.#idle.set(c, host);
    else this.#idle.delete(c);
  }
  /** A connection is gone: serve its origin, then origins waiting for global room. */
  capacityFreed(host) {
    if (this.closing) {
      if (this.#live === 0) this.#emptied();
      return;
    }
    host.dispatch();
    for (const h of this.#blocked) {
      if (!this.hasGlobalRoom()) break;
      this.#blocked.delete(h);
      h.dispatch();
    }
  }
  checkDrained() {
    if (!this.draining || this.closing || !this.onDrained) return;
    const t = this.registry.totals.values;
    if (t.pending === 0 && t.active === 0) {
      const done = this.onDrained;
      this.onDrained = void 0;
      done();
    }
  }
  closedError(origin) {
    return new PoolError("ERR_POOL_CLOSED", `The pool is ${this.closing ? "closed" : "draining"}${origin ? `: no new connections to ${origin}` : ""}`, origin ? { origin } : {});
  }
  /** Closes everything; `onEmpty` runs once no socket is left. */
  shutdown() {
    this.closing = true;
    const drained = this.onDrained;
    this.onDrained = void 0;
    drained?.();
    for (const h of this.hosts.values()) h.closeAll(() => this.closedError(h.origin));
    if (this.#live === 0) this.#emptied();
  }
  #emptied() {
    this.timers.clear();
    this.#detachOnline?.();
    this.#detachOnline = void 0;
    this.#blocked.clear();
    const done = this.onEmpty;
    this.onEmpty = void 0;
    done?.();
  }
};

// src/pool/pool.ts
var ACQUIRE_KEYS = ["signal", "timeout", "priority", "protocols"];
var EVENTS = /* @__PURE__ */ new Set(["connect", "open", "close", "reconnecting", "error", "acquire", "release", "enqueue", "timeout", "evict", "drop"]);
var URL_CACHE_SIZE = 256;
var asyncDispose = Symbol.asyncDispose ?? /* @__PURE__ */ Symbol.for("Symbol.asyncDispose");
var WebSocketPool = class {
  #ctx;
  #urls = /* @__PURE__ */ new Map();
  #closed;
  #drained;
  /** @throws PoolError `ERR_INVALID_OPTION` */
  constructor(options) {
    if (options === null) fail("options", options, "an object");
    this.#ctx = new PoolContext(resolveOptions(options ?? {}));
  }
  /**
   * Resolves with a lease once a connection to `url` is open: an idle one for the same URL and
   * protocols, a new one within the caps, or the next one freed (queued by priority, then FIFO).
   * Rejects with `PoolError` (`ERR_INVALID_URL`, `ERR_INVALID_ARGUMENT`, `ERR_QUEUE_FULL`,
   * `ERR_ACQUIRE_TIMEOUT`, `ERR_CONNECT_FAILED`, `ERR_POOL_CLOSED`) or with `signal.reason`.
   */
  acquire(url, options) {
    const ctx = this.#ctx;
    try {
      const parsed = this.#parse(url);
      if (ctx.closing || ctx.draining) throw ctx.closedError(parsed.origin);
      let timeout = ctx.options.acquireTimeout;
      let priority = 0;
      let protocols = ctx.options.protocols;
      let signal;
      if (options !== void 0) {
        const o = plainObject("acquire options", options, ACQUIRE_KEYS, "ERR_INVALID_ARGUMENT");
        if (o.timeout !== void 0) timeout = duration("timeout", o.timeout, true, "ERR_INVALID_ARGUMENT");
        if (o.priority !== void 0) {
          if (typeof o.priority !== "number" || !Number.isFinite(o.priority)) fail("priority", o.priority, "a finite number", "ERR_INVALID_ARGUMENT");
          priority = o.priority;
        }
        if (o.protocols !== void 0) protocols = resolveProtocols("protocols", o.protocols, "ERR_INVALID_ARGUMENT");
        if (o.signal !== void 0) {
          signal = o.signal;
          if (typeof signal !== "object" || signal === null || typeof signal.addEventListener !== "function" || !("aborted" in signal)) {
            fail("signal", o.signal, "an AbortSignal", "ERR_INVALID_ARGUMENT");
          }
          if (signal.aborted) return Promise.reject(signal.reason);
        }
      }
      const key = protocols.length === 0 ? parsed.href : `${parsed.href}
${protocols.join(",")}`;
      return new Promise((resolve, reject) => {
        const w = {
          url: parsed,
          key,
          protocols,
          priority,
          start: now(),
          timeout,
          signal,
          resolve,
          reject,
          node: null,
          conn: null,
          settled: false,
          timer: void 0,
          onAbort: void 0
        };
        ctx.host(parsed.origin).acquire(w);
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }
  /** Acquires, sends and releases; resolves once `data` was handed to an open socket. */
  async send(url, data, options) {
    const lease = await this.acquire(url, options);
    try {
      lease.send(data);
    } finally {
      lease.release();
    }
  }
  /** Subscribes to a pool event; returns the unsubscribe function. */
  on(type, fn) {
    checkListener(type, fn);
    return this.#ctx.emitter.on(type, fn);
  }
  /** Subscribes for one event; returns the unsubscribe function. */
  once(type, fn) {
    checkListener(type, fn);
    return this.#ctx.emitter.once(type, fn);
  }
  /** Unsubscribes. */
  off(type, fn) {
    this.#ctx.emitter.off(type, fn);
  }
  /** A plain JSON-serialisable snapshot; the same object until a figure changes. */
  stats() {
    return this.#ctx.registry.snapshot(this.#ctx.limits.maxPerHost, this.#ctx.limits.maxTotal);
  }
  /**
   * Changes caps at run time, validated like `createPool`. Growing serves queued acquires;
   * shrinking closes idle connections first and leased ones as they are released.
   * @throws PoolError `ERR_INVALID_OPTION`
   */
  resize(limits) {
    const o = plainObject("resize options", limits, ["maxPerHost", "maxTotal", "minIdlePerHost"]);
    const ctx = this.#ctx;
    const next = {
      maxPerHost: o.maxPerHost === void 0 ? ctx.limits.maxPerHost : count("maxPerHost", o.maxPerHost, 1),
      maxTotal: o.maxTotal === void 0 ? ctx.limits.maxTotal : count("maxTotal", o.maxTotal, 1),
      minIdlePerHost: o.minIdlePerHost === void 0 ? ctx.limits.minIdlePerHost : count("minIdlePerHost", o.minIdlePerHost, 0, false)
    };
    checkMinIdle(next.minIdlePerHost, next.maxPerHost);
    Object.assign(ctx.limits, next);
    ctx.registry.invalidate();
    if (ctx.closing) return;
    ctx.shrinkTotal();
    for (const h of ctx.hosts.values()) h.applyLimits();
  }
  /** Stops new acquires (they reject `ERR_POOL_CLOSED`), serves those queued, waits for every lease to be released, then closes. */
  drain() {
    if (this.#closed) return this.#closed;
    if (!this.#drained) {
      const ctx = this.#ctx;
      ctx.draining = true;
      this.#drained = new Promise((resolve) => {
        ctx.onDrained = resolve;
        ctx.checkDrained();
      }).then(() => this.close());
    }
    return this.#drained;
  }
  /** Closes every connection now and rejects queued acquires with `ERR_POOL_CLOSED`. Resolves once no socket, timer or listener is left. */
  close() {
    this.#closed ??= new Promise((resolve) => {
      this.#ctx.onEmpty = resolve;
      this.#ctx.shutdown();
    });
    return this.#closed;
  }
  /** `await using pool = createPool()` closes the pool at the end of the block. */
  [asyncDispose]() {
    return this.close();
  }
  #parse(url) {
    const cacheKey = typeof url === "string" ? url : void 0;
    if (cacheKey !== void 0) {
      const hit = this.#urls.get(cacheKey);
      if (hit) return hit;
    }
    const parsed = parsePoolUrl(url, this.#ctx.options.requireSecure);
    if (cacheKey !== void 0) {
      if (this.#urls.size >= URL_CACHE_SIZE) this.#urls.clear();
      this.#urls.set(cacheKey, parsed);
    }
    return parsed;
  }
};
function checkListener(type, fn) {
  if (!EVENTS.has(type)) throw new PoolError("ERR_INVALID_ARGUMENT", `Expected a pool event (${[...EVENTS].join(", ")}), got ${JSON.stringify(type)}`);
  if (typeof fn !== "function") throw new PoolError("ERR_INVALID_ARGUMENT", `Expected the listener to be a function, got ${typeof fn}`);
}
function createPool(options) {
  return new WebSocketPool(options);
}
export {
  Lease,
  PoolError,
  WebSocketPool,
  backoffDelay,
  createPool,
  defaultShouldReconnect
};
//# sourceMappingURL=index.js.map