// The workstation's language (for every user, from the login screen on).
import { useState } from "react";
import { api } from "../api";
import { isLang, LANGS, type Lang } from "../i18n";
import { Field, Outcome, useAction } from "./Form";
import { useWords } from "../language";

export function LanguageSection({ language, onSaved }: { language: string; onSaved: (l: Lang) => void }) {
  const { t } = useWords();
  const [value, setValue] = useState(language);
  const action = useAction();
  const save = () => isLang(value) && action.run(() => api.adminSetLanguage(value), t("admin.saved"), () => onSaved(value));
  return (
    <div className="card form" data-testid="admin-language">
      <Field label={t("admin.language")}>
        <select name="admin-language" value={value} onChange={(e) => setValue(e.target.value)}>
          {LANGS.map((l) => <option key={l} value={l}>{t(`lang.${l}`)}</option>)}
        </select>
      </Field>
      <Outcome error={action.error} notice={action.notice} />
      <button id="save-language" className="primary" disabled={action.busy} onClick={save}>{t("admin.save")}</button>
    </div>
  );
}
