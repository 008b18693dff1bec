// The top bar's Help menu: "Save a support bundle…" writes the log of the last two weeks
// and the health report to a file the person picks (a Rust save dialog; nothing personal).
import { useState } from "react";
import type { AppError, SupportBundle } from "./bindings";
import { api } from "./api";
import { useWords } from "./language";

export function HelpMenu() {
  const { t } = useWords();
  const [open, setOpen] = useState(false);
  const [saved, setSaved] = useState<SupportBundle | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const save = () => {
    setOpen(false);
    setSaved(null);
    setError(null);
    api.saveSupportBundle().then(setSaved, setError);
  };
  return (
    <span className="help-menu">
      <button id="help-open" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)}>
        {t("help.menu")}
      </button>
      {open && (
        <div className="menu" role="menu">
          <button id="support-bundle" role="menuitem" onClick={save}>{t("help.supportBundle")}</button>
        </div>
      )}
      {(saved || error) && (
        <div className={error ? "menu error" : "menu notice"} role="status" data-testid="support-bundle-result">
          {error ? <><strong>{error.code}</strong> {error.message}</> : saved && t("help.saved", { file: saved.file })}
          {saved && !saved.healthy && <div>{t("help.unhealthy")}</div>}
          <button className="link" onClick={() => { setSaved(null); setError(null); }} aria-label={t("common.dismiss")}>×</button>
        </div>
      )}
    </span>
  );
}
