import { describe, expect, it } from "vitest";
import { getIn, setIn, type CasePath } from "./format";
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

describe("the case file's paths", () => {
  it("are the generated type's fields: a misspelt one does not compile", () => {
    // The build's type check (tsc) fails if this line stops being an error.
    // @ts-expect-error: the case file has no vehicle.vinn
    const misspelt: CasePath = "vehicle.vinn";
    const ok: CasePath[] = ["vehicle.vin", "parties.0.identity.expires", "parties.1.incomes.0.months", "loan.term_months"];
    // And the paths reach what they name.
    const c = { vehicle: { vin: "X" }, parties: [{ identity: { expires: "2030-01-01" } }] };
    expect(getIn(c, ok[0])).toBe("X");
    expect(getIn(c, ok[1])).toBe("2030-01-01");
    expect(getIn(c, misspelt)).toBeUndefined();
  });
});
