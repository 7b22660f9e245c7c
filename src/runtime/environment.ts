/**
 * Browser signals and error reporting: read lazily, never at import time.
 */

type Target = { addEventListener(t: string, fn: () => void): void; removeEventListener(t: string, fn: () => void): void }

/**
 * Calls `fn` when the browser goes back online (a good moment to retry at once instead of waiting
 * out a backoff delay). Returns the detach function; a no-op outside browsers.
 */
export function onOnline(fn: () => void): () => void {
  const g = globalThis as unknown as Partial<Target> & { ononline?: unknown }
  if (!('ononline' in g) || typeof g.addEventListener !== 'function') return () => {}
  const target = g as Target
  target.addEventListener('online', fn)
  return () => target.removeEventListener('online', fn)
}

/**
 * Calls `fn` when the page becomes visible again (`visibilitychange` to `visible`). Returns the
 * detach function; a no-op outside browsers.
 */
export function onVisible(fn: () => void): () => void {
  const doc = (globalThis as { document?: Partial<Target> & { visibilityState?: string } }).document
  if (!doc || typeof doc.addEventListener !== 'function') return () => {}
  const target = doc as Target & { visibilityState?: string }
  const listener = (): void => {
    if (target.visibilityState === 'visible') fn()
  }
  target.addEventListener('visibilitychange', listener)
  return () => target.removeEventListener('visibilitychange', listener)
}

/**
 * Calls `fn(true)` when the page goes into the back/forward cache (`pagehide`, persisted) and
 * `fn(false)` when it comes back from it (`pageshow`, persisted). Returns the detach function; a
 * no-op outside browsers.
 */
export function onPageCache(fn: (hidden: boolean) => void): () => void {
  const g = globalThis as unknown as Partial<Target> & { onpagehide?: unknown }
  if (!('onpagehide' in g) || typeof g.addEventListener !== 'function') return () => {}
  const target = g as Target
  const hide = (e?: { persisted?: boolean }): void => void (e?.persisted === true && fn(true))
  const show = (e?: { persisted?: boolean }): void => void (e?.persisted === true && fn(false))
  target.addEventListener('pagehide', hide as () => void)
  target.addEventListener('pageshow', show as () => void)
  return () => {
    target.removeEventListener('pagehide', hide as () => void)
    target.removeEventListener('pageshow', show as () => void)
  }
}

/** Whether the browser says it is offline (`navigator.onLine` false); false outside browsers. */
export function isOffline(): boolean {
  const nav = (globalThis as { navigator?: { onLine?: unknown } }).navigator
  return nav !== undefined && nav.onLine === false
}

/**
 * Reports an error thrown by user code (a listener) that has nowhere else to go: `reportError`
 * where the runtime has it (browsers, Deno, Node 22+), else `console.error`. Never rethrows: a bug
 * in one listener must not take down the process or the pool.
 */
export function reportError(error: unknown): void {
  try {
    const report = (globalThis as { reportError?: (e: unknown) => void }).reportError
    if (typeof report === 'function') report(error)
    else console.error(error)
  } catch {
    // A broken reporter must not break the pool either.
  }
}

/**
 * Calls `fn('away')` when this page stops running for a while or for good (`freeze`, or a
 * `pagehide`), and `fn('back')` when it runs again (`resume`, or a `pageshow` from the
 * back/forward cache). Returns the detach function; a no-op outside browsers.
 */
export function onPageLifecycle(fn: (phase: 'away' | 'back') => void): () => void {
  const g = globalThis as unknown as Partial<Target> & { onpagehide?: unknown; document?: Partial<Target> }
  if (!('onpagehide' in g) || typeof g.addEventListener !== 'function') return () => {}
  const win = g as Target
  const doc = g.document && typeof g.document.addEventListener === 'function' ? (g.document as Target) : undefined
  const away = (): void => fn('away')
  const back = (e?: { persisted?: boolean; type?: string }): void => void ((e?.type !== 'pageshow' || e.persisted === true) && fn('back'))
  win.addEventListener('pagehide', away)
  win.addEventListener('pageshow', back as () => void)
  doc?.addEventListener('freeze', away)
  doc?.addEventListener('resume', back as () => void)
  return () => {
    win.removeEventListener('pagehide', away)
    win.removeEventListener('pageshow', back as () => void)
    doc?.removeEventListener('freeze', away)
    doc?.removeEventListener('resume', back as () => void)
  }
}
