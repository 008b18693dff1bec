// The keyboard shortcuts, listed where the user can find them (press ? anywhere).
import { SHORTCUTS } from "./keys";
import { useWords } from "./language";

export function Shortcuts({ onClose }: { onClose: () => void }) {
  const { t } = useWords();
  return (
    <section className="panel shortcuts-panel" role="dialog" aria-labelledby="shortcuts-title" data-testid="shortcuts">
      <h2 id="shortcuts-title">
        {t("keys.title")}
        <button className="link" onClick={onClose}>{t("common.close")}</button>
      </h2>
      <table className="grid compact">
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.where + s.keys}>
              <td className="muted">{t(s.where)}</td>
              <td><kbd>{s.keys}</kbd></td>
              <td>{t(s.what)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
