// Display formatting. Money stays a decimal string end to end: it is never turned into a
// float, only regrouped for reading.

/** "135000000.00" → "135 000 000.00" (narrow no-break spaces between groups). */
export function money(amount: string | null | undefined): string {
  if (amount === null || amount === undefined || amount === "") return "—";
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  if (!m) return amount;
  const [, sign, int, frac] = m;
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");
  return `${sign}${grouped}${frac !== undefined ? "." + frac : ""}`;
}

export function percent(p: string | null | undefined): string {
  return p === null || p === undefined ? "—" : `${p} %`;
}

/** Age of a case from its RFC 3339 arrival time: "45 min", "3 h 05 min", "2 d 4 h". */
export function age(receivedAt: string, now: Date = new Date()): string {
  const t = Date.parse(receivedAt);
  if (Number.isNaN(t)) return "—";
  return duration((now.getTime() - t) / 1000);
}

/** A span of seconds: "45 min", "3 h 05 min", "2 d 4 h". */
export function duration(seconds: number): string {
  const minutes = Math.max(0, Math.floor(seconds / 60));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${String(minutes % 60).padStart(2, "0")} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** Immutable update of a value at a dotted path ("parties.0.full_name"). */
export function setIn<T>(obj: T, path: string, value: unknown): T {
  const keys = path.split(".");
  const walk = (node: unknown, i: number): unknown => {
    if (i === keys.length) return value;
    const k = keys[i];
    if (Array.isArray(node)) {
      const copy = node.slice();
      copy[Number(k)] = walk(node[Number(k)], i + 1);
      return copy;
    }
    const rec = (node ?? {}) as Record<string, unknown>;
    return { ...rec, [k]: walk(rec[k], i + 1) };
  };
  return walk(obj, 0) as T;
}

export function getIn(obj: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>((node, k) => (node === null || node === undefined ? undefined : (node as Record<string, unknown>)[k]), obj);
}

/** The passport section titles, for grouping reasons on the decision screen. */
export const SECTIONS: Record<number, string> = {
  1: "§1 Parties",
  2: "§2 Income",
  3: "§3 Credit history and debt burden",
  4: "§4 Vehicle and purpose",
  5: "§5 Loan terms",
  6: "§6 Conditions before disbursement",
  7: "§7 Documents",
  9: "§9 Product stop",
};
