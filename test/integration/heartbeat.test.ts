/**
 * Heartbeat (SPEC "Heartbeat", and the `heartbeat` parts of "Stats fields" and `evict`): after
 * `interval` ms of inbound silence a probe goes out; if nothing arrives within `timeout` ms the
 * socket is half-open: it is terminated and, if leased, reconnected. Probe replies matched by
 * `isPong` are not delivered and not counted. (A later issue than the core; tested here against
 * the same server because the library already has it.)
 */
import { describe, expect, it } from 'vitest'
import { delay, eventually, newPool, ofType, recordEvents, startServer } from '../helpers/harness.js'

describe('heartbeat', () => {
  it('a leased half-open connection is detected and reconnected (ws ping frames)', async () => {
    const server = await startServer()
    const pool = newPool({ breaker: false, heartbeat: { interval: 40, timeout: 40 }, reconnect: { initialDelay: 10, jitter: 0 } })
    const events = recordEvents(pool)
    const lease = await pool.acquire(`${server.url}/log?tag=hb`)
    const id = lease.id
    server.setHalfOpen(true) // the server answers nothing: no pong, no echo
    await eventually(() => expect(ofType(events, 'reconnecting').length).toBeGreaterThanOrEqual(1), 3000)
    server.setHalfOpen(false)
    await eventually(() => expect(lease.state).toBe('open'))
    expect(lease.id).toBe(id)
    expect(server.counts().accepted).toBeGreaterThanOrEqual(2)
    lease.send('alive again')
    await eventually(() => expect(server.log('hb')).toContain('alive again'))
  })

  it('a healthy connection answering pings is left alone', async () => {
    const server = await startServer()
    const pool = newPool({ heartbeat: { interval: 30, timeout: 30 } })
    const events = recordEvents(pool)
    const lease = await pool.acquire(`${server.url}/echo`)
    await delay(300)
    expect(lease.state).toBe('open')
    expect(ofType(events, 'reconnecting')).toHaveLength(0)
    expect(server.counts().accepted).toBe(1)
    lease.release()
  })

  it('an idle half-open connection is evicted with reason heartbeat', async () => {
    const server = await startServer()
    const pool = newPool({ heartbeat: { interval: 40, timeout: 40 } })
    const events = recordEvents(pool)
    const lease = await pool.acquire(`${server.url}/echo`)
    lease.release()
    server.setHalfOpen(true)
    await eventually(() => expect(ofType(events, 'evict')).toHaveLength(1), 3000)
    expect(ofType(events, 'evict')[0]).toMatchObject({ origin: server.url, id: lease.id, reason: 'heartbeat' })
    await eventually(() => expect(server.counts().open).toBe(0))
    await eventually(() => expect(pool.stats().hosts[server.url]).toMatchObject({ connections: 0, idle: 0 }))
  })

  it('a text probe with isPong: replies are not delivered to message listeners and not counted', async () => {
    const server = await startServer()
    const seenByIsPong: unknown[] = []
    const pool = newPool({
      heartbeat: {
        interval: 25,
        timeout: 25,
        message: 'hb-ping',
        isPong: (data) => {
          seenByIsPong.push(data)
          return data === 'hb-ping'
        },
      },
    })
    const lease = await pool.acquire(`${server.url}/log?tag=probe`)
    const delivered: unknown[] = []
    lease.on('message', (m) => delivered.push(m))
    lease.send('hello')
    await delay(200)
    // The server saw the probes (it logs text), the holder saw only its own echo.
    expect(server.log('probe').filter((m) => m === 'hb-ping').length).toBeGreaterThanOrEqual(2)
    expect(delivered).toEqual(['hello'])
    expect(seenByIsPong).toContain('hb-ping')
    const host = pool.stats().hosts[server.url]
    expect(host).toMatchObject({ messagesOut: 1, messagesIn: 1, bytesOut: 5, bytesIn: 5 })
    expect(lease.state).toBe('open')
    lease.release()
  })

  it('after an answered probe, the next one goes out after interval ms of silence (timeout > interval)', async () => {
    const server = await startServer()
    const pool = newPool({ heartbeat: { interval: 30, timeout: 400, message: 'tick', isPong: (d) => d === 'tick' } })
    const lease = await pool.acquire(`${server.url}/log?tag=cadence`)
    await delay(250)
    // Probe at ~30 ms, answered at once; silence again from then: the next at ~60 ms, ...
    expect(server.log('cadence').length).toBeGreaterThanOrEqual(3)
    lease.release()
  })

  it('any inbound message counts as a sign of life: steady traffic means no probe at all', async () => {
    const server = await startServer()
    const pool = newPool({ heartbeat: { interval: 60, timeout: 60, message: 'tick', isPong: (d) => d === 'tick' } })
    const events = recordEvents(pool)
    const lease = await pool.acquire(`${server.url}/log?tag=life`)
    for (let i = 0; i < 15; i++) {
      lease.send(`m${i}`) // echoed: inbound traffic every ~20 ms
      await delay(20)
    }
    expect(server.log('life').filter((m) => m === 'tick')).toEqual([])
    expect(ofType(events, 'reconnecting')).toHaveLength(0)
    expect(lease.state).toBe('open')
    lease.release()
  })
})
