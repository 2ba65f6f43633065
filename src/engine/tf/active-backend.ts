// The backend this thread trains and evaluates on: initialised once per preference, remembered for backend:info.
import type { BackendInfo } from '../../shared/ipc-contract';
import type { BackendPreference } from '../backends/backend-descriptor';
import { startBackend } from '../backends/select-backend';
import * as tf from './tfjs';

let current: BackendInfo | null = null;
let pending: Promise<BackendInfo> | null = null;
let pendingPref: BackendPreference | null = null;

/**
 * Initialise the backend `pref` asks for and remember it. A repeated call with the same preference reuses the first
 * initialisation while that backend is still the active one (a test or tool that switched backends directly in between
 * gets a fresh initialisation).
 */
export async function ensureBackend(pref: BackendPreference): Promise<BackendInfo> {
  const stale = current !== null && tf.engine().backendName !== current.name;
  if (!pending || pendingPref !== pref || stale) {
    pendingPref = pref;
    pending = startBackend(pref).then((b) => (current = b));
  }
  return pending;
}

/**
 * The backend evaluation runs on: the one already active in this thread if any (training, a test, or an earlier
 * evaluation chose it), else 'auto', initialised once.
 */
export async function ensureAnyBackend(): Promise<void> {
  if (tf.engine().backendName) return;
  await ensureBackend('auto');
}

/** The backend initialised through ensureBackend in this thread (null before the first). */
export function currentBackend(): BackendInfo | null {
  return current;
}
