/**
 * Property-based test of the pool's calls and their arguments (issue 10, section 5; README "API",
 * "Lease", "Errors"; SPEC "Precise semantics"). A run is a random sequence of `acquire`,
 * `request`, `send`, `resize`, `lease.send`, `lease.on`, `lease.destroy` and `lease.release` with
 * arbitrary arguments: URLs (strings, `URL` objects, lists of them, empty and mixed lists, non-ws
 * schemes, userinfo, IPv6, unicode hosts, huge query strings, routes that hang or close), options
 * objects with wrong types and unknown keys, signals already aborted or aborted later, payloads
 * the codec cannot encode, data of every type. Every URL reaches the local test server (the
 * `WebSocket` option redirects it), so no DNS and no outside traffic.
 *
 * The property: each call works, or throws/rejects a `PoolError` with a code documented for that
 * call, or rejects with its signal's reason; never a TypeError from inside. No call hangs: those
 * bounded by a timeout settle within it (plus slack), and every one settles once the pool is
 * closed. Nothing is left behind: after `close()` the stats totals are zero and the server has no
 * socket open.
 *
 * Seeded (see test/helpers/fuzz.ts): FUZZ_RUNS and FUZZ_SEED run longer or elsewhere.
 */
import fc from 'fast-check'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { createPool } from '../../src/index.js'
import { anyNumber, expectDocumented, expectEmpty, fuzzParams, oddValue, settleWithin, track, type Code } from '../helpers/fuzz.js'
import { eventually, startServer, type Lease } from '../helpers/harness.js'
import { redirectWebSocket } from '../helpers/redirect-websocket.js'

// ---------------------------------------------------------------------------------------------
// Arguments

const HOSTS = ['fuzz.test', 'a.fuzz.test:8080', '127.0.0.1', '[::1]', '[2001:db8::1]:443', 'münchen.example', 'xn--mnchen-3ya.example', 'u:p@fuzz.test', ':pw@fuzz.test', 'FUZZ.TEST:80', '例え.テスト']
const PATHS = ['/echo', '/rpc', '/hang', '/x', '', '/close?code=4000&after=0', '/close?code=1008&after=0', '/rpc?delay=50', '/%zz', '/é?q=ü#frag']
const HUGE_QUERY = `/echo?token=${'x'.repeat(20_000)}`

/** A ws:/wss: URL the pool accepts (most of the time: the calls must get past validation too). */
const goodUrl = fc.tuple(fc.constantFrom('ws', 'wss', 'WS'), fc.constantFrom(...HOSTS), fc.constantFrom(...PATHS, '/echo', '/rpc', HUGE_QUERY)).map(([s, h, p]) => `${s}://${h}${p}`)

const urlString: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: goodUrl },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('http', 'https', 'ftp', 'javascript'), fc.constantFrom(...HOSTS), fc.constantFrom(...PATHS)).map(([s, h, p]) => `${s}://${h}${p}`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((s) => `ws://${s}`) },
  { weight: 1, arbitrary: fc.constantFrom('ws:', 'ws://', '//fuzz.test/echo', '/echo', 'ws://fuzz.test:99999/', 'ws://[::1/', 'wss://fuzz.test/echo\u0000', ' ws://fuzz.test/echo ') },
)

/** Tagged: a `URL` object is built when the call is made (values stay printable and replayable). */
type UrlArg = string | { url: string } | unknown
const oneUrl: fc.Arbitrary<UrlArg> = fc.oneof(
  { weight: 10, arbitrary: urlString },
  { weight: 2, arbitrary: goodUrl.map((url) => ({ url })) },
  { weight: 1, arbitrary: oddValue() },
)
const urlArg: fc.Arbitrary<UrlArg> = fc.oneof({ weight: 4, arbitrary: oneUrl }, { weight: 1, arbitrary: fc.array(oneUrl, { maxLength: 3 }).map((list) => ({ list })) })

