// web/player/session.ts — the logged-in player, shared by every page of the player app.
// The token lives in localStorage so that a second tab is logged in too; logout ends it
// on the server and in every tab (the storage event).
import { signal } from '@preact/signals';
import { api, ApiError } from '../lib/api.ts';

export interface Profile {
  playerId: string;
  email: string;
  dateOfBirth: string;
  country: string;
  region: string | null;
  status: string;
  identityStatus: string;
  createdAt: string;
  balanceMinor: number;
  currency: string;
}

const KEY = 'lottery.session';

export const token = signal<string | null>(localStorage.getItem(KEY));
export const profile = signal<Profile | null>(null);

addEventListener('storage', (event) => {
  if (event.key !== KEY) return;
  token.value = event.newValue;
  if (!event.newValue) profile.value = null;
  else void refreshProfile();
});

export function setSession(newToken: string | null) {
  token.value = newToken;
  if (newToken) localStorage.setItem(KEY, newToken);
  else localStorage.removeItem(KEY);
  if (!newToken) profile.value = null;
}

/** Reloads the profile and balance; a session the server no longer knows logs the page out. */
export async function refreshProfile(): Promise<Profile | null> {
  if (!token.value) return null;
  try {
    profile.value = await api<Profile>('GET', '/api/me', { token: token.value });
    return profile.value;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) setSession(null);
    throw error;
  }
}

export async function logout() {
  const current = token.value;
  setSession(null);
  if (current) await api('POST', '/api/auth/logout', { token: current }).catch(() => undefined);
}

/** An authenticated call with the current session. */
export function authed<T = any>(method: 'GET' | 'POST', path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
  return api<T>(method, path, { token: token.value, body, headers }).catch((error) => {
    if (error instanceof ApiError && error.status === 401) setSession(null);
    throw error;
  });
}
