// The work in progress, in a strip under the top bar: a command that calls the bank, the directory, the
// disk or the PDF writer runs off the window's thread and, past its first 300 ms, sends a
// `work` event every second, then one with its outcome. Each shows here whatever screen the
// person has moved to meanwhile (a bureau pull started in a case goes on while the queue is
// searched); the last outcome of a call to the bank or the directory stays until dismissed
// or the next one (other work ends on the screen that started it).
import { useEffect, useState } from "react";
import { listen } from "@tauri-apps/api/event";
import type { WorkProgress } from "./bindings";
import { type Key } from "./i18n";
import { useWords, type Words } from "./language";

/** What a command waits for (a party outside) or does (here), as the window words it. */
const WHAT: Record<string, { key: Key; outside: boolean }> = {
  pull_bureau: { key: "work.bureau", outside: true },
  pull_bureau_all: { key: "work.bureau", outside: true },
  verify_identity: { key: "work.register", outside: true },
  submit_case: { key: "work.registry", outside: true },
  pull_official_income: { key: "work.official", outside: true },
  refresh_portfolio: { key: "work.bank", outside: true },
  admin_test_bank: { key: "work.bank", outside: true },
  admin_test_directory: { key: "work.directory", outside: true },
  agreement_preview: { key: "work.pdf", outside: false },
  print_agreement: { key: "work.pdf", outside: false },
  print_rejection_letter: { key: "work.pdf", outside: false },
  print_decision_memo: { key: "work.pdf", outside: false },
  save_recovery_sheet: { key: "work.pdf", outside: false },
  backup_now: { key: "work.backup", outside: false },
  import_files: { key: "work.files", outside: false },
  export_case: { key: "work.files", outside: false },
  export_queue_xlsx: { key: "work.files", outside: false },
  export_dashboard_xlsx: { key: "work.files", outside: false },
  attach_scans: { key: "work.files", outside: false },
  attach_statements: { key: "work.files", outside: false },
  statement_income: { key: "work.files", outside: false },
  remove_statement: { key: "work.files", outside: false },
  reclassify_transaction: { key: "work.files", outside: false },
  apply_statement_income: { key: "work.files", outside: false },
};

function what(command: string, t: Words["t"]): { text: string; outside: boolean } {
  const w = WHAT[command] ?? { key: "work.other" as Key, outside: false };
  return { text: t(w.key), outside: w.outside };
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function runningText(w: WorkProgress, t: Words["t"]): string {
  const { text, outside } = what(w.command, t);
  return outside ? t("work.waiting", { what: text, s: w.seconds }) : t("work.working", { what: text, s: w.seconds });
}

export function Working() {
  const { t } = useWords();
  const [running, setRunning] = useState<WorkProgress[]>([]);
  const [ended, setEnded] = useState<WorkProgress | null>(null);
  useEffect(() => {
    const unlisten = listen<WorkProgress>("work", ({ payload: w }) => {
      setRunning((all) => {
        const others = all.filter((r) => r.id !== w.id);
        return w.state === "running" ? [...others, w] : others;
      });
      if (w.state !== "running" && WHAT[w.command]?.outside) setEnded(w);
    });
    return () => void unlisten.then((f) => f());
  }, []);
  if (running.length === 0 && !ended) return null;
  return (
    <div className="workbar" data-testid="workbar">
      {running.map((w) => (
        <span key={w.id} className="badge working" data-testid="working" data-command={w.command} data-case-id={w.case_id ?? ""} title={w.case_id ?? undefined}>
          <span aria-hidden="true">⏳</span> {runningText(w, t)}
        </span>
      ))}
      {ended && (
        <span
          className={`badge ${ended.state === "done" ? "online" : "work-failed"}`}
          data-testid="work-ended"
          data-command={ended.command}
          data-state={ended.state}
          role={ended.state === "failed" ? "alert" : undefined}
          title={ended.error?.message}
        >
          {t(ended.state === "done" ? "work.done" : "work.failed", { what: capital(what(ended.command, t).text) })}
          {ended.case_id && <span className="mono"> · {ended.case_id}</span>}
          {ended.error && <> · <strong>{ended.error.code}</strong></>}
          <button className="link" onClick={() => setEnded(null)} aria-label={t("common.dismiss")}>×</button>
        </span>
      )}
    </div>
  );
}
