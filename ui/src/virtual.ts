// The queue's windowing: only the rows in view (and a margin) are in the page, fetched
// from Rust a page at a time as the list scrolls, so 100,000 cases cost what 40 do.

export const ROW_HEIGHT = 34;
export const PAGE_SIZE = 100;

/** Rows [first, last) to render for a scroll position, with `overscan` rows either side. */
export function visibleRange(scrollTop: number, viewport: number, total: number, overscan = 8): { first: number; last: number } {
  const top = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - overscan);
  const bottom = Math.min(total, Math.ceil((scrollTop + viewport) / ROW_HEIGHT) + overscan);
  return { first: Math.min(top, total), last: Math.max(bottom, Math.min(top, total)) };
}

/** The page numbers holding rows [first, last). */
export function pagesFor(first: number, last: number, pageSize = PAGE_SIZE): number[] {
  if (last <= first) return [];
  const out: number[] = [];
  for (let p = Math.floor(first / pageSize); p <= Math.floor((last - 1) / pageSize); p++) out.push(p);
  return out;
}

/** The scroll position that shows row `index` (unchanged when it is already in view). */
export function scrollToShow(index: number, scrollTop: number, viewport: number): number {
  const top = index * ROW_HEIGHT;
  if (top < scrollTop) return top;
  if (top + ROW_HEIGHT > scrollTop + viewport) return top + ROW_HEIGHT - viewport;
  return scrollTop;
}

export type Sla = "overdue" | "due_soon" | "on_time";

/** Where a row stands on its SLA clock now (deadlines from Rust; null: clock stopped). */
export function slaState(row: { due_at: string | null; due_soon_at: string | null }, now: Date): Sla | null {
  if (!row.due_at || !row.due_soon_at) return null;
  const t = now.getTime();
  if (t >= Date.parse(row.due_at)) return "overdue";
  if (t >= Date.parse(row.due_soon_at)) return "due_soon";
  return "on_time";
}
