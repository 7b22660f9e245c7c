/**
 * Browser signals and error reporting: read lazily, never at import time.
 */

type Target = { addEventListener(t: string, fn: () => void): void; removeEventListener(t: string, fn: () => void): void }
type Listener = (event?: { persisted?: boolean; type?: string }) => void
type Global = Partial<Target> & { ononline?: unknown; onpagehide?: unknown; document?: Partial<Target> & { visibilityState?: string } }

const noop = (): void => {}

/** Adds `on`'s listeners to `target` (when it is an event target); returns what removes them. */
function listen(target: Partial<Target> | undefined, on: Record<string, Listener>): () => void {
  if (!target || typeof target.addEventListener !== 'function') return noop
  const t = target as Target
  for (const type in on) t.addEventListener(type, on[type] as () => void)
  return () => {
    for (const type in on) t.removeEventListener(type, on[type] as () => void)
  }
}

/** The window where it has the `on<event>` property that marks a browser page, else undefined. */
const page = (marker: 'ononline' | 'onpagehide'): Global | undefined => {
  const g = globalThis as unknown as Global
  return marker in g ? g : undefined
}

/**
 * Calls `fn` when the browser goes back online (a good moment to retry at once instead of waiting
 * out a backoff delay). Returns the detach function; a no-op outside browsers.
 */
export function onOnline(fn: () => void): () => void {
  return listen(page('ononline'), { online: fn })
}

/**
 * Calls `fn` when the page becomes visible again (`visibilitychange` to `visible`). Returns the
 * detach function; a no-op outside browsers.
 */
export function onVisible(fn: () => void): () => void {
  const doc = (globalThis as unknown as Global).document
  return listen(doc, { visibilitychange: () => void (doc?.visibilityState === 'visible' && fn()) })
}

/**
 * Calls `fn(true)` when the page goes into the back/forward cache (`pagehide`, persisted) and
 * `fn(false)` when it comes back from it (`pageshow`, persisted). Returns the detach function; a
 * no-op outside browsers.
 */
export function onPageCache(fn: (hidden: boolean) => void): () => void {
  return listen(page('onpagehide'), {
    pagehide: (e) => void (e?.persisted === true && fn(true)),
    pageshow: (e) => void (e?.persisted === true && fn(false)),
  })
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
  const win = page('onpagehide')
  if (!win) return noop
  const away = (): void => fn('away')
  const back = (): void => fn('back')
  const offWindow = listen(win, { pagehide: away, pageshow: (e) => void (e?.persisted === true && back()) })
  const offDocument = listen(win.document, { freeze: away, resume: back })
  return () => {
    offWindow()
    offDocument()
  }
}
