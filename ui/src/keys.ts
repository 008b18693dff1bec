// Keyboard use: the shortcuts of the queue and the case screen, listed in the app (press ?).
import type { Key } from "./i18n/en";

/** Whether a key press is typing into a field (shortcuts then stay out of the way). */
export function typing(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  if (!t) return false;
  return t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable;
}

/** Where, which keys, what (message keys; the keys themselves are the same everywhere). */
export const SHORTCUTS: { where: Key; keys: string; what: Key }[] = [
  { where: "keys.queue", keys: "↓ / j", what: "keys.nextRow" },
  { where: "keys.queue", keys: "↑ / k", what: "keys.prevRow" },
  { where: "keys.queue", keys: "PgDn / PgUp", what: "keys.screen" },
  { where: "keys.queue", keys: "Home / End", what: "keys.firstLast" },
  { where: "keys.queue", keys: "Enter / o", what: "keys.open" },
  { where: "keys.queue", keys: "/", what: "keys.search" },
  { where: "keys.queue", keys: "Esc", what: "keys.leaveSearch" },
  { where: "keys.case", keys: "n", what: "keys.nextCase" },
  { where: "keys.case", keys: "Esc", what: "keys.back" },
  { where: "keys.case", keys: "Ctrl+S", what: "keys.save" },
  { where: "keys.anywhere", keys: "?", what: "keys.list" },
];
