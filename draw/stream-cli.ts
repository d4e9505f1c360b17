// draw/stream-cli.ts — raw DRBG output for external randomness batteries (ent, dieharder,
// PractRand, TestU01): exactly N bytes of the stream of key streamKey(seed) on stdout.
//
//   npm run -s draw:stream -- --bytes N [--seed <64 hex>]        (default seed: 32 zero bytes)
//
// Streams in 64 KiB chunks and waits for 'drain' when stdout is full, so N may be far
// larger than memory (10^10 bytes take about 10 minutes at ~17 MB/s). A reader closing
// the pipe early (head, dieharder when it has enough) ends the program quietly. Exit 2 on
// a usage error.
import { once } from 'node:events';
import process from 'node:process';
import { U64_SAFE_MAX } from './bytes.ts';
import { Drbg } from './drbg.ts';
import { streamKey } from './select.ts';

const CHUNK_BYTES = 64 * 1024;
const CHUNKS_PER_YIELD = 16;
const USAGE = 'usage: draw:stream --bytes <N> [--seed <64 hex characters>]   (writes N raw DRBG bytes to stdout)';

function fail(message: string): never {
  process.stderr.write(`draw:stream: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): { bytes: number; seed: Uint8Array } {
  let bytes: number | undefined;
  let seed = new Uint8Array(32);
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) fail(`${flag} needs a value`);
    if (flag === '--bytes') {
      if (!/^[0-9]{1,16}$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) > U64_SAFE_MAX) {
        fail(`--bytes must be a decimal integer from 0 to ${U64_SAFE_MAX}, got ${JSON.stringify(value)}`);
      }
      bytes = Number(value);
    } else if (flag === '--seed') {
      if (!/^[0-9a-f]{64}$/.test(value)) fail('--seed must be 64 lowercase hex characters (32 bytes)');
      seed = Uint8Array.from(value.match(/../g)!, (h) => parseInt(h, 16));
    } else fail(`unknown option ${flag}`);
  }
  if (bytes === undefined) fail('--bytes is required');
  return { bytes, seed };
}

async function main(): Promise<void> {
  const { bytes, seed } = parseArgs(process.argv.slice(2));
  const drbg = new Drbg(streamKey(seed));
  let closed = false;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') {
      process.stderr.write(`draw:stream: ${err.message}\n`);
      process.exitCode = 1;
    }
    closed = true;
  });
  for (let remaining = bytes, chunks = 0; remaining > 0 && !closed; chunks++) {
    const chunk = drbg.nextBytes(Math.min(CHUNK_BYTES, remaining));
    remaining -= chunk.length;
    if (!process.stdout.write(chunk)) {
      try {
        await once(process.stdout, 'drain');
      } catch {
        return; // 'error' while waiting: the handler above has reported it
      }
    } else if (chunks % CHUNKS_PER_YIELD === 0) {
      // Stdout to a file (or a pipe on Linux) may write synchronously and never ask us to
      // wait: yield now and then so an 'error' (the reader went away) is seen promptly.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

await main();
