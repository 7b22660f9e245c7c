/**
 * The SharedWorker of the cross-tab page (`shared.html?transport=worker`): it holds the
 * connections of every tab's `createSharedPool({ name: 'demo', worker })`. The pool's options
 * come from the first tab (they are all plain values here); options that are functions would be
 * given to `serveSharedPool` instead.
 */
import { serveSharedPool } from 'wspool'

serveSharedPool()
