// Summarise a V8 .cpuprofile (from `npm run bench -- --cpu-prof`, written to bench/profiles/):
// self time per function, with file and line, optionally only for files matching a filter.
//   npx tsx bench/profile-summary.ts bench/profiles/bench3-*.cpuprofile [--filter dist/] [--top 25]
import { readFileSync } from 'node:fs'

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }
  hitCount?: number
  children?: number[]
}
interface Profile {
  nodes: Node[]
  startTime: number
  endTime: number
  samples?: number[]
  timeDeltas?: number[]
}

const args = process.argv.slice(2)
const opt = (k: string) => {
  const i = args.indexOf(k)
  return i >= 0 ? args.splice(i, 2)[1] : undefined
}
const filter = opt('--filter')
const top = Number(opt('--top') ?? 30)

for (const file of args) {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  // self time from samples + timeDeltas (more exact than hitCount)
  const self = new Map<number, number>()
  if (p.samples && p.timeDeltas) {
    for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0))
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0) || 1
  const agg = new Map<string, number>()
  for (const [id, us] of self) {
    const n = byId.get(id)!
    const f = n.callFrame
    const short = f.url.replace(/^file:\/\/.*?\/(node_modules|dist|bench|src)\//, '$1/')
    const key = `${f.functionName || '(anonymous)'}  ${short}:${f.lineNumber + 1}`
    agg.set(key, (agg.get(key) ?? 0) + us)
  }
  const rows = [...agg].filter(([k]) => !filter || k.includes(filter)).sort((a, b) => b[1] - a[1]).slice(0, top)
  const inFilter = filter ? [...agg].filter(([k]) => k.includes(filter)).reduce((a, [, v]) => a + v, 0) : total
  console.log(`\n${file}: ${(total / 1000).toFixed(0)} ms sampled${filter ? `, ${((100 * inFilter) / total).toFixed(1)}% in "${filter}"` : ''}`)
  for (const [k, us] of rows) console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(1).padStart(8)} ms  ${k}`)
}
