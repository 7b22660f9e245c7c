// Diagnostic for benchmark 7: which objects make up the heap of an open connection.
// Takes V8 heap snapshots before and after opening N connections (raw `ws`, or wspool leases)
// and prints the per-connection difference by constructor / closure name.
//   node --expose-gc --import tsx bench/heap-breakdown.ts [wspool|raw] [N]
import { getHeapSnapshot } from 'node:v8'
import WebSocket from 'ws'
import { heapUsed, loadWspool, until } from './lib/harness.js'
import { startEchoServer } from './lib/server-handle.js'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

async function snapshot(): Promise<Map<string, { count: number; bytes: number }>> {
  await heapUsed()
  const chunks: Buffer[] = []
  for await (const c of getHeapSnapshot()) chunks.push(c as Buffer)
  const snap = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  const f: string[] = snap.snapshot.meta.node_fields
  const types: string[] = snap.snapshot.meta.node_types[0]
  const iType = f.indexOf('type')
  const iName = f.indexOf('name')
  const iSize = f.indexOf('self_size')
  const n = f.length
  const out = new Map<string, { count: number; bytes: number }>()
  const nodes: number[] = snap.nodes
  for (let i = 0; i < nodes.length; i += n) {
    const type = types[nodes[i + iType]]
    const name = `${type}:${snap.strings[nodes[i + iName]]}`.slice(0, 80)
    const e = out.get(name) ?? { count: 0, bytes: 0 }
    e.count++
    e.bytes += nodes[i + iSize]
    out.set(name, e)
  }
  return out
}

async function main(): Promise<void> {
  const which = process.argv[2] ?? 'wspool'
  const N = Number(process.argv[3] ?? 500)
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
  const server = await startEchoServer()
  const url = `${server.url}/echo`
  try {
    const { mod, why } = await loadWspool(root)
    if (which === 'wspool' && !mod) throw new Error(why)
    // load everything that will be used before the first snapshot
    const before = await snapshot()
    let keep: unknown[] = []
    let cleanup = async () => {}
    if (which === 'raw') {
      const sockets = Array.from({ length: N }, () => new WebSocket(url))
      let open = 0
      for (const s of sockets) s.once('open', () => open++)
      await until(() => open === N, 30000)
      keep = sockets
      cleanup = async () => sockets.forEach((s) => s.terminate())
    } else {
      const pool = mod!.createPool({ maxPerHost: N })
      keep = await Promise.all(Array.from({ length: N }, () => pool.acquire(url)))
      cleanup = () => pool.close()
    }
    const after = await snapshot()
    const rows = [...after]
      .map(([k, v]) => {
        const b = before.get(k) ?? { count: 0, bytes: 0 }
        return { k, count: (v.count - b.count) / N, bytes: (v.bytes - b.bytes) / N }
      })
      .filter((r) => Math.abs(r.bytes) >= 8)
      .sort((a, b) => b.bytes - a.bytes)
    const total = rows.reduce((a, r) => a + r.bytes, 0)
    console.log(`${which}: ${N} open connections, ${(total / 1024).toFixed(2)} KiB per connection (snapshot self sizes)`)
    for (const r of rows.slice(0, 30)) console.log(`${r.bytes.toFixed(0).padStart(6)} B  ${r.count.toFixed(2).padStart(6)} objs  ${r.k}`)
    void keep.length
    await cleanup()
  } finally {
    await server.stop()
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err)
    process.exit(1)
  },
)
