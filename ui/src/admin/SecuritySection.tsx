// How long a session may stay idle before it locks (1–240 minutes, checked in Rust).
import { useState } from "react";
import { api } from "../api";
import { Field, Outcome, useAction } from "./Form";
import { useWords } from "../language";

export function SecuritySection({ minutes, onSaved }: { minutes: number; onSaved: () => void }) {
  const { t } = useWords();
  const [value, setValue] = useState(String(minutes));
  const action = useAction();
  return (
    <div className="card form" data-testid="admin-security">
      <Field label={t("admin.idle")}>
        <input name="idle-minutes" inputMode="numeric" value={value} onChange={(e) => setValue(e.target.value)} />
      </Field>
      <Outcome error={action.error} notice={action.notice} />
      <button id="save-idle" className="primary" disabled={action.busy} onClick={() => action.run(() => api.adminSetIdleMinutes(Number(value)), t("admin.saved"), onSaved)}>{t("admin.save")}</button>
    </div>
  );
}
