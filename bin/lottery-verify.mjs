#!/usr/bin/env node
// bin/lottery-verify.mjs — `npx lottery-verify …`: the draw verifier (draw/verify-cli.ts)
// without a build step. tsx's loader is registered in this process, then the CLI runs
// with the same arguments (process.argv[2..] are the user's).
import { register } from 'tsx/esm/api';

register();
await import(new URL('../draw/verify-cli.ts', import.meta.url).href);
