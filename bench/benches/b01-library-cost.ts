// 1. Library-only cost per message, stats counting on (wspool's defaults: stats are always on):
//    receive and send ns/message over a no-wrapper baseline, on two kinds of socket with no I/O,
//    all contenders measured in the same interleaved blocks:
//    - real `ws` in memory (the Node path): ws's own WebSocket in client mode over a fake net
//      socket (lib/in-memory-ws.ts), inbound frames injected synchronously; baseline: that socket
//      used directly through ws's `message (data, isBinary)` event;
//    - browser-shaped fake socket (lib/fake-socket.ts); baseline: that socket used directly;
//      partysocket and reconnecting-websocket for comparison.
import PartySocketWS from 'partysocket/ws'
import ReconnectingWebSocket from 'reconnecting-websocket'
import { FakeWebSocket } from '../lib/fake-socket.js'
import { InMemoryWebSocket, serverTextFrame } from '../lib/in-memory-ws.js'
import { asciiPayload, blockInterleave, loadWspool, metric, now, until, type BlockContender } from '../lib/harness.js'
import { fmtSpread, median, paired } from '../lib/stats.js'
import type { BenchContext, BenchResult, Goal, Metric } from '../lib/types.js'

interface Subject {
  /** deliver one inbound 64 B text message to the socket underneath */
  inject: () => void
  send: (d: string) => void
  /** bytes or messages that reached the socket underneath so far (see `Shape.sentPerMessage`) */
  sent: () => number
  close: () => Promise<void> | void
}

interface Shape {
  /** suffix of the metric names */
  label: string
  baseline: string
  /** what the goals are stated over */
  goalOver: string
  /** how much `Subject.sent()` grows per message sent */
  sentPerMessage: number
  makers: Record<string, () => Promise<Subject>>
}

/** Budget of each goal, ns/msg over the baseline of the same socket shape (issue 7). */
const GOAL_NS = 25

