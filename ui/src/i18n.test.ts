import { describe, expect, it } from "vitest";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { Language, useWords, wordsFor } from "./language";
import { age, count, date, duration, LANGS, money, percent, sum, t, type Lang } from "./i18n";
import { en, type Key, type Msg } from "./i18n/en";
import { ru } from "./i18n/ru";
import { uz } from "./i18n/uz";

const CATALOGS: Record<Lang, Record<Key, Msg>> = { uz, ru, en };

function forms(m: Msg): string[] {
  return typeof m === "string" ? [m] : Object.values(m).filter((x): x is string => typeof x === "string");
}
function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((x) => x[1]).sort();
}

describe("catalogs", () => {
  it("translate every key, with the same placeholders, into every language", () => {
    for (const lang of LANGS) {
      for (const key of Object.keys(en) as Key[]) {
        const msg = CATALOGS[lang][key];
        expect(msg, `${lang} ${key}`).toBeDefined();
        for (const text of forms(msg)) {
          expect(text.trim(), `${lang} ${key}`).not.toBe("");
          expect(placeholders(text), `${lang} ${key}`).toEqual(placeholders(forms(en[key])[0]));
        }
      }
    }
  });
  it("give every plural message the forms CLDR defines for the language", () => {
    for (const lang of LANGS) {
      const needed = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
      for (const key of Object.keys(en) as Key[]) {
        const msg = CATALOGS[lang][key];
        if (typeof msg === "string") continue;
        for (const c of needed) expect(msg[c as keyof typeof msg] ?? (c === "other" ? undefined : msg.other), `${lang} ${key} ${c}`).toBeDefined();
        expect(msg.other, `${lang} ${key}`).toBeDefined();
      }
    }
  });
  it("write Uzbek with the modifier letter ʻ (U+02BB), never an apostrophe", () => {
    for (const [key, msg] of Object.entries(uz)) {
      for (const text of forms(msg)) expect(text, key).not.toMatch(/[oOgG]['’‘`]/);
    }
  });
});

describe("plurals", () => {
  it("follow CLDR: Russian one / few / many", () => {
    expect(t("queue.total", { n: 1 }, "ru")).toBe("1 заявка");
    expect(t("queue.total", { n: 3 }, "ru")).toBe("3 заявки");
    expect(t("queue.total", { n: 5 }, "ru")).toBe("5 заявок");
    expect(t("queue.total", { n: 21 }, "ru")).toBe("21 заявка");
    expect(t("queue.total", { n: 12 }, "ru")).toBe("12 заявок");
    expect(t("queue.total", { n: 1 }, "en")).toBe("1 case");
    expect(t("queue.total", { n: 16 }, "en")).toBe("16 cases");
    expect(t("queue.total", { n: 16 }, "uz")).toBe("16 ta ariza");
  });
  it("group large counts per language", () => {
    expect(t("queue.total", { n: 100000 }, "ru")).toBe("100\u00a0000 заявок");
    expect(count(100000, "en")).toBe("100,000");
  });
});

describe("money, percentages and dates per language", () => {
  it("regroups the decimal text without touching its digits", () => {
    expect(money("1234567.89", "uz")).toBe("1\u00a0234\u00a0567,89");
    expect(sum("1234567.89", "uz")).toBe("1\u00a0234\u00a0567,89 soʻm");
    expect(sum("1234567.89", "ru")).toBe("1\u00a0234\u00a0567,89 сум");
    expect(money("1234567.89", "en")).toBe("1,234,567.89");
    expect(money("-999.5", "en")).toBe("-999.5");
    expect(money("abc", "ru")).toBe("abc");
    expect(money(null, "uz")).toBe("—");
    // More digits than a float holds, kept exactly.
    expect(money("123456789012345678.01", "en")).toBe("123,456,789,012,345,678.01");
  });
  it("writes percentages and dates as each language does", () => {
    expect(percent("57.31", "ru")).toBe("57,31 %");
    expect(percent("57.31", "en")).toBe("57.31 %");
    expect(date("2026-11-23", "uz")).toBe("23.11.2026");
    expect(date("2026-11-23", "ru")).toBe("23.11.2026");
    expect(date("2026-11-23", "en")).toBe("23 Nov 2026");
    expect(date("not a date", "en")).toBe("not a date");
  });
  it("reads durations and ages in the language's units", () => {
    const now = new Date("2026-11-23T12:00:00Z");
    expect(age("2026-11-23T11:15:00Z", now, "en")).toBe("45 min");
    expect(age("2026-11-23T08:55:00Z", now, "en")).toBe("3 h 05 min");
    expect(age("2026-11-21T08:00:00Z", now, "en")).toBe("2 d 4 h");
    expect(age("2026-11-21T08:00:00Z", now, "uz")).toBe("2 kun 4 soat");
    expect(duration(3 * 3600 + 300, "ru")).toBe("3 ч 05 мин");
    expect(age("garbage", now, "en")).toBe("—");
  });
});

describe("the window's source", () => {
  // A guard, not a proof: JSX text and user-facing attributes with letters must come
  // from the catalogs. Codes (P-DTI, VIN, WMI, SHA-256) and file names are exempt.
  const ALLOWED = /^(?:[A-Z0-9-]+|VIN|WMI|SHA-256|uw .*|--demo|\/path\/[\w/.-]+|[«»—·–→›‹▲▼✓✗⚠#:;,.()%×\s]*)$/;
  it("has no untranslated text in a component", () => {
    // Every component's source text, through Vite (no file-system API in the window's types).
    const sources = import.meta.glob<string>(["./*.tsx", "./*/*.tsx"], { query: "?raw", import: "default", eager: true });
    expect(Object.keys(sources).length).toBeGreaterThan(10);
    const found: string[] = [];
    for (const [file, src] of Object.entries(sources)) {
      for (const m of src.matchAll(/>([^<>{}]*[A-Za-zА-я][^<>{}]*)</g)) {
        const text = m[1].trim();
        // Code between generics and arrows is not JSX text.
        if (!text || /[\n;=()&|?]/.test(m[1]) || ALLOWED.test(text)) continue;
        found.push(`${file}: ${text}`);
      }
      for (const m of src.matchAll(/\b(?:placeholder|title|aria-label|alt)="([^"]*[A-Za-z][^"]*)"/g)) {
        if (!ALLOWED.test(m[1])) found.push(`${file}: ${m[0]}`);
      }
    }
    expect(found).toEqual([]);
  });
});

describe("the window's language, as React context", () => {
  // A component reads the language from the nearest `Language` above it; without one, the
  // default (Uzbek). Rendered to markup on the server side: no window needed.
  function Count({ n }: { n: number }) {
    const { t, sum } = useWords();
    return createElement("span", null, `${t("queue.total", { n })} · ${sum("1234.5")}`);
  }
  const markup = (lang: Lang | null) =>
    renderToStaticMarkup(lang ? createElement(Language, { lang, children: createElement(Count, { n: 5 }) }) : createElement(Count, { n: 5 }));
  it("speaks the language given above, and Uzbek where none is", () => {
    expect(markup("ru")).toBe("<span>5 заявок · 1\u00a0234,5 сум</span>");
    expect(markup("en")).toBe("<span>5 cases · 1,234.5 UZS</span>");
    expect(markup(null)).toBe("<span>5 ta ariza · 1\u00a0234,5 soʻm</span>");
  });
  it("gives one object per language, so a consumer re-renders only when it changes", () => {
    expect(wordsFor("ru")).toBe(wordsFor("ru"));
    expect(wordsFor("ru")).not.toBe(wordsFor("uz"));
    expect(wordsFor("uz").explain("AGE_AT_MATURITY", "the engine's words")).not.toBe("the engine's words");
    expect(wordsFor("en").explain("AGE_AT_MATURITY", "the engine's words")).toBe("the engine's words");
  });
});