const makeUrl = (u: UrlArg): unknown => {
  if (u && typeof u === 'object' && 'list' in u) return (u.list as UrlArg[]).map(makeUrl)
  if (u && typeof u === 'object' && 'url' in u && typeof u.url === 'string') return new URL(u.url)
  return u
}

/** Signals, materialised per call: already aborted, aborted later, never, look-alikes, wrong. */
const SIGNALS = ['none', 'aborted', 'aborted-with-reason', 'later', 'never', 'fake-aborted', 'fake', 'not-a-signal'] as const
type SignalKind = (typeof SIGNALS)[number]

function makeSignal(kind: SignalKind): { signal?: unknown; reasons: () => unknown[] } {
  const c = new AbortController()
  switch (kind) {
    case 'none':
      return { reasons: () => [] }
    case 'aborted':
      c.abort()
      break
    case 'aborted-with-reason':
      c.abort(new Error('aborted by the fuzzer'))
      break
    case 'later':
      setTimeout(() => c.abort('later'), 20)
      break
    case 'never':
      break
    case 'fake-aborted': {
      const fake = { aborted: true, reason: 'fake reason', addEventListener() {}, removeEventListener() {} }
      return { signal: fake, reasons: () => [fake.reason] }
    }
    case 'fake':
      return { signal: { aborted: false, addEventListener() {}, removeEventListener() {} }, reasons: () => [] }
    case 'not-a-signal':
      return { signal: { aborted: true }, reasons: () => [] }
  }
  return { signal: c.signal, reasons: () => (c.signal.aborted ? [c.signal.reason] : []) }
}

const timeoutArg = fc.oneof(fc.integer({ min: 1, max: 300 }), fc.constantFrom(0, -1, NaN, Infinity, 2147483647, 2147483648, 1.5, '100', null))
const protocolsArg = fc.oneof(fc.constantFrom('a', ['a', 'b'], [], ['a', 'a'], 'a b', ''), oddValue())

/** Acquire or request options: undefined, valid ones, ones with some keys wrong, odd values. */
const optionsArg = (flag: 'shared' | 'idempotent') => {
  const valid = fc.record({
    signal: fc.constantFrom<SignalKind>('none', 'never', 'later', 'aborted', 'aborted-with-reason', 'fake', 'fake-aborted'),
    timeout: fc.integer({ min: 1, max: 300 }),
    priority: fc.integer({ min: -3, max: 3 }),
    ...(flag === 'shared' ? { protocols: fc.constantFrom<unknown>('a', ['a', 'b'], []) } : {}),
    [flag]: fc.boolean(),
  }, { requiredKeys: [] })
  const hostile = fc.record({
    signal: fc.constantFrom(...SIGNALS),
    timeout: timeoutArg,
    priority: fc.oneof(anyNumber(), oddValue()),
    ...(flag === 'shared' ? { protocols: protocolsArg } : {}),
    [flag]: fc.oneof(fc.boolean(), oddValue()),
    unknown: fc.constantFrom('x', undefined),
  }, { requiredKeys: [] })
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 6, arbitrary: valid },
    { weight: 2, arbitrary: hostile },
    { weight: 1, arbitrary: oddValue() },
  )
}

const dataArg = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(new Uint8Array([1, 2, 3]), new ArrayBuffer(4), 'x'.repeat(2000), new DataView(new ArrayBuffer(2))) },
  { weight: 1, arbitrary: oddValue() },
)
const cyclic: Record<string, unknown> = {}
cyclic.self = cyclic
const payloadArg = fc.oneof({ weight: 4, arbitrary: fc.anything({ maxDepth: 2 }) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(cyclic, 10n, undefined, () => 1, Symbol('p')) })