let sink = 0

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const { mod, why } = await loadWspool(ctx.root)
  const N = ctx.quick ? 300_000 : 2_000_000
  const blocks = ctx.quick ? 6 : 20
  const budgetMs = 3000
  const payload = asciiPayload(64)
  const frame = serverTextFrame(payload)
  const notes: string[] = [
    `${N.toLocaleString('en')} messages received and sent per trial and contender in ${blocks} interleaved blocks, 64 B text payload, no I/O`,
    'real ws in memory: ws 8.23 WebSocket in client mode over a fake net socket (writes discarded and counted); inbound unmasked 66 B text frames injected synchronously; sends masked as a real client does (70 B frames); baseline listens on ws\'s `message (data, isBinary)` event and takes a string, as wspool\'s users do',
    'browser-shaped fake socket: lib/fake-socket.ts (MessageEvent-like objects in, sends counted)',
  ]

  async function opened<T extends { readyState: number }>(sock: () => T | undefined, what: string): Promise<T> {
    const ok = await until(() => sock()?.readyState === 1, 2000, 1)
    const s = sock()
    if (!ok || !s) throw new Error(`${what} did not open`)
    return s
  }

  // ---- real ws, in memory (Node path) ----
  const nodeWs: Shape = {
    label: 'real ws in memory (Node path)',
    baseline: 'raw ws (in memory)',
    goalOver: 'raw ws (Node path: real ws in memory)',
    sentPerMessage: 6 + payload.length, // client frame: 2 B header + 4 B mask key + payload
    makers: {
      'raw ws (in memory)': async () => {
        const ws = new InMemoryWebSocket('ws://bench.invalid/x')
        ws.on('message', (data, isBinary) => {
          const s = isBinary ? (data as Buffer) : data.toString()
          sink += s.length
        })
        await opened(() => ws, 'in-memory ws')
        if (!ws.isClient) throw new Error('in-memory ws is not in client mode')
        return { inject: () => ws.inject(frame), send: (d) => ws.send(d), sent: () => ws.net.bytesWritten, close: () => ws.terminate() }
      },
    },
  }

  // ---- browser-shaped fake socket ----
  const fakeSubject = (fake: FakeWebSocket, send: (d: string) => void, close: Subject['close']): Subject => ({
    inject: () => fake.emitMessage(payload),
    send,
    sent: () => fake.sent,
    close,
  })
  const browser: Shape = {
    label: 'browser-shaped fake socket',
    baseline: 'raw fake socket (browser-shaped)',
    goalOver: 'raw (browser-shaped fake socket)',
    sentPerMessage: 1,
    makers: {
      'raw fake socket (browser-shaped)': async () => {
        const ws = new FakeWebSocket('ws://bench.invalid/x')
        ws.addEventListener('message', (e: { data: string }) => {
          sink += e.data.length
        })
        await opened(() => ws, 'fake socket')
        return fakeSubject(ws, (d) => ws.send(d), () => ws.close())
      },
      'partysocket (browser-shaped)': async () => {
        FakeWebSocket.reset()
        const rws = new PartySocketWS('ws://bench.invalid/x', undefined, { WebSocket: FakeWebSocket as any })
        rws.addEventListener('message', (e: MessageEvent) => {
          sink += (e.data as string).length
        })
        const fake = await opened(() => FakeWebSocket.instances[0], 'fake socket')
        return fakeSubject(fake, (d) => rws.send(d), () => rws.close())
      },
      'reconnecting-websocket (browser-shaped)': async () => {
        FakeWebSocket.reset()
        const rws = new ReconnectingWebSocket('ws://bench.invalid/x', undefined, { WebSocket: FakeWebSocket })
        rws.addEventListener('message', (e: MessageEvent) => {
          sink += (e.data as string).length
        })
        const fake = await opened(() => FakeWebSocket.instances[0], 'fake socket')
        return fakeSubject(fake, (d) => rws.send(d), () => rws.close())
      },
    },
  }

  if (mod) {
    nodeWs.makers['wspool (ws)'] = async () => {
      InMemoryWebSocket.reset()
      const pool = mod.createPool({ WebSocket: InMemoryWebSocket })
      const lease = await pool.acquire('ws://bench.invalid/x')
      lease.on('message', (d: string) => {
        sink += d.length
      })
      const ws = await opened(() => InMemoryWebSocket.instances[0], 'in-memory ws')
      if (!ws.isClient) throw new Error('in-memory ws is not in client mode')
      return {
        inject: () => ws.inject(frame),
        send: (d) => lease.send(d),
        sent: () => ws.net.bytesWritten,
        close: async () => {
          lease.release()
          await pool.close()
        },
      }
    }
    browser.makers['wspool (browser-shaped)'] = async () => {
      FakeWebSocket.reset()
      const pool = mod.createPool({ WebSocket: FakeWebSocket })
      const lease = await pool.acquire('ws://bench.invalid/x')
      lease.on('message', (d: string) => {
        sink += d.length
      })
      const fake = await opened(() => FakeWebSocket.instances[0], 'fake socket')
      return fakeSubject(
        fake,
        (d) => lease.send(d),
        async () => {
          lease.release()
          await pool.close()
        },
      )
    }
  } else notes.push(`wspool not measured: ${why}`)

  const shapes = [nodeWs, browser]
  const per = Math.ceil(N / blocks)
  const contenders: BlockContender<Subject>[] = shapes.flatMap((shape) =>
    Object.entries(shape.makers).map(([name, make]) => ({
      name,
      setup: () => make(),
      async block(sub, b) {
        const n = b < 0 ? 20_000 : per
        const { inject, send } = sub
        // every contender's listener adds the payload's length to `sink`: that proves delivery
        const sink0 = sink
        let t0 = now()
        let i = 0
        for (; i < n; i++) {
          inject()
          if ((i & 4095) === 0 && now() - t0 > budgetMs) break
        }
        const recvMs = now() - t0
        const got = (sink - sink0) / payload.length
        if (got !== i) throw new Error(`${got}/${i} injected messages reached the listener`)
        const sent0 = sub.sent()
        t0 = now()
        let j = 0
        for (; j < n; j++) {
          send(payload)
          if ((j & 4095) === 0 && now() - t0 > budgetMs) break
        }
        const sendMs = now() - t0
        const reached = Math.floor((sub.sent() - sent0) / shape.sentPerMessage)
        if (reached < j) throw new Error(`only ${reached}/${j} sends reached the socket`)
        return { sums: { recvMs, recvN: i, sendMs, sendN: j } }
      },
      teardown: (sub) => sub.close(),
    })),
  )

  const r = await blockInterleave(contenders, ctx.trials, blocks, (sm) => ({
    recv: (sm.recvMs * 1e6) / sm.recvN,
    send: (sm.sendMs * 1e6) / sm.sendN,
  }))
  notes.push(...r.errors)

  const metrics: Metric[] = []
  const goals: Goal[] = []
  for (const shape of shapes) {
    const names = Object.keys(shape.makers)
    const only = (m: string) => Object.fromEntries(Object.entries(r.values[m] ?? {}).filter(([who]) => names.includes(who)))
    metrics.push(
      metric(1, `receive cost, ${shape.label}`, 'ns/msg', 'lower', only('recv'), { baseline: shape.baseline, compare: 'delta' }),
      metric(1, `send cost, ${shape.label}`, 'ns/msg', 'lower', only('send'), { baseline: shape.baseline, compare: 'delta' }),
    )
    const wspool = names.find((n) => n.startsWith('wspool'))
    for (const [m, verb] of [
      ['recv', 'receive'],
      ['send', 'send'],
    ] as const) {
      const goal = `${verb} <= +${GOAL_NS} ns/msg over ${shape.goalOver}`
      const w = wspool ? r.values[m]?.[wspool] : undefined
      const b = r.values[m]?.[shape.baseline]
      const d = w && b ? paired(w, b, 'delta') : []
      goals.push(
        d.length
          ? { bench: 1, goal, measured: `${fmtSpread(d, 1, true)} ns`, met: median(d) <= GOAL_NS }
          : { bench: 1, goal, measured: 'not measured', met: null },
      )
    }
  }
  if (sink === -1) console.log(sink)
  return { bench: 1, title: 'library-only cost per message (real ws in memory; browser-shaped fake socket)', metrics, goals, notes }
}
