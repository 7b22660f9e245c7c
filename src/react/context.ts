/**
 * Which pool the hooks use: the one a {@link PoolProvider} above them gives, else one default
 * pool created on first use in the browser (never during a server render, so a server never
 * keeps a pool that outlives one request, and never at import time).
 */
import { createContext, createElement, useContext, useSyncExternalStore, type Context, type ReactElement, type ReactNode } from 'react'
import { createPool, type PoolOptions, type WebSocketConstructor, type WebSocketPool } from 'wspool'

let poolContext: Context<WebSocketPool | null> | undefined
let defaultPool: WebSocketPool | undefined

// Created on first use rather than at import time: importing `wspool/react` runs nothing.
const context = (): Context<WebSocketPool | null> => (poolContext ??= createContext<WebSocketPool | null>(null))

/**
 * The default pool, created with the default options on first call. Only ever called from code
 * that runs in the client (effects, `subscribe`, client renders), never while server rendering.
 * @internal
 */
export const getDefaultPool = (): WebSocketPool => (defaultPool ??= createPool(lazyWebSocket()))

/**
 * The default pool looks the global `WebSocket` up at each connection rather than once when the
 * pool is created (the core's rule), so a test double that replaces `window.WebSocket` later is
 * used, as react-use-websocket users expect. Where there is no global (Node), the core's choice.
 */
const lazyWebSocket = (): PoolOptions =>
  typeof WebSocket === 'function'
    ? {
        WebSocket: function (url: string, protocols?: string | string[]) {
          return new WebSocket(url, protocols)
        } as unknown as WebSocketConstructor,
      }
    : {}

/** Props of {@link PoolProvider}. */
export interface PoolProviderProps {
  /**
   * The pool every hook below uses. The provider never closes it: the pool belongs to whoever
   * created it (create it once, outside render or in a `useState` initialiser).
   * @default none (required)
   */
  pool: WebSocketPool
  /** @default undefined */
  children?: ReactNode
}

/**
 * Gives `pool` to every `wspool/react` hook below it. Without a provider, hooks share one
 * default pool (`createPool()` with the default options), created on first use in the browser.
 * Safe to render on the server: it opens nothing.
 */
export function PoolProvider({ pool, children }: PoolProviderProps): ReactElement {
  return createElement(context().Provider, { value: pool }, children)
}

/**
 * The pool of the nearest {@link PoolProvider}, or `undefined` for the default pool (resolved
 * with {@link getDefaultPool} only where client code runs).
 * @internal
 */
export const useProvidedPool = (): WebSocketPool | undefined => useContext(context()) ?? undefined

const noSubscribe = () => () => {}
const none = (): null => null

/**
 * The pool the hooks use: the nearest {@link PoolProvider}'s, else the default pool (created on
 * this first use in the browser).
 *
 * `null` only while rendering on the server, or hydrating what the server rendered, without a
 * provider: no default pool is ever created on a server. Effects and event handlers run in the
 * browser and always get a pool; to have one during a server render too, use a
 * {@link PoolProvider}.
 * @default the provider's pool, else the default pool (`null` on the server without a provider)
 */
export function usePool(): WebSocketPool | null {
  const provided = useProvidedPool()
  // The server snapshot is what server renders and hydrating renders see: never a new pool.
  const fallback = useSyncExternalStore(noSubscribe, provided ? none : getDefaultPool, none)
  return provided ?? fallback
}
