import { describe, expect, it } from "vitest";
import { guestProblems, internationalPhone, nationalDigits, partyProblem } from "./validation";

const guest = {
  firstName: "Ada",
  lastName: "",
  email: "ada@example.com",
  dialCode: "31",
  phone: "",
  requests: "",
  smsNotifications: false,
};

describe("party size", () => {
  it("accepts whole numbers within the bounds only", () => {
    expect(partyProblem(1)).toBeNull();
    expect(partyProblem(100)).toBeNull();
    expect(partyProblem(0)?.key).toBe("errParty");
    expect(partyProblem(101)?.key).toBe("errParty");
    expect(partyProblem(2.5)?.key).toBe("errParty");
    expect(partyProblem(Number.NaN)?.key).toBe("errParty");
    expect(partyProblem(9, 8)?.values).toEqual({ max: 8 });
  });
});

describe("guest details", () => {
  it("passes a complete guest", () => {
    expect(guestProblems(guest)).toEqual({});
  });

  it("names the API's field paths", () => {
    const errors = guestProblems({ ...guest, firstName: " ", email: "" });
    expect(Object.keys(errors).sort()).toEqual(["guest.email", "guest.first_name"]);
  });

  it("refuses an email without a domain with a dot", () => {
    for (const email of ["ada", "ada@", "ada@example", "a da@example.com", "@example.com"]) {
      expect(guestProblems({ ...guest, email })["guest.email"]?.key, email).toBe("errEmail");
    }
    expect(guestProblems({ ...guest, email: "ada.l@mail.example.co.uk" })).toEqual({});
  });

  it("reads a phone number with the chosen country's code", () => {
    expect(nationalDigits("06-12 34 56 78")).toBe("612345678");
    expect(internationalPhone("31", "06 12345678")).toBe("+31612345678");
    expect(internationalPhone("44", "  ")).toBeNull();
    expect(guestProblems({ ...guest, phone: "06 1234 5678" })).toEqual({});
    expect(guestProblems({ ...guest, phone: "call me" })["guest.phone"]?.key).toBe("errPhone");
    expect(guestProblems({ ...guest, dialCode: "351", phone: "1234567890123" })["guest.phone"]?.key).toBe(
      "errPhone",
    );
  });

  it("needs a phone for text messages", () => {
    expect(guestProblems({ ...guest, smsNotifications: true })["guest.phone"]?.key).toBe("errPhoneNeeded");
  });

  it("bounds the lengths the API bounds", () => {
    expect(guestProblems({ ...guest, requests: "x".repeat(1001) }).special_requests?.key).toBe("errTooLong");
    expect(guestProblems({ ...guest, lastName: "x".repeat(121) })["guest.last_name"]?.key).toBe("errTooLong");
  });
});
