/**
 * Browser signals, attached lazily and only in browsers: nothing is read at import time.
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
