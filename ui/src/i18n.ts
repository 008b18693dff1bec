// The window's languages: Uzbek (Latin) by default, Russian and English. Every string the
// window shows comes from the catalogs in ./i18n/ through `t`; the TypeScript types make a
// missing translation a build error. Plurals choose their form with Intl.PluralRules (CLDR
// rules: uz and en one/other, ru one/few/many/other). Money stays a decimal string and is
// only regrouped (never a float: uz, ru "1 234 567,89"; en "1,234,567.89"); dates are
// formatted per language.
//
// Reading: the engine's and the service's detailed messages (a reason's text, an error's
// message) stay in English behind their translated rule titles and codes (`words.ts`). The
// choice of language is the workstation's, for every user, from the next start's login
// screen on; `UW_LANGUAGE` sets the default before any choice (uw-app: `set_language`,
// `paths::default_language`).
//
// Every function here takes the language it speaks: there is no current language in this
// module. The window's language is React state the App holds and gives its components
// through a context (`language.tsx`: `useWords()` binds these functions to it).
import { en, type Key, type Msg } from "./i18n/en";
import { uz } from "./i18n/uz";
import { ru } from "./i18n/ru";

export type { Key } from "./i18n/en";

export type Lang = "uz" | "ru" | "en";
export const LANGS: Lang[] = ["uz", "ru", "en"];
export const DEFAULT_LANG: Lang = "uz";

const CATALOGS: Record<Lang, Record<Key, Msg>> = { uz, ru, en };
/** BCP 47 tags for Intl. */
export const LOCALES: Record<Lang, string> = { uz: "uz-Latn-UZ", ru: "ru-RU", en: "en-GB" };

export function isLang(s: string | null | undefined): s is Lang {
  return s === "uz" || s === "ru" || s === "en";
}

const plurals = new Map<Lang, Intl.PluralRules>();
function pluralRules(lang: Lang): Intl.PluralRules {
  let r = plurals.get(lang);
  if (!r) {
    r = new Intl.PluralRules(LOCALES[lang]);
    plurals.set(lang, r);
  }
  return r;
}

export type Params = Record<string, string | number>;

/** The message `key` in the current language, `{name}` filled from `params`; a plural
 * message takes its form from `params.n`. */
export function t(key: Key, params: Params | undefined, lang: Lang): string {
  const msg = CATALOGS[lang][key] ?? en[key];
  let text: string;
  if (typeof msg === "string") {
    text = msg;
  } else {
    const n = Number(params?.n ?? 0);
    const form = pluralRules(lang).select(n) as keyof typeof msg;
    text = msg[form] ?? msg.other;
  }
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (all, name: string) =>
    name in params ? (name === "n" && typeof params.n === "number" ? count(params.n, lang) : String(params[name])) : all,
  );
}

/** A whole count with the language's grouping ("12 345" in uz and ru, "12,345" in en). */
export function count(n: number, lang: Lang): string {
  return groupDigits(String(Math.trunc(n)), lang);
}

const GROUP: Record<Lang, string> = { uz: "\u00a0", ru: "\u00a0", en: "," };
const DECIMAL: Record<Lang, string> = { uz: ",", ru: ",", en: "." };
const CURRENCY: Record<Lang, string> = { uz: "soʻm", ru: "сум", en: "UZS" };

function groupDigits(int: string, lang: Lang): string {
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, GROUP[lang]);
}

/** "1234567.89" → "1 234 567,89" (uz, ru) or "1,234,567.89" (en); text that is not a
 * decimal is shown as it is. */
export function money(amount: string | null | undefined, lang: Lang): string {
  if (amount === null || amount === undefined || amount === "") return "—";
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  if (!m) return amount;
  const [, sign, int, frac] = m;
  return `${sign}${groupDigits(int, lang)}${frac !== undefined ? DECIMAL[lang] + frac : ""}`;
}

/** Money with the currency: "1 234 567,89 soʻm". */
export function sum(amount: string | null | undefined, lang: Lang): string {
  const m = money(amount, lang);
  return m === "—" ? m : `${m} ${CURRENCY[lang]}`;
}

/** A percentage the engine computed as decimal text ("57.31") in the language's form. */
export function percent(p: string | null | undefined, lang: Lang): string {
  if (p === null || p === undefined) return "—";
  return `${p.replace(".", DECIMAL[lang])} %`;
}

/** A calendar date "2026-11-23" → "23.11.2026" (uz, ru) or "23 Nov 2026" (en). The date
 * is read as written, with no time zone to shift it. */
export function date(iso: string | null | undefined, lang: Lang): string {
  if (!iso) return "—";
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return iso;
  if (lang === "en") {
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    return englishDates().format(d);
  }
  return `${m[3]}.${m[2]}.${m[1]}`;
}

// Made once, when first asked: making an Intl formatter costs as much as formatting many
// dates, and a queue page formats one for every row.
let enDates: Intl.DateTimeFormat | undefined;
function englishDates(): Intl.DateTimeFormat {
  enDates ??= new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
  return enDates;
}

/** A moment (RFC 3339) in local time: "23.11.2026 14:05". */
export function dateTime(at: string | null | undefined, lang: Lang): string {
  if (!at) return t("common.never", undefined, lang);
  const d = new Date(at);
  if (isNaN(d.getTime())) return at;
  const pad = (x: number) => String(x).padStart(2, "0");
  const day = date(`${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`, lang);
  return `${day} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A span of seconds: "45 min", "3 h 05 min", "2 d 4 h" in the language's units. */
export function duration(seconds: number, lang: Lang): string {
  const minutes = Math.max(0, Math.floor(seconds / 60));
  if (minutes < 60) return t("time.minutes", { m: minutes }, lang);
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return t("time.hours", { h: hours, m: String(minutes % 60).padStart(2, "0") }, lang);
  return t("time.days", { d: Math.floor(hours / 24), h: hours % 24 }, lang);
}

/** Age of a case from its RFC 3339 arrival time. */
export function age(receivedAt: string, now: Date, lang: Lang): string {
  const at = Date.parse(receivedAt);
  if (Number.isNaN(at)) return "—";
  return duration((now.getTime() - at) / 1000, lang);
}
