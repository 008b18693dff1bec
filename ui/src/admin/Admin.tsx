// The administration screen (administrators only; Rust checks the role on every call):
// local users, the directory, the session's idle time, the bank, the daily backup and the
// workstation's language, one section at a time. Secrets are write-only: a section shows
// only whether one is set.
import { useCallback, useEffect, useState } from "react";
import type { AdminSettings, AppError } from "../bindings";
import { api } from "../api";
import { ErrorBanner } from "../App";
import { type Lang } from "../i18n";
import { Users } from "./Users";
import { DirectorySection } from "./DirectorySection";
import { SecuritySection } from "./SecuritySection";
import { BankSection } from "./BankSection";
import { BackupSection } from "./BackupSection";
import { LanguageSection } from "./LanguageSection";
import { useWords } from "../language";

const SECTIONS = ["users", "directory", "security", "bank", "backup", "language"] as const;
type Section = (typeof SECTIONS)[number];

export function Admin({ me, onBack, onLanguage }: { me: string; onBack: () => void; onLanguage: (l: Lang) => void }) {
  const { t } = useWords();
  const [section, setSection] = useState<Section>("users");
  const [settings, setSettings] = useState<AdminSettings | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const reload = useCallback(() => {
    api.adminSettings().then(setSettings, setError);
  }, []);
  useEffect(reload, [reload]);
  return (
    <main data-testid="admin">
      <div className="toolbar">
        <button id="admin-back" onClick={onBack}>{t("admin.back")}</button>
        <h1>{t("admin.title")}</h1>
      </div>
      <nav className="steps">
        {SECTIONS.map((s) => (
          <button key={s} id={`admin-${s}`} className={s === section ? "active" : ""} onClick={() => setSection(s)}>
            {t(`admin.section.${s}`)}
          </button>
        ))}
      </nav>
      <ErrorBanner error={error} />
      {settings && (
        <>
          {section === "users" && <Users me={me} directory={settings.mode === "directory"} />}
          {section === "directory" && <DirectorySection settings={settings.directory} onSaved={reload} />}
          {section === "security" && <SecuritySection minutes={settings.idle_minutes} onSaved={reload} />}
          {section === "bank" && <BankSection settings={settings.bank} onSaved={reload} />}
          {section === "backup" && <BackupSection settings={settings.backup} onSaved={reload} />}
          {section === "language" && (
            <LanguageSection language={settings.language} onSaved={(l) => { onLanguage(l); reload(); }} />
          )}
        </>
      )}
    </main>
  );
}
