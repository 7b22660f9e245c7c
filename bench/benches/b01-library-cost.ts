// 1. Library-only cost per message with an in-process fake socket: receive and send ns/message
//    over a no-wrapper baseline (the fake socket used directly), stats counting on (wspool's
//    defaults: stats are always on).
import PartySocketWS from 'partysocket/ws'
import ReconnectingWebSocket from 'reconnecting-websocket'
import { FakeWebSocket } from '../lib/fake-socket.js'
import { asciiPayload, blockInterleave, loadWspool, metric, now, until, type BlockContender } from '../lib/harness.js'
import { fmtSpread, median, paired } from '../lib/stats.js'
import type { BenchContext, BenchResult } from '../lib/types.js'

interface Subject {
  /** the fake socket underneath */
  fake: FakeWebSocket
  send: (d: string) => void
  close: () => Promise<void> | void
}

let sink = 0

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const { mod, why } = await loadWspool(ctx.root)
  const N = ctx.quick ? 300_000 : 2_000_000
  const budgetMs = 3000
  const payload = asciiPayload(64)
  const notes: string[] = [`${N.toLocaleString('en')} messages received and sent per trial and contender in ${ctx.quick ? 6 : 20} interleaved blocks, 64 B text payload, fake socket (no I/O)`]

  async function opened(fake: () => FakeWebSocket | undefined): Promise<FakeWebSocket> {
    const ok = await until(() => fake()?.readyState === 1, 2000, 1)
    const f = fake()
    if (!ok || !f) throw new Error('fake socket did not open')
    return f
  }

  const makers: Record<string, () => Promise<Subject>> = {
    'raw (no wrapper)': async () => {
      const ws = new FakeWebSocket('ws://bench.invalid/x')
      ws.addEventListener('message', (e: { data: string }) => {
        sink += e.data.length
      })
      await opened(() => ws)
      return { fake: ws, send: (d) => ws.send(d), close: () => ws.close() }
    },
    partysocket: async () => {
      FakeWebSocket.reset()
      const rws = new PartySocketWS('ws://bench.invalid/x', undefined, { WebSocket: FakeWebSocket as any })
      rws.addEventListener('message', (e: MessageEvent) => {
        sink += (e.data as string).length
      })
      const fake = await opened(() => FakeWebSocket.instances[0])
      return { fake, send: (d) => rws.send(d), close: () => rws.close() }
    },
    'reconnecting-websocket': async () => {
      FakeWebSocket.reset()
      const rws = new ReconnectingWebSocket('ws://bench.invalid/x', undefined, { WebSocket: FakeWebSocket })
      rws.addEventListener('message', (e: MessageEvent) => {
        sink += (e.data as string).length
      })
      const fake = await opened(() => FakeWebSocket.instances[0])
      return { fake, send: (d) => rws.send(d), close: () => rws.close() }
    },
  }
  if (mod) {
    makers.wspool = async () => {
      FakeWebSocket.reset()
      const pool = mod.createPool({ WebSocket: FakeWebSocket })
      const lease = await pool.acquire('ws://bench.invalid/x')
      lease.on('message', (d: string) => {
        sink += d.length
      })
      const fake = await opened(() => FakeWebSocket.instances[0])
      return {
        fake,
        send: (d) => lease.send(d),
        close: async () => {
          lease.release()
          await pool.close()
        },
      }
    }
  } else notes.push(`wspool not measured: ${why}`)

  const blocks = ctx.quick ? 6 : 20
  const per = Math.ceil(N / blocks)
  const contenders: BlockContender<Subject>[] = Object.entries(makers).map(([name, make]) => ({
    name,
    setup: () => make(),
    async block(sub, b) {
      const n = b < 0 ? 20_000 : per
      const { fake, send } = sub
      const sent0 = fake.sent
      let t0 = now()
      let i = 0
      for (; i < n; i++) {
        fake.emitMessage(payload)
        if ((i & 4095) === 0 && now() - t0 > budgetMs) break
      }
      const recvMs = now() - t0
      t0 = now()
      let j = 0
      for (; j < n; j++) {
        send(payload)
        if ((j & 4095) === 0 && now() - t0 > budgetMs) break
      }
      const sendMs = now() - t0
      if (fake.sent - sent0 < j) throw new Error(`only ${fake.sent - sent0}/${j} sends reached the socket`)
      return { sums: { recvMs, recvN: i, sendMs, sendN: j } }
    },
    teardown: (sub) => sub.close(),
  }))

  const r = await blockInterleave(contenders, ctx.trials, blocks, (sm) => ({
    recv: (sm.recvMs * 1e6) / sm.recvN,
    send: (sm.sendMs * 1e6) / sm.sendN,
  }))
  notes.push(...r.errors)
  const base = 'raw (no wrapper)'
  const metrics = [
    metric(1, 'receive cost', 'ns/msg', 'lower', r.values.recv, { baseline: base, compare: 'delta' }),
    metric(1, 'send cost', 'ns/msg', 'lower', r.values.send, { baseline: base, compare: 'delta' }),
  ]
  const goals = []
  const w = (m: string) => r.values[m]?.wspool
  const b = (m: string) => r.values[m]?.[base]
  if (mod && w('recv') && b('recv')) {
    const dr = paired(w('recv')!, b('recv')!, 'delta')
    const ds = paired(w('send')!, b('send')!, 'delta')
    goals.push({ bench: 1, goal: 'receive <= +25 ns/msg over raw', measured: `${fmtSpread(dr, 1, true)} ns`, met: median(dr) <= 25 })
    goals.push({ bench: 1, goal: 'send <= +25 ns/msg over raw', measured: `${fmtSpread(ds, 1, true)} ns`, met: median(ds) <= 25 })
  } else {
    goals.push({ bench: 1, goal: 'receive and send each <= +25 ns/msg over raw', measured: 'not measured', met: null })
  }
  if (sink === -1) console.log(sink)
  return { bench: 1, title: 'library-only cost per message (fake socket)', metrics, goals, notes }
}