const command = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('acquire' as const), url: urlArg, options: optionsArg('shared') }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('request' as const), url: urlArg, payload: payloadArg, options: optionsArg('idempotent') }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('send' as const), url: urlArg, data: dataArg, options: optionsArg('shared') }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('resize' as const), limits: fc.oneof(fc.record({ maxPerHost: fc.oneof(anyNumber(), oddValue()), maxTotal: fc.oneof(anyNumber(), oddValue()), minIdlePerHost: fc.oneof(anyNumber(), oddValue()) }, { requiredKeys: [] }), oddValue()) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('lease.send' as const), i: fc.nat(), data: dataArg }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('lease.on' as const), i: fc.nat(), type: fc.oneof(fc.constantFrom('message', 'open', 'close', 'reconnecting', 'error', 'drop', 'Message'), oddValue()), fn: fc.constantFrom<unknown>(() => {}, () => { throw new Error('listener') }, null, 'fn') }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('lease.destroy' as const), i: fc.nat(), code: fc.oneof(fc.constantFrom(undefined, 1000, 1001, 0, 2999, 5000, NaN, 3000.5), fc.integer({ min: 3000, max: 4999 }), oddValue()), reason: fc.oneof(fc.string({ maxLength: 130 }), fc.constantFrom('é'.repeat(62), 'é'.repeat(61)), oddValue()) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('lease.release' as const), i: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 30 }) }) },
)

// ---------------------------------------------------------------------------------------------
// What each call may fail with

const ACQUIRE: Code[] = ['ERR_INVALID_URL', 'ERR_INVALID_ARGUMENT', 'ERR_QUEUE_FULL', 'ERR_ACQUIRE_TIMEOUT', 'ERR_CONNECT_FAILED', 'ERR_CIRCUIT_OPEN', 'ERR_POOL_CLOSED']
const CODES: Record<string, Code[]> = {
  acquire: ACQUIRE,
  request: ['ERR_INVALID_URL', 'ERR_INVALID_ARGUMENT', 'ERR_QUEUE_FULL', 'ERR_REQUEST_TIMEOUT', 'ERR_CONNECTION_LOST', 'ERR_CONNECT_FAILED', 'ERR_CIRCUIT_OPEN', 'ERR_POOL_CLOSED', 'ERR_BUFFER_FULL'],
  send: [...ACQUIRE, 'ERR_LEASE_CLOSED'],
  resize: ['ERR_INVALID_OPTION'],
  'lease.send': ['ERR_LEASE_RELEASED', 'ERR_LEASE_CLOSED', 'ERR_BUFFER_FULL', 'ERR_INVALID_ARGUMENT'],
  'lease.on': ['ERR_LEASE_RELEASED', 'ERR_INVALID_ARGUMENT'],
  'lease.destroy': ['ERR_INVALID_ARGUMENT'],
  'lease.release': [],
}

const POOL_TIMEOUT = 400
/** Slack over a call's own timeout: connection attempts, `send`'s retries, a loaded machine. */
const SLACK = 2500

