import { describe, expect, it } from "vitest";
import { partyAt } from "./drop";

const rect = (top: number, bottom: number) => ({ left: 10, right: 500, top, bottom });

describe("partyAt", () => {
  const two = [
    { party: 0, rect: rect(100, 300) },
    { party: 1, rect: rect(320, 600) },
  ];
  it("takes the panel under the pointer, in CSS pixels", () => {
    expect(partyAt(two, 50, 150, 1)).toBe(0);
    expect(partyAt(two, 50, 400, 1)).toBe(1);
    // A 2× screen reports physical pixels: 800 physical = 400 CSS.
    expect(partyAt(two, 100, 800, 2)).toBe(1);
  });
  it("drops nowhere between panels when there are several", () => {
    expect(partyAt(two, 50, 310, 1)).toBeNull();
  });
  it("a single panel takes every drop", () => {
    expect(partyAt([{ party: 0, rect: rect(100, 300) }], 5, 5, 1)).toBe(0);
    expect(partyAt([{ party: 0, rect: null }], 5, 5, 1)).toBe(0);
  });
});
