// test/support/wait.ts — polling for a condition in tests that watch a live system.

/** Resolves true once `check` holds, or false after `timeoutMs`, checking every `stepMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 2_000, stepMs = 20): Promise<boolean> {
  const start = Date.now();
  for (;;) {
    if (await check()) return true;
    if (Date.now() - start > timeoutMs) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
