import { describe, expect, it } from "vitest";
import { age, getIn, money, percent, setIn } from "./format";
import { asAppError } from "./api";

describe("money", () => {
  it("groups digits without touching the decimals", () => {
    expect(money("135000000.00")).toBe("135\u202f000\u202f000.00");
    expect(money("999.5")).toBe("999.5");
    expect(money("-1234567.89")).toBe("-1\u202f234\u202f567.89");
  });
  it("leaves what is not a number as it is", () => {
    expect(money("abc")).toBe("abc");
    expect(money(null)).toBe("—");
  });
});

describe("percent and age", () => {
  it("prints the engine's 2-decimal percentages", () => {
    expect(percent("57.31")).toBe("57.31 %");
    expect(percent(null)).toBe("—");
  });
  it("reads the age of a case", () => {
    const now = new Date("2026-11-23T12:00:00Z");
    expect(age("2026-11-23T11:15:00Z", now)).toBe("45 min");
    expect(age("2026-11-23T08:55:00Z", now)).toBe("3 h 05 min");
    expect(age("2026-11-21T08:00:00Z", now)).toBe("2 d 4 h");
    expect(age("garbage", now)).toBe("—");
  });
});

describe("setIn", () => {
  it("updates nested objects and arrays without mutating", () => {
    const c = { parties: [{ full_name: "A" }, { full_name: "B" }], loan: { term_months: 36 } };
    const d = setIn(c, "parties.1.full_name", "C");
    expect(d.parties[1].full_name).toBe("C");
    expect(c.parties[1].full_name).toBe("B");
    expect(d.parties[0]).toBe(c.parties[0]);
    expect(getIn(setIn(c, "loan.term_months", 60), "loan.term_months")).toBe(60);
  });
});

describe("asAppError", () => {
  it("keeps a coded error and wraps anything else", () => {
    expect(asAppError({ code: "NOT_FOUND", message: "case X does not exist" })).toEqual({
      code: "NOT_FOUND",
      message: "case X does not exist",
    });
    expect(asAppError("boom")).toEqual({ code: "INTERNAL", message: "boom" });
  });
});
