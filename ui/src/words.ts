// The engine's and the workflow's values (snake_case words in the data) as the window
// says them in the current language; a value the catalog does not know shows as it is.
import { t, type Key } from "./i18n";
import { en } from "./i18n/en";

function known(key: string): key is Key {
  return key in en;
}

/** The message for `${prefix}.${value}` when the catalog has it, else the value itself. */
export function word(prefix: string, value: string | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const key = `${prefix}.${value}`;
  return known(key) ? t(key) : value;
}

export const statusText = (s: string | null | undefined) => word("status", s);
export const decisionText = (d: string | null | undefined) => word("decision", d);
