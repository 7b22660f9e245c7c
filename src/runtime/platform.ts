/**
 * Build-time facts about the runtime. The browser build defines `__BROWSER__` as `true`, so the
 * Node-only paths (`ws`'s own API, `Buffer`) fold away from what browsers download; everywhere
 * else (Node, tests, other bundlers of the Node build) it is undefined and those paths stay.
 */
declare const __BROWSER__: boolean | undefined

/** Whether this is the browser build. */
export const BROWSER: boolean = typeof __BROWSER__ !== 'undefined' && __BROWSER__
