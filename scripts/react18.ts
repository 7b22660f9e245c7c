// `npm run test:react18` step 1: React 18 for the second run of the React tests. The project's
// own React is 19 (package.json); 18 cannot sit beside it in node_modules (react-dom@18's peer
// is react@^18, and npm resolves peers by name), so it goes into its own folder, outside the
// lockfile, installed once from the npm registry. vitest.config.ts's `browser-react18` project
// aliases `react` and `react-dom` to it.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const REACT18 = { react: '18.3.1', 'react-dom': '18.3.1' } as const
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const react18Dir = path.join(root, 'node_modules', '.cache', 'react18')

const installed = (name: string): string | undefined => {
  const file = path.join(react18Dir, 'node_modules', name, 'package.json')
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : undefined
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  if (Object.entries(REACT18).every(([name, version]) => installed(name) === version)) {
    console.log(`react18: React ${REACT18.react} already in ${path.relative(root, react18Dir)}`)
  } else {
    mkdirSync(react18Dir, { recursive: true })
    writeFileSync(path.join(react18Dir, 'package.json'), JSON.stringify({ private: true, dependencies: REACT18 }, null, 2))
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--ignore-scripts'], { cwd: react18Dir, stdio: 'inherit' })
    console.log(`react18: installed React ${installed('react')}, react-dom ${installed('react-dom')} in ${path.relative(root, react18Dir)}`)
  }
}
