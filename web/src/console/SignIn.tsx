import { type FormEvent, useState } from "react";
import { apiClient, outcome } from "../shared/api";
import { fieldErrors, type Problem } from "../shared/problem";
import { ProblemText, useLanguage } from "./context";
import { LanguageMenu } from "./LanguageMenu";

/** Email and password in, a bearer token out. */
export function SignIn({ onSignedIn }: { onSignedIn: (token: string) => void }) {
  const { t } = useLanguage();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    const result = await outcome(
      apiClient().POST("/api/v1/reservations/auth/token", { body: { email, password } }),
    );
    setBusy(false);
    if (result.ok) onSignedIn(result.data.access_token);
    else setProblem(result.problem);
  }

  const errors = problem ? fieldErrors(problem) : {};
  return (
    <main className="sign-in">
      <LanguageMenu />
      <h1>{t.appName}</h1>
      <form onSubmit={submit} noValidate aria-labelledby="sign-in-title">
        <h2 id="sign-in-title">{t.signIn.title}</h2>
        <div className="field">
          <label htmlFor="email">{t.signIn.email}</label>
          <input
            id="email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-invalid={"email" in errors}
            aria-describedby={errors.email ? "email-error" : undefined}
          />
          {errors.email && (
            <p className="field-error" id="email-error">
              {errors.email}
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor="password">{t.signIn.password}</label>
          <input
            id="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        <button type="submit" disabled={busy}>
          {busy ? t.signIn.working : t.signIn.submit}
        </button>
        {problem && !errors.email && <ProblemText problem={problem} />}
      </form>
    </main>
  );
}
