/** Injected by `demo/serve.ts` through Vite's `define`: the two test servers (two origins). */
declare const __DEMO_SERVERS__: { name: string; url: string; httpUrl: string }[]
