// The engine's and the workflow's values (snake_case words in the data) as the window
// says them in a language; a value the catalog does not know shows as it is.
import { t, type Key, type Lang } from "./i18n";
import { en } from "./i18n/en";

function known(key: string): key is Key {
  return key in en;
}

/** The message for `${prefix}.${value}` when the catalog has it, else the value itself. */
export function word(prefix: string, value: string | null | undefined, lang: Lang): string {
  if (value === null || value === undefined) return "—";
  const key = `${prefix}.${value}`;
  return known(key) ? t(key, undefined, lang) : value;
}

/** What a coded finding (a rule's reason, a condition, a blocker, a flag) says: the
 * engine's own sentence in English, which carries the case's figures; in Uzbek and Russian
 * the catalog's sentence for the code (the engine's stays in the tooltip, see `detail`). */
export function explain(code: string, message: string, lang: Lang): string {
  if (lang === "en") return message;
  const key = `code.${code}`;
  return known(key) ? t(key, undefined, lang) : message;
}

/** The engine's sentence as a tooltip where `explain` shows the catalog's. */
export function detail(message: string, lang: Lang): string | undefined {
  return lang === "en" ? undefined : message;
}
