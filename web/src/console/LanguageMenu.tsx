// The header's language menu: each language in its own words, so a host finds theirs
// whatever language the console is in now.
import { LanguageSelect } from "../shared/LanguageSelect";
import { useLanguage } from "./context";

export function LanguageMenu() {
  const { language, t, choose } = useLanguage();
  return (
    <div className="language">
      <LanguageSelect id="console-language" label={t.language} value={language} onChange={choose} />
    </div>
  );
}
