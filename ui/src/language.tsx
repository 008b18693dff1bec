// The window's language as React context. The App holds the language in its state and
// provides it here (`Language`); a component reads it with `useWords()`, which gives the
// catalog's functions already bound to it — so a change of language re-renders exactly
// the components that speak, and nothing reads a language from module state.
import { createContext, useContext, type ReactNode } from "react";
import * as i18n from "./i18n";
import type { Key, Lang, Params } from "./i18n";
import { detail, explain, word } from "./words";

/** Everything the window says, in one language. */
export interface Words {
  lang: Lang;
  /** The message `key`, `{name}` filled from `params`; a plural takes its form from `params.n`. */
  t: (key: Key, params?: Params) => string;
  count: (n: number) => string;
  money: (amount: string | null | undefined) => string;
  sum: (amount: string | null | undefined) => string;
  percent: (p: string | null | undefined) => string;
  date: (iso: string | null | undefined) => string;
  dateTime: (at: string | null | undefined) => string;
  duration: (seconds: number) => string;
  age: (receivedAt: string, now?: Date) => string;
  word: (prefix: string, value: string | null | undefined) => string;
  statusText: (s: string | null | undefined) => string;
  decisionText: (d: string | null | undefined) => string;
  explain: (code: string, message: string) => string;
  detail: (message: string) => string | undefined;
}

function bind(lang: Lang): Words {
  return {
    lang,
    t: (key, params) => i18n.t(key, params, lang),
    count: (n) => i18n.count(n, lang),
    money: (a) => i18n.money(a, lang),
    sum: (a) => i18n.sum(a, lang),
    percent: (p) => i18n.percent(p, lang),
    date: (iso) => i18n.date(iso, lang),
    dateTime: (at) => i18n.dateTime(at, lang),
    duration: (s) => i18n.duration(s, lang),
    age: (at, now = new Date()) => i18n.age(at, now, lang),
    word: (prefix, value) => word(prefix, value, lang),
    statusText: (s) => word("status", s, lang),
    decisionText: (d) => word("decision", d, lang),
    explain: (code, message) => explain(code, message, lang),
    detail: (message) => detail(message, lang),
  };
}

// One object per language, made once: the context's value changes only with the language,
// so no consumer re-renders for anything else.
const BOUND = Object.fromEntries(i18n.LANGS.map((l) => [l, bind(l)])) as Record<Lang, Words>;

/** The words of `lang` (for code outside the component tree, such as a test). */
export function wordsFor(lang: Lang): Words {
  return BOUND[lang];
}

const LanguageContext = createContext<Words>(BOUND[i18n.DEFAULT_LANG]);

/** Gives `lang` to every component below. */
export function Language({ lang, children }: { lang: Lang; children: ReactNode }) {
  return <LanguageContext.Provider value={BOUND[lang]}>{children}</LanguageContext.Provider>;
}

/** The language of the window, with the catalog's functions bound to it. */
export function useWords(): Words {
  return useContext(LanguageContext);
}
