// A new booking: time, then details, then payment when the restaurant asks for one.
import { useEffect, useRef, useState } from "react";
import { useLocation } from "wouter";
import { confirmationScreen, type Held, type Restaurant } from "./api";
import { defaultDialCode } from "./countries";
import type { GuestForm } from "./GuestDetails";
import { useT } from "./i18n";
import { ReservationForm } from "./ReservationForm";
import { ReservationPayment } from "./ReservationPayment";
import type { Slot } from "./slots";
import { type Choice, TimeSlotSelection } from "./TimeSlotSelection";
import { Waitlist } from "./Waitlist";

type Step =
  | { name: "slots" }
  | { name: "form"; choice: Choice }
  | { name: "payment"; held: Held }
  | { name: "waitlist"; day: string; partySize: number; slots: Slot[] };

export function BookingFlow({ restaurant }: { restaurant: Restaurant }) {
  const { t, locale } = useT();
  const [, navigate] = useLocation();
  const [step, setStep] = useState<Step>({ name: "slots" });
  const [last, setLast] = useState<{ day?: string; party?: number }>({});
  const [guest, setGuest] = useState<GuestForm>({
    firstName: "",
    lastName: "",
    email: "",
    dialCode: defaultDialCode(restaurant.country_code),
    phone: "",
    requests: "",
    smsNotifications: false,
    emailNotifications: true,
    marketing: false,
    language: locale,
  });

  // each new step's heading takes the focus, so keyboard and screen reader users follow
  const moved = useRef(false);
  useEffect(() => {
    if (moved.current) document.querySelector<HTMLElement>("main h2")?.focus();
    moved.current = true;
  }, [step]);

  if (!restaurant.accepts_reservations || !restaurant.is_active) return <p>{t("notTakingBookings")}</p>;

  function held(answer: Held) {
    if (answer.payment_required) setStep({ name: "payment", held: answer });
    else navigate(confirmationScreen(restaurant.id, answer.id, answer.manage_token));
  }

  switch (step.name) {
    case "form":
      return (
        <ReservationForm
          restaurant={restaurant}
          choice={step.choice}
          guest={guest}
          onGuest={setGuest}
          onChoice={(choice) => setStep({ name: "form", choice })}
          onBack={() => setStep({ name: "slots" })}
          onHeld={held}
        />
      );
    case "payment":
      return <ReservationPayment restaurant={restaurant} held={step.held} />;
    case "waitlist":
      return (
        <Waitlist
          restaurant={restaurant}
          day={step.day}
          partySize={step.partySize}
          slots={step.slots}
          guest={guest}
          onGuest={setGuest}
          onBack={() => setStep({ name: "slots" })}
        />
      );
    default:
      return (
        <TimeSlotSelection
          restaurant={restaurant}
          initialDay={last.day}
          initialParty={last.party}
          onPick={(choice) => {
            setLast({ day: choice.date, party: choice.partySize });
            setStep({ name: "form", choice });
          }}
          onWaitlist={(day, partySize, slots) => {
            setLast({ day, party: partySize });
            setStep({ name: "waitlist", day, partySize, slots });
          }}
        />
      );
  }
}
