/**
 * Timing logic driven by an injected clock (runtime/clock.ts `ClockSource`): time, randomness and
 * timers are parameters, so pure timing rules are tested without waiting (STYLE principle 4).
 * Covers the stop guard of `Timers`, the deadline lists, and the heartbeat's cadence and verdict.
 * (The heartbeat against a real socket is in test/integration/heartbeat.test.ts.)
 */
import { describe, expect, it } from 'vitest'
import type { WebSocketLike } from '../../src/core/socket.js'
import { Timers, type ClockSource, type TimerHandle } from '../../src/runtime/clock.js'
import { Deadlines, type Expiring } from '../../src/pool/deadlines.js'
import { Heartbeat } from '../../src/pool/heartbeat.js'

/** A manual clock: `advance(ms)` moves time and fires what is due, in order. */
function fakeClock(seed = 0.5): ClockSource & { advance(ms: number): void; jump(ms: number): void; pending(): number } {
  let t = 0
  let next = 1
  const timers = new Map<number, { at: number; fn: () => void }>()
  return {
    now: () => t,
    random: () => seed,
    setTimeout(fn, ms) {
      const id = next++
      timers.set(id, { at: t + ms, fn })
      return id as unknown as TimerHandle
    },
    clearTimeout(h) {
      timers.delete(h as unknown as number)
    },
    advance(ms) {
      const end = t + ms
      for (;;) {
        const due = [...timers.entries()].filter(([, v]) => v.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0]
        if (!due) break
        timers.delete(due[0])
        t = Math.max(t, due[1].at)
        due[1].fn()
      }
      t = end
    },
    /** Time passes and no timer fires (a hidden page's throttled timers). */
    jump(ms) {
      t += ms
    },
    pending: () => timers.size,
  }
}

function entry(name: string, log: string[]): Expiring & { name: string } {
  return { name, at: 0, dPrev: null, dNext: null, dList: null, expire: () => log.push(name) }
}

describe('Timers with an injected clock', () => {
  it('uses the injected time, randomness and timers, and runs every callback through `run`', () => {
    const clock = fakeClock(0.25)
    const ran: string[] = []
    const timers = new Timers(clock, (fn) => {
      ran.push('batch')
      fn()
    })
    expect(timers.now()).toBe(0)
    expect(timers.random()).toBe(0.25)
    timers.set(() => ran.push('fired'), 10)
    clock.advance(9)
    expect(ran).toEqual([])
    clock.advance(1)
    expect(ran).toEqual(['batch', 'fired'])
    expect(timers.now()).toBe(10)
  })

  it('after clear(true) nothing is pending and nothing new is scheduled', () => {
    const clock = fakeClock()
    const timers = new Timers(clock)
    let fired = 0
    timers.set(() => fired++, 5)
    timers.clear(true)
    expect(clock.pending()).toBe(0)
    expect(timers.set(() => fired++, 5)).toBeUndefined()
    clock.advance(100)
    expect(fired).toBe(0)
    expect(timers.size).toBe(0)
  })
})

describe('Deadlines with an injected clock', () => {
  it('expires entries of one timeout in arrival order with one timer for the list', () => {
    const clock = fakeClock()
    const timers = new Timers(clock)
    const d = new Deadlines(timers)
    const log: string[] = []
    d.add(entry('a', log), 100, 0)
    clock.advance(30)
    d.add(entry('b', log), 100, 30)
    d.add(entry('c', log), 100, 30)
    expect(clock.pending()).toBe(1)
    clock.advance(70) // t = 100
    expect(log).toEqual(['a'])
    clock.advance(30) // t = 130
    expect(log).toEqual(['a', 'b', 'c'])
    expect(clock.pending()).toBe(0)
  })

  it('a removed entry never expires, and removing the head does not fire early', () => {
    const clock = fakeClock()
    const d = new Deadlines(new Timers(clock))
    const log: string[] = []
    const a = entry('a', log)
    d.add(a, 50, 0)
    d.add(entry('b', log), 50, 10)
    d.remove(a)
    clock.advance(50)
    expect(log).toEqual([])
    clock.advance(10)
    expect(log).toEqual(['b'])
  })

  it('different timeouts keep separate lists, each expiring at its own time', () => {
    const clock = fakeClock()
    const d = new Deadlines(new Timers(clock))
    const log: string[] = []
    d.add(entry('slow', log), 200, 0)
    d.add(entry('fast', log), 50, 0)
    expect(clock.pending()).toBe(2)
    clock.advance(50)
    expect(log).toEqual(['fast'])
    clock.advance(150)
    expect(log).toEqual(['fast', 'slow'])
  })
})

