import { describe, expect, it } from "vitest";
import { fieldErrors, isProblem, toProblem } from "./problem";

describe("problem details", () => {
  it("maps the API's field errors to the form's fields", () => {
    const problem = {
      status: 422,
      title: "Invalid input",
      detail: "guest.email: value is not a valid email address",
      field: "guest.email",
      errors: [
        { field: "guest.email", message: "value is not a valid email address" },
        { field: "party_size", message: "Input should be greater than or equal to 1" },
      ],
    };
    expect(isProblem(problem)).toBe(true);
    expect(fieldErrors(problem)).toEqual({
      "guest.email": "value is not a valid email address",
      party_size: "Input should be greater than or equal to 1",
    });
  });

  it("keeps a one-field problem's detail", () => {
    expect(
      fieldErrors({ status: 409, title: "Conflict", detail: "too late to cancel", field: "status" }),
    ).toEqual({ status: "too late to cancel" });
  });

  it("turns a missing answer into a retryable connection problem", () => {
    expect(toProblem(undefined, 0).reason).toBe("network");
    expect(toProblem("Bad gateway", 502)).toMatchObject({ status: 502, detail: "Bad gateway" });
  });
});
