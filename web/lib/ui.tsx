// web/lib/ui.tsx — small pieces every client uses: an error notice that says what a code
// means, a busy button, a hash router.
import { useEffect, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { ApiError } from './api.ts';
import { errorMessage } from './errors.ts';

/** Shows an error as people read it, with the code for support (role=alert: read out at once). */
export function ErrorNotice({ error }: { error: unknown }) {
  if (!error) return null;
  const code = error instanceof ApiError ? error.code : (error as any)?.code;
  const detail = error instanceof ApiError ? error.detail : (error as any)?.message;
  const text = error instanceof ApiError ? error.message : errorMessage(code, detail);
  return (
    <div class="notice error" role="alert" data-code={code ?? ''}>
      {text} {code ? <span class="code">({code})</span> : null}
    </div>
  );
}

export function Notice({ kind = 'ok', children }: { kind?: 'ok' | 'warn' | 'error'; children: ComponentChildren }) {
  return (
    <div class={`notice ${kind}`} role="status">
      {children}
    </div>
  );
}

/** Runs an async action with a busy flag and its error kept for display. */
export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (...args: A): Promise<R | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await action(...args);
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { run, busy, error, setError };
}

/** The part of the URL after '#', as a path: '#/wallet' is '/wallet'. */
export function useHashRoute(): string {
  const read = () => (location.hash.replace(/^#/, '') || '/').split('?')[0];
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => {
      setRoute(read());
      // A new page starts at its top, as a link to another page would.
      scrollTo(0, 0);
    };
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** Runs `fn` now and every `ms` while mounted. */
export function useInterval(fn: () => void, ms: number, deps: unknown[] = []) {
  useEffect(() => {
    fn();
    const id = setInterval(fn, ms);
    return () => clearInterval(id);
  }, deps);
}

/** One fact of a description list (a profile's field, a draw's commitment): its term above, its value. */
export function Fact({ term, value, mono }: { term: string; value: string; mono?: boolean }) {
  return (
    <div>
      <dt class="muted" style={{ fontSize: '0.85rem' }}>
        {term}
      </dt>
      <dd class={mono ? 'mono' : ''} style={{ margin: 0, fontWeight: mono ? 400 : 600, overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' }}>
        {value}
      </dd>
    </div>
  );
}
