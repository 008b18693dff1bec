// Typed calls to the Rust commands (src-tauri/src/commands/). Every type comes from
// bindings.ts, generated from the Rust types; errors arrive as {code, message}.
import { Channel, invoke } from "@tauri-apps/api/core";
import type {
  AppError,
  AppStatus,
  CaseEvent,
  CaseFile,
  CaseView,
  AgreementPreview,
  Dashboard,
  DisbursementView,
  DocumentKind,
  DocumentStatus,
  ScanList,
  SupportBundle,
  PrintedFile,
  Evaluation,
  Fact,
  ImportReport,
  IncomeKind,
  IncomeView,
  QueueRow,
  ReadProgress,
  NewUser,
  NewRecoveryKey,
  Recovered,
  ReviewDecision,
  ReviewView,
  Session,
  SessionStatus,
  StoreState,
  SyncStatus,
  ConflictView,
  Keep,
  TotpSetup,
  QueueQuery,
  VinReport,
  WhatIfReport,
} from "./bindings";
import type { AdminSettings, BackupSettings, BackupSummary, BankInput, DirectoryInput, UserRoles, UserView } from "./bindings";
import type { Command } from "./commands";
import type { AssignmentView, ConditionClosing, ConditionView, Exported, NewCondition, StoredNote } from "./bindings";

/** Turns whatever a failed call threw into the {code, message} the UI shows. */
export function asAppError(e: unknown): AppError {
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    const { code, message } = e as AppError;
    return { code, message: String(message) };
  }
  return { code: "INTERNAL", message: String(e) };
}

/** Fired when Rust says the session locked (idle too long) or is gone: the app shows
 * the login screen. */
export const SESSION_ENDED = "uw-session-ended";

async function call<T>(cmd: Command, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    const err = asAppError(e);
    // Leaving a case after a logout is refused too (no session), and says nothing new.
    if (err.code === "SESSION_LOCKED" || (err.code === "NOT_LOGGED_IN" && cmd !== "login" && cmd !== "release_case")) {
      window.dispatchEvent(new CustomEvent(SESSION_ENDED, { detail: err }));
    }
    throw err;
  }
}

