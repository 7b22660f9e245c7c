/**
 * Types for `import ... from 'wspool'` in the demo. At run time Vite aliases `wspool` to the
 * built `dist/browser.js` (see vite.config.ts); the types come from the sources so that
 * `npm run typecheck` works before the first build.
 */
declare module 'wspool' {
  type Wspool = typeof import('../src/index.js')
  export const createPool: Wspool['createPool']
  export type HostStats = import('../src/index.js').HostStats
  export type PoolStats = import('../src/index.js').PoolStats
}
