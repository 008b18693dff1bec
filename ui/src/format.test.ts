import { describe, expect, it } from "vitest";
import { getIn, setIn } from "./format";
import { asAppError } from "./api";

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
