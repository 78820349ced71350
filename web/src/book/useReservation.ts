// One reservation read with its manage token; while a payment is being confirmed it is
// read again now and then (the provider's notification arrives on its own time).
import { useCallback, useEffect, useState } from "react";
import type { Problem } from "../shared/problem";
import { getReservation, type Reservation } from "./api";

const POLL_MS = 1500;
const POLL_LIMIT = 80; // two minutes, then the guest reloads

/** Whether the booking still waits for its payment: unpaid, or paid and not yet confirmed
 * (the provider's notification reaches the booking a moment after the guest returns). */
export function awaitingPayment(r: Reservation): boolean {
  return r.status === "held";
}

export function useReservation(id: string, token: string, poll: boolean) {
  const [reservation, setReservation] = useState<Reservation | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [reads, setReads] = useState(0);

  const load = useCallback(async () => {
    const result = await getReservation(id, token);
    if (result.ok) {
      setReservation(result.data);
      setProblem(null);
    } else setProblem(result.problem);
  }, [id, token]);

  useEffect(() => {
    void load();
  }, [load]);

  const waiting = reservation !== null && awaitingPayment(reservation);
  useEffect(() => {
    if (!poll || !waiting || reads >= POLL_LIMIT) return;
    const timer = setTimeout(() => {
      setReads((n) => n + 1);
      void load();
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [poll, waiting, reads, load]);

  return { reservation, setReservation, problem, reload: load };
}
