/**
 * Vitest globalSetup of the browser project: runs in Node, starts the shared test server on
 * 127.0.0.1:0 and hands its URLs to the tests in Chromium through `provide`/`inject`.
 */
import type { TestProject } from 'vitest/node'
import { startTestServer } from '../server/test-server.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The test server's `ws://127.0.0.1:<port>` and `http://127.0.0.1:<port>`. */
    testServer: { url: string; httpUrl: string; port: number }
    /** The React major the React tests run against (19 from package.json, 18 in the `*-react18` projects). */
    reactMajor: string
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startTestServer()
  project.provide('testServer', { url: server.url, httpUrl: server.httpUrl, port: server.port })
  return () => server.close()
}
