import { describe, expect, it } from "vitest";
import { pagesFor, ROW_HEIGHT, scrollToShow, slaState, visibleRange } from "./virtual";

describe("windowing", () => {
  it("renders the rows in view and a margin, never past the ends", () => {
    expect(visibleRange(0, 10 * ROW_HEIGHT, 100_000, 2)).toEqual({ first: 0, last: 12 });
    expect(visibleRange(5000 * ROW_HEIGHT, 10 * ROW_HEIGHT, 100_000, 2)).toEqual({ first: 4998, last: 5012 });
    expect(visibleRange(0, 10 * ROW_HEIGHT, 3, 2)).toEqual({ first: 0, last: 3 });
    expect(visibleRange(0, 500, 0)).toEqual({ first: 0, last: 0 });
  });
  it("asks for the pages that hold the range", () => {
    expect(pagesFor(0, 12)).toEqual([0]);
    expect(pagesFor(95, 112)).toEqual([0, 1]);
    expect(pagesFor(100, 200)).toEqual([1]);
    expect(pagesFor(5, 5)).toEqual([]);
  });
  it("scrolls only as far as needed to show a row", () => {
    const vp = 10 * ROW_HEIGHT;
    expect(scrollToShow(3, 0, vp)).toBe(0);
    expect(scrollToShow(10, 0, vp)).toBe(ROW_HEIGHT);
    expect(scrollToShow(2, 5 * ROW_HEIGHT, vp)).toBe(2 * ROW_HEIGHT);
  });
});

describe("SLA state", () => {
  const row = { due_at: "2026-11-24T08:00:00Z", due_soon_at: "2026-11-24T04:00:00Z" };
  it("is on time, due soon, then overdue", () => {
    expect(slaState(row, new Date("2026-11-24T03:59:59Z"))).toBe("on_time");
    expect(slaState(row, new Date("2026-11-24T04:00:00Z"))).toBe("due_soon");
    expect(slaState(row, new Date("2026-11-24T08:00:00Z"))).toBe("overdue");
  });
  it("has no state when the clock stopped", () => {
    expect(slaState({ due_at: null, due_soon_at: null }, new Date())).toBeNull();
  });
});
