// The keyboard shortcuts, listed where the user can find them (press ? anywhere).
import { SHORTCUTS } from "./keys";

export function Shortcuts({ onClose }: { onClose: () => void }) {
  return (
    <section className="panel shortcuts-panel" data-testid="shortcuts">
      <h2>
        Keyboard shortcuts
        <button className="link" onClick={onClose}>Close</button>
      </h2>
      <table className="grid compact">
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.where + s.keys}>
              <td className="muted">{s.where}</td>
              <td><kbd>{s.keys}</kbd></td>
              <td>{s.what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