describe('pool calls with any arguments', () => {
  it('work or fail with a documented code (or the abort reason), never hang, and leave nothing after close', async () => {
    const server = await startServer()
    vi.spyOn(console, 'error').mockImplementation(() => {}) // listeners that throw are reported there
    const tally: Record<string, number> = {}
    const outcomeName = (o: ReturnType<ReturnType<typeof track>['outcome']>) => (o.kind === 'error' ? ((o.error as { code?: string }).code ?? 'abort') : o.kind)
    // How the calls ended, by call and code: printed on longer runs (FUZZ_RUNS), to see what was exercised.
    if (process.env.FUZZ_RUNS) onTestFinished(() => console.log(JSON.stringify(tally, Object.keys(tally).sort(), 1)))
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 4, maxLength: 16, size: 'large' }), async (commands) => {
        const pool = createPool({
          WebSocket: redirectWebSocket(server.port),
          maxPerHost: 2,
          maxQueue: 4,
          acquireTimeout: POOL_TIMEOUT,
          requestTimeout: POOL_TIMEOUT,
          connectTimeout: 300,
          reconnect: { initialDelay: 10, maxDelay: 50 },
          breaker: { failures: 3, cooldown: 200 },
          buffer: { maxMessages: 5, maxBytes: 1000 },
        })
        const leases: Lease[] = []
        const calls: { what: string; codes: Code[]; bounded: boolean; reasons: () => unknown[]; t: ReturnType<typeof track> }[] = []
        const lease = (i: number): Lease | undefined => leases[i % Math.max(1, leases.length)]
        const call = (what: string, fn: (options: unknown) => unknown, options?: unknown) => {
          let reasons = (): unknown[] => []
          let bounded = true
          let opts = options
          if (options && typeof options === 'object' && 'signal' in options) {
            const s = makeSignal(options.signal as SignalKind)
            reasons = s.reasons
            opts = { ...options, signal: s.signal }
            if (s.signal === undefined) delete (opts as Record<string, unknown>).signal
          }
          if (options && typeof options === 'object' && 'timeout' in options) {
            const t = options.timeout
            bounded = !(typeof t === 'number' && t > POOL_TIMEOUT)
          }
          const t = track(() => fn(opts))
          calls.push({ what, codes: CODES[what], bounded, reasons, t })
          t.settled.then(() => {
            const o = t.outcome()
            if (o.kind === 'ok' && what === 'acquire') leases.push(o.value as Lease)
          })
          return t
        }
        for (const c of commands) {
          switch (c.op) {
            case 'acquire':
              call('acquire', (o) => pool.acquire(makeUrl(c.url) as never, o as never), c.options)
              // Give it a moment, so that the lease commands that follow have a lease to work on.
              await settleWithin([calls[calls.length - 1].t.settled], 100)
              break
            case 'request':
              call('request', (o) => pool.request(makeUrl(c.url) as never, c.payload, o as never), c.options)
              break
            case 'send':
              call('send', (o) => pool.send(makeUrl(c.url) as never, c.data as never, o as never), c.options)
              break
            case 'resize':
              call('resize', () => pool.resize(c.limits as never))
              break
            case 'lease.send':
              if (lease(c.i)) call('lease.send', () => lease(c.i)!.send(c.data as never))
              break
            case 'lease.on':
              if (lease(c.i)) call('lease.on', () => lease(c.i)!.on(c.type as never, c.fn as never))
              break
            case 'lease.destroy':
              if (lease(c.i)) call('lease.destroy', () => lease(c.i)!.destroy(c.code as never, c.reason as never))
              break
            case 'lease.release':
              if (lease(c.i)) call('lease.release', () => lease(c.i)!.release())
              break
            case 'wait':
              await new Promise((resolve) => setTimeout(resolve, c.ms))
              break
          }
        }
        // Calls bounded by a timeout of at most POOL_TIMEOUT settle within it, plus slack.
        await settleWithin(calls.filter((c) => c.bounded).map((c) => c.t.settled), POOL_TIMEOUT + SLACK)
        for (const c of calls) {
          const o = c.t.outcome()
          if (o.kind === 'pending' && c.bounded) throw new Error(`${c.what} did not settle within ${POOL_TIMEOUT + SLACK} ms`)
          if (o.kind === 'error') expectDocumented(c.what, o.error, c.codes, c.reasons())
        }
        // Then close: everything else settles, and nothing is left.
        const closed = track(() => pool.close())
        await settleWithin([closed.settled], 3000)
        if (closed.outcome().kind !== 'ok') throw new Error(`close() ${closed.outcome().kind === 'pending' ? 'did not resolve within 3 s' : 'rejected'}`)
        await settleWithin(calls.map((c) => c.t.settled), 3000)
        for (const c of calls) {
          const o = c.t.outcome()
          if (o.kind === 'pending') throw new Error(`${c.what} still pending 3 s after close()`)
          if (o.kind === 'error') expectDocumented(c.what, o.error, c.codes, c.reasons())
        }
        expectEmpty(pool)
        await eventually(() => expect(server.counts().open).toBe(0), 5000)
        for (const c of calls) tally[`${c.what} ${outcomeName(c.t.outcome())}`] = (tally[`${c.what} ${outcomeName(c.t.outcome())}`] ?? 0) + 1
      }),
      fuzzParams(60),
    )
  }, 180_000)
})
