// The first screen's questions, asked as soon as the page's script runs rather than after
// React's first render and its effects: the store's state, then, when the store is open,
// the status, the session and a new store's recovery key, those three at once. The login
// screen waits for nothing else.
import type { AppStatus, NewRecoveryKey, SessionStatus, StoreState } from "./bindings";
import { api } from "./api";

/** What the window needs of an open store before its first screen. */
export interface Opened {
  status: AppStatus;
  auth: SessionStatus;
  /** A store made at this start: its recovery key, to be shown once (asked once). */
  newKey: NewRecoveryKey | null;
}

/** Asks an open store for what the first screen needs; after an unlock too. */
export function opened(): Promise<Opened> {
  return Promise.all([api.status(), api.sessionStatus(), api.newRecoveryKey()]).then(
    ([status, auth, newKey]) => ({ status, auth, newKey }),
  );
}

/** The start's answers: asked once, when this module is first evaluated. */
export const start: Promise<{ store: StoreState; opened: Opened | null }> = api
  .storeState()
  .then(async (store) => ({ store, opened: store.locked ? null : await opened() }));
