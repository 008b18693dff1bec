// Keyboard use: the shortcuts of the queue and the case screen, listed in the app (press ?).

/** Whether a key press is typing into a field (shortcuts then stay out of the way). */
export function typing(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  if (!t) return false;
  return t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable;
}

export const SHORTCUTS: { where: string; keys: string; what: string }[] = [
  { where: "Queue", keys: "↓ or j", what: "next row" },
  { where: "Queue", keys: "↑ or k", what: "previous row" },
  { where: "Queue", keys: "Page Down / Page Up", what: "a screen down / up" },
  { where: "Queue", keys: "Home / End", what: "first / last case" },
  { where: "Queue", keys: "Enter or o", what: "open the selected case" },
  { where: "Queue", keys: "/", what: "search" },
  { where: "Queue", keys: "Esc", what: "leave the search field" },
  { where: "Case", keys: "n", what: "next case of the queue" },
  { where: "Case", keys: "Esc", what: "back to the queue" },
  { where: "Case", keys: "Ctrl+S", what: "save" },
  { where: "Anywhere", keys: "?", what: "this list" },
];
