// A refusal or failure in words; the field errors shown elsewhere are left out here.
import type { Problem } from "../shared/problem";
import { useT } from "./i18n";

interface Props {
  problem: Problem | null;
  /** Messages already shown next to their fields (not repeated). */
  shown?: readonly string[];
  onRetry?: () => void;
}

export function ProblemNotice({ problem, shown = [], onRetry }: Props) {
  const { t } = useT();
  if (!problem) return null;
  const rest = (problem.errors ?? []).filter((e) => !shown.includes(e.field));
  const network = problem.reason === "network";
  return (
    <div className="problem" role="alert">
      <p>{network ? t("connectionLost") : problem.detail || problem.title}</p>
      {rest.length > 0 && (
        <ul>
          {rest.map((e) => (
            <li key={e.field + e.message}>
              {e.field}: {e.message}
            </li>
          ))}
        </ul>
      )}
      {network && onRetry && (
        <p>
          <button type="button" onClick={onRetry}>
            {t("retry")}
          </button>{" "}
          <span className="muted">{t("retryHint")}</span>
        </p>
      )}
    </div>
  );
}