export const api = {
  status: () => call<AppStatus>("app_status"),
  queue: (query: QueueQuery) => call<QueueRow[]>("queue", { query }),
  queueTotal: (query: QueueQuery) => call<number>("queue_total", { query }),
  openCase: (caseId: string) => call<CaseView>("open_case", { caseId }),
  evaluate: (c: CaseFile) => call<Evaluation>("evaluate_case", { case: c }),
  saveCase: (caseId: string, version: number, c: CaseFile) =>
    call<CaseView>("save_case", { caseId, version, case: c }),
  importFiles: (paths: string[]) => call<ImportReport>("import_files", { paths }),
  pickAndImport: () => call<ImportReport | null>("pick_and_import"),
  exportCase: (caseId: string) => call<string | null>("export_case", { caseId }),
  exportQueueXlsx: (query: QueueQuery) => call<Exported | null>("export_queue_xlsx", { query }),
  exportDashboardXlsx: () => call<Exported | null>("export_dashboard_xlsx"),
  history: (caseId: string) => call<CaseEvent[]>("case_history", { caseId }),
  checkVin: (vin: string) => call<VinReport>("check_vin", { vin }),
  statementIncome: (caseId: string, party: number) =>
    call<IncomeView>("statement_income", { caseId, party }),
  attachStatements: (caseId: string, party: number, paths: string[], onProgress: (p: ReadProgress) => void) =>
    call<IncomeView>("attach_statements", { caseId, party, paths, onProgress: progressChannel(onProgress) }),
  pickStatements: (caseId: string, party: number, onProgress: (p: ReadProgress) => void) =>
    call<IncomeView | null>("pick_statements", { caseId, party, onProgress: progressChannel(onProgress) }),
  removeStatement: (caseId: string, party: number, id: number) =>
    call<IncomeView>("remove_statement", { caseId, party, id }),
  reclassify: (caseId: string, party: number, file: string, line: number, kind: IncomeKind | null, note: string) =>
    call<IncomeView>("reclassify_transaction", { caseId, party, file, line, kind, note }),
  applyStatementIncome: (caseId: string, party: number, version: number) =>
    call<CaseView>("apply_statement_income", { caseId, party, version }),
  storeState: () => call<StoreState>("store_state"),
  unlockStore: (passphrase: string) => call<null>("unlock_store", { passphrase }),
  // The store's recovery key (the screen before login)
  newRecoveryKey: () => call<NewRecoveryKey | null>("new_recovery_key"),
  saveRecoverySheet: (lang: string) => call<string | null>("save_recovery_sheet", { lang }),
  confirmRecoveryKey: () => call<null>("confirm_recovery_key"),
  unlockWithRecoveryKey: (key: string) => call<Recovered>("unlock_with_recovery_key", { key }),
  sessionStatus: () => call<SessionStatus>("session_status"),
  login: (username: string, password: string, code: string | null) => call<Session>("login", { username, password, code }),
  beginTotp: (password: string, code: string | null) => call<TotpSetup>("begin_totp", { password, code }),
  confirmTotp: (code: string) => call<null>("confirm_totp", { code }),
  changePassword: (old: string, next: string) => call<null>("change_password", { old, new: next }),
  logout: () => call<null>("logout"),
  setupAdmin: (user: NewUser) => call<Session>("setup_admin", { user }),
  review: (caseId: string) => call<ReviewView>("case_review", { caseId }),
  notes: (caseId: string) => call<StoredNote[]>("case_notes", { caseId }),
  addNote: (caseId: string, text: string) => call<StoredNote[]>("add_case_note", { caseId, text }),
  caseAssignment: (caseId: string) => call<AssignmentView>("case_assignment", { caseId }),
  claimCase: (caseId: string) => call<AssignmentView>("claim_case", { caseId }),
  reassignCase: (caseId: string, to: string) => call<AssignmentView>("reassign_case", { caseId, to }),
  conditions: (caseId: string) => call<ConditionView[]>("case_conditions", { caseId }),
  raiseCondition: (caseId: string, condition: NewCondition) => call<ConditionView[]>("raise_condition", { caseId, condition }),
  closeCondition: (caseId: string, conditionId: string, how: ConditionClosing, words: string) =>
    call<ConditionView[]>("close_condition", { caseId, conditionId, how, words }),
  releaseCase: (caseId: string) => call<null>("release_case", { caseId }),
  submit: (caseId: string, version: number, decision: ReviewDecision, justification: string) =>
    call<CaseView>("submit_case", { caseId, version, decision, justification }),
  approve: (caseId: string, version: number, password: string, exception: string | null = null) =>
    call<CaseView>("approve_case", { caseId, version, password, exception }),
  reject: (caseId: string, version: number, comment: string, password: string) =>
    call<CaseView>("reject_case", { caseId, version, comment, password }),
  returnCase: (caseId: string, version: number, comment: string) =>
    call<CaseView>("return_case", { caseId, version, comment }),
  syncStatus: () => call<SyncStatus>("sync_status"),
  syncNow: () => call<null>("sync_now"),
  conflicts: () => call<ConflictView[]>("sync_conflicts"),
  resolveConflict: (id: number, keep: Keep) => call<CaseView>("resolve_conflict", { id, keep }),
  disbursement: (caseId: string) => call<DisbursementView>("disbursement", { caseId }),
  requestLien: (caseId: string) => call<DisbursementView>("request_lien", { caseId }),
  recordDisbursementFact: (caseId: string, version: number, fact: Fact) =>
    call<DisbursementView>("record_disbursement_fact", { caseId, version, fact }),
  orderDisbursement: (caseId: string, version: number, stage: number) =>
    call<DisbursementView>("order_disbursement", { caseId, version, stage }),
  agreementPreview: (caseId: string, lang: string) => call<AgreementPreview>("agreement_preview", { caseId, lang }),
  printAgreement: (caseId: string, lang: string) => call<PrintedFile>("print_agreement", { caseId, lang }),
  printRejectionLetter: (caseId: string, lang: string) =>
    call<PrintedFile>("print_rejection_letter", { caseId, lang }),
  printDecisionMemo: (caseId: string, lang: string) =>
    call<PrintedFile>("print_decision_memo", { caseId, lang }),
  whatIf: (path: string) => call<WhatIfReport>("what_if", { path }),
  pickWhatIf: () => call<WhatIfReport | null>("pick_what_if"),
  dashboard: () => call<Dashboard>("dashboard"),
  setLanguage: (lang: string) => call<null>("set_language", { lang }),
  verifyIdentity: (caseId: string, version: number, party: number) =>
    call<CaseView>("verify_identity", { caseId, version, party }),
  pullBureau: (caseId: string, version: number, party: number) =>
    call<CaseView>("pull_bureau", { caseId, version, party }),
  pullBureauAll: (caseId: string, version: number) => call<CaseView>("pull_bureau_all", { caseId, version }),
  pullOfficialIncome: (caseId: string, version: number, party: number) =>
    call<CaseView>("pull_official_income", { caseId, version, party }),
  scans: (caseId: string) => call<ScanList>("scans", { caseId }),
  attachScans: (caseId: string, kind: string, party: number, paths: string[]) =>
    call<ScanList>("attach_scans", { caseId, kind, party, paths }),
  pickScans: (caseId: string, kind: string, party: number) =>
    call<ScanList | null>("pick_scans", { caseId, kind, party }),
  scanContent: (caseId: string, id: number) => call<ArrayBuffer>("scan_content", { caseId, id }),
  removeScan: (caseId: string, id: number) => call<ScanList>("remove_scan", { caseId, id }),
  markDocument: (caseId: string, version: number, kind: DocumentKind, party: number, status: DocumentStatus, reason: string | null) =>
    call<CaseView>("mark_document", { caseId, version, kind, party, status, reason }),
  refreshPortfolio: () => call<Dashboard>("refresh_portfolio"),
  takeCounterOffer: (caseId: string, version: number, termMonths: number) =>
    call<CaseView>("take_counter_offer", { caseId, version, termMonths }),
  // Administration and settings (administrators only; checked in Rust).
  createUser: (user: NewUser) => call<null>("create_user", { user }),
  adminUsers: () => call<UserView[]>("admin_users"),
  adminSetRoles: (username: string, roles: UserRoles) => call<null>("admin_set_roles", { username, roles }),
  adminResetPassword: (username: string, password: string) => call<null>("admin_reset_password", { username, password }),
  adminResetSecondFactor: (username: string) => call<null>("admin_reset_second_factor", { username }),
  adminUnlock: (username: string) => call<null>("admin_unlock", { username }),
  adminSetActive: (username: string, active: boolean) => call<null>("admin_set_active", { username, active }),
  adminSettings: () => call<AdminSettings>("admin_settings"),
  adminSetIdleMinutes: (minutes: number) => call<null>("admin_set_idle_minutes", { minutes }),
  adminSetBank: (bank: BankInput) => call<null>("admin_set_bank", { bank }),
  adminTestBank: () => call<null>("admin_test_bank"),
  adminSetBackup: (backup: BackupSettings) => call<null>("admin_set_backup", { backup }),
  backupNow: () => call<BackupSummary>("backup_now"),
  adminSetLanguage: (lang: string) => call<null>("admin_set_language", { lang }),
  adminSetDirectory: (directory: DirectoryInput) => call<null>("admin_set_directory", { directory }),
  adminTestDirectory: () => call<null>("admin_test_directory"),
  saveSupportBundle: () => call<SupportBundle | null>("save_support_bundle"),
};

function progressChannel(onProgress: (p: ReadProgress) => void): Channel<ReadProgress> {
  const channel = new Channel<ReadProgress>();
  channel.onmessage = onProgress;
  return channel;
}