/** A socket that records what the heartbeat sends. */
function probeSocket(): WebSocketLike & { sent: unknown[] } {
  return {
    readyState: 1, protocol: '', bufferedAmount: 0, binaryType: 'arraybuffer',
    onopen: null, onmessage: null, onerror: null, onclose: null,
    sent: [] as unknown[],
    send(data: unknown) { this.sent.push(data) },
    close() {},
  }
}

describe('Heartbeat with an injected clock', () => {
  const policy = { interval: 100, timeout: 40, message: 'ping', isPong: undefined }

  it('probes after interval ms of silence (checked every half interval), at most 1.5 x interval', () => {
    const clock = fakeClock()
    const socket = probeSocket()
    const hb = new Heartbeat(policy, new Timers(clock), socket, () => {})
    clock.advance(99)
    expect(socket.sent).toEqual([])
    clock.advance(1)
    expect(socket.sent).toEqual(['ping'])
    hb.stop()
  })

  it('traffic counts as life: no probe while messages arrive', () => {
    const clock = fakeClock()
    const socket = probeSocket()
    const hb = new Heartbeat(policy, new Timers(clock), socket, () => {})
    for (let i = 0; i < 20; i++) {
      clock.advance(25)
      hb.seen()
    }
    expect(socket.sent).toEqual([])
    hb.stop()
  })

  it('declares the socket dead when nothing at all arrives within timeout ms of a probe', () => {
    const clock = fakeClock()
    let dead = 0
    const hb = new Heartbeat(policy, new Timers(clock), probeSocket(), () => dead++)
    clock.advance(100) // probe
    clock.advance(39)
    expect(dead).toBe(0)
    clock.advance(1)
    expect(dead).toBe(1)
    hb.stop()
  })

  it('an answered probe restarts the silence count from the answer', () => {
    const clock = fakeClock()
    const socket = probeSocket()
    let dead = 0
    const hb = new Heartbeat(policy, new Timers(clock), socket, () => dead++)
    clock.advance(100) // probe 1
    clock.advance(10)
    hb.seen() // answered (noticed at the next check, t = 140)
    clock.advance(129) // t = 239: silent since 140, not yet an interval
    expect(socket.sent.length).toBe(1)
    clock.advance(1) // t = 240: probe 2, an interval after the check that saw the answer
    expect(socket.sent.length).toBe(2)
    expect(dead).toBe(0)
    hb.stop()
  })

  it('wake (the page became visible): a socket silent for longer than interval while its timers were held back is probed at once', () => {
    const clock = fakeClock()
    const socket = probeSocket()
    const hb = new Heartbeat(policy, new Timers(clock), socket, () => {})
    clock.advance(20)
    clock.jump(200) // hidden: 200 ms pass, no timer fires
    expect(socket.sent).toEqual([])
    hb.wake()
    expect(socket.sent).toEqual(['ping'])
    hb.wake() // a probe is out: nothing more
    expect(socket.sent).toEqual(['ping'])
    hb.stop()
  })

  it('wake: no probe for a socket silent for less than interval, or that heard something since the last check', () => {
    const clock = fakeClock()
    const socket = probeSocket()
    const hb = new Heartbeat(policy, new Timers(clock), socket, () => {})
    clock.advance(20)
    clock.jump(30) // 50 ms of silence < 100
    hb.wake()
    expect(socket.sent).toEqual([])
    clock.jump(200)
    hb.seen()
    hb.wake()
    expect(socket.sent).toEqual([])
    hb.stop()
  })

  it('a timer that fires late (a throttled page) never hastens a verdict: only the delays it was armed with count', () => {
    const clock = fakeClock()
    let dead = 0
    const timers = new Timers(clock)
    const hb = new Heartbeat(policy, timers, probeSocket(), () => dead++)
    // One big jump: every timer fires late, in order; the probe goes out, then the timeout counts
    // armed delays (40 ms in steps), not the 10 s that passed.
    clock.advance(10_000)
    expect(dead).toBe(1)
    hb.stop()
  })
})
