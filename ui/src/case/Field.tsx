// A field of the case form: its label, the value at its path in the draft, the edit.
import type { CaseFile } from "../bindings";
import { type Key } from "../i18n";
import { getIn, type CasePath } from "../format";
import { useWords } from "../language";

export type Edit = (path: CasePath, value: unknown) => void;

/** One field of the case form, by its dotted path in the case file. */
export function Field(props: {
  label: Key;
  path: CasePath;
  draft: CaseFile;
  edit: Edit;
  kind?: "text" | "int" | "date" | "optional-date" | "money" | "bool" | "optional-money";
  options?: string[];
  /** The catalog prefix that names each option ("schedule" → schedule.annuity). */
  optionWords?: string;
  hint?: string;
}) {
  const { t, word } = useWords();
  const { path, draft, edit, kind = "text", options } = props;
  const value = getIn(draft, path);
  let input;
  if (options) {
    input = (
      <select name={path} value={String(value ?? "")} onChange={(e) => edit(path, e.target.value)}>
        {options.map((o) => (
          <option key={o} value={o}>{props.optionWords ? word(props.optionWords, o) : o}</option>
        ))}
      </select>
    );
  } else if (kind === "bool") {
    input = <input type="checkbox" name={path} checked={Boolean(value)} onChange={(e) => edit(path, e.target.checked)} />;
  } else {
    input = (
      <input
        name={path}
        type={kind.endsWith("date") ? "date" : "text"}
        inputMode={kind === "int" || kind.endsWith("money") ? "decimal" : undefined}
        className={kind.endsWith("money") || kind === "int" ? "num" : ""}
        value={value === null || value === undefined ? "" : String(value)}
        onChange={(e) => {
          const v = e.target.value;
          if (kind === "int") edit(path, /^\d+$/.test(v) ? Number(v) : v);
          else if (kind === "optional-money" || kind === "optional-date") edit(path, v.trim() === "" ? null : v);
          else edit(path, v);
        }}
      />
    );
  }
  return (
    <label className="field">
      <span>{t(props.label)}</span>
      {input}
      {props.hint && <small className="muted">{props.hint}</small>}
    </label>
  );
}
