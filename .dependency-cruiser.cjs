// Import rules for src/, checked by `npm run test:deps` (dependency-cruiser).
// The layers are STYLE.md's: core is pure and imports only core; runtime imports only core
// (and `isomorphic-ws`, in the transport); pool composes both; index.ts re-exports; react (the
// `wspool/react` entry) is built on the public API only, imported by the package name.
// Type-only imports count (`tsPreCompilationDeps: true`): a circle of `import type` edges is
// still a circle of modules that cannot be understood, tested or split one at a time.

// Packages are matched anywhere in the resolved path, not only at ^node_modules/: with a
// symlinked or hoisted node_modules the resolved path starts elsewhere.
/** `ws` and its wrapper, with their type packages (type-only imports resolve to @types/). */
const WS = '(^|/)node_modules/(@types/)?(ws|isomorphic-ws)/'

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'This import closes a circle of modules in src/. Break it by inversion, as STYLE.md ' +
        'principle 15 says: the lower module declares a small owner interface and never imports ' +
        'its owner (type-only imports count).',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'core-imports-only-core',
      severity: 'error',
      comment:
        'src/core is pure (no I/O, no timers, no globals) and imports only src/core: no ' +
        'runtime, no pool, no packages, no Node built-ins.',
      from: { path: '^src/core/' },
      to: { pathNot: '^src/core/' },
    },
    {
      name: 'runtime-imports-only-core',
      severity: 'error',
      comment:
        'src/runtime imports only src/core and src/runtime (and isomorphic-ws, in the ' +
        'transport): never src/pool or src/index.ts.',
      from: { path: '^src/runtime/' },
      to: { pathNot: ['^src/(core|runtime)/', '(^|/)node_modules/isomorphic-ws/'] },
    },
    {
      name: 'ws-only-through-transport',
      severity: 'error',
      comment:
        'Only src/runtime/transport.ts may import `ws` or `isomorphic-ws` (the transport ' +
        'seam): everything else takes the WebSocket constructor from it, so the browser build ' +
        'never pulls `ws` in.',
      from: { path: '^src/', pathNot: '^src/runtime/transport\\.ts$' },
      to: { path: WS },
    },
    {
      name: 'react-imports-only-public-api',
      severity: 'error',
      comment:
        'src/react (the wspool/react entry) is an adapter over the public API: it imports only ' +
        'src/react, the package entry src/index.ts (as `wspool`), React and react-dom (`flushSync`, as ' +
        'react-use-websocket uses it); never src/pool, ' +
        'src/core or src/runtime. If it needs something the public API lacks, the core grows a ' +
        'public way to do it first.',
      from: { path: '^src/react/' },
      to: { pathNot: ['^src/react/', '^src/index\\.ts$', '(^|/)node_modules/(@types/)?react(-dom)?/'] },
    },
    {
      name: 'react-imports-core-by-package-name',
      severity: 'error',
      comment:
        "src/react imports the core as `from 'wspool'` (tsconfig.json maps it to src/index.ts), " +
        'never by a relative path: tsup keeps `wspool` external, so dist/react.js shares the ' +
        "app's one core; a relative import would bundle a second copy of the core into it.",
      from: { path: '^src/react/' },
      to: { path: '^src/index\\.ts$', dependencyTypesNot: ['aliased-tsconfig-paths'] },
    },
    {
      name: 'core-never-imports-react',
      severity: 'error',
      comment:
        'Nothing outside src/react imports it: the core entry must not grow because of React.',
      from: { pathNot: '^src/react/' },
      to: { path: '^src/react/' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment:
        'This import does not resolve. An unresolved import is an edge the other rules cannot ' +
        'see, so it fails here rather than letting a circle or a layer breach pass unnoticed.',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment:
        'This module in src/ imports nothing and nothing imports it: dead code. Use it or ' +
        'remove it. (src/runtime/native-websocket.ts is exempt: the browser build reaches it ' +
        'through the `isomorphic-ws` alias in tsup.config.ts, which no import shows.)',
      from: {
        orphan: true,
        path: '^src/',
        pathNot: ['\\.d\\.(c|m)?ts$', '^src/runtime/native-websocket\\.ts$'],
      },
      to: {},
    },
  ],
  options: {
    // type-only imports are dependencies too (see the top of this file)
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
    progress: { type: 'none' },
  },
}
