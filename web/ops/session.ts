// web/ops/session.ts — the operator's session in the console. The token lives in
// sessionStorage: it ends with the tab, and a shared computer's next user does not inherit
// it. A 401 from any call returns to the login.
import { signal } from '@preact/signals';
import { api, ApiError } from '../lib/api.ts';

export type Role = 'admin' | 'finance' | 'auditor' | 'support';
export interface Operator {
  name: string;
  role: Role;
}

const KEY = 'lottery.operator';

export const opToken = signal<string | null>(sessionStorage.getItem(KEY));
export const operator = signal<Operator | null>(null);

export function setOperatorSession(token: string | null) {
  opToken.value = token;
  if (token) sessionStorage.setItem(KEY, token);
  else sessionStorage.removeItem(KEY);
  if (!token) operator.value = null;
}

/** A call as the logged-in operator; a session the server no longer knows ends the console's. */
export function opApi<T = any>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  return api<T>(method, path, { token: opToken.value, body }).catch((error) => {
    if (error instanceof ApiError && error.status === 401) setOperatorSession(null);
    throw error;
  });
}

/** Which sections a role may use: the same roles the server's routes allow (app/*Api.ts). */
export const SECTIONS: { path: string; label: string; roles: readonly Role[] }[] = [
  { path: '/', label: 'Overview', roles: ['admin', 'finance', 'auditor', 'support'] },
  { path: '/reviews', label: 'Reviews', roles: ['admin', 'finance'] },
  { path: '/alerts', label: 'Alerts', roles: ['admin', 'support'] },
  { path: '/draws', label: 'Draws', roles: ['admin', 'finance', 'auditor', 'support'] },
  { path: '/reports', label: 'Reports', roles: ['admin', 'finance', 'auditor'] },
];

export function may(path: string): boolean {
  const role = operator.value?.role;
  return !!role && (SECTIONS.find((s) => s.path === path)?.roles.includes(role) ?? false);
}

/** The cluster's live figures and the alert feed: the `operators` room, for these roles. */
export const WATCHING_ROLES: readonly Role[] = ['admin', 'support'];
