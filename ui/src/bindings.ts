// Generated from the Rust types by uw-app (src-tauri/crates/app/src/ipc.rs).
// Do not edit: run `UPDATE_BINDINGS=1 cargo test -p uw-app bindings`.

export type Money = string;

export type IsoDate = string;

export type YearMonth = string;

export type CaseFile = { case_id: string, product: string, application_date: IsoDate, branch: string, parties: Array<Party>, vehicle: Vehicle, loan: Loan, insurance: Array<InsurancePolicy>, documents: Array<Document>, pledge: Pledge, review: Review | null, 
/**
 * The two-stage disbursement (§8): the contract's advance, the delivery notice and
 * the orders made. Absent from the file until something is recorded, so a case file
 * without it reads, hashes and exports exactly as before.
 */
disbursement?: Disbursement, };

export type Role = "borrower" | "co_borrower";

export type Party = { role: Role, full_name: string, pinfl: string, citizenship: string, birth_date: IsoDate, identity: Identity | null, incomes: Array<IncomeSource>, credit_history: CreditHistory, 
/**
 * The credit bureau's last report on the party, kept with the case.
 */
bureau?: BureauReport, 
/**
 * The official income service's last answer on the party (salary and pension by
 * PINFL), kept with the case beside the statements it is compared with.
 */
official_income?: OfficialIncome, };

export type Identity = { kind: string, number: string, digital: boolean, military: boolean, 
/**
 * When the document was issued and until when it is valid, as printed on it; a
 * document expired before the application, issued after it, or reported expired or
 * revoked by the state register, cannot be marked verified.
 */
issued?: IsoDate, expires?: IsoDate, 
/**
 * The state identity register's answer, when asked.
 */
state_check?: StateCheck, };

export type IncomeKind = "salary" | "pension" | "pension_contributions" | "account_inflow" | "passive" | "entrepreneur_receipts";

export type IncomeSource = { kind: IncomeKind, employer?: string, 
/**
 * A missing `at_this_bank` means false (case-file.md).
 */
at_this_bank: boolean, months: Record<string, string>, };

export type CreditHistory = { current_overdue: boolean, delinquencies_90_plus: number, existing_monthly_payments: Money, 
/**
 * Where the figures come from: pulled from the credit bureau, or typed by the
 * underwriter (when the bureau could not be reached). Absent in older files.
 */
source?: HistorySource, };

export type SellerKind = "manufacturer" | "official_dealer" | "dealer_in_stock" | "private_person";

export type Vehicle = { vin: string, 
/**
 * M1 | M2 | N1, or any other string, which fails P-VEH-CAT rather than the parse.
 */
category: string, make: string, model: string, production_year: number, new: boolean, seller_kind: SellerKind, customs_vat_applies: boolean, contract_price: Money, appraised_value: Money | null, };

export type ScheduleKind = "annuity" | "differentiated";

export type Loan = { amount: Money, down_payment: Money, term_months: number, schedule: ScheduleKind, grace_months: number, first_payment_date: IsoDate, };

export type InsuranceKind = "vehicle" | "non_repayment";

export type InsurancePolicy = { kind: InsuranceKind, policy: string, from: IsoDate, to: IsoDate, };

export type DocumentKind = "identity" | "income" | "purchase_contract" | "customs_declaration" | "down_payment_proof" | "other";

export type DocumentStatus = "pending" | "verified" | "rejected";

export type Document = { kind: DocumentKind, party: number, status: DocumentStatus, 
/**
 * The paper's own number (a payment order, a deposit account, a declaration).
 */
reference?: string, 
/**
 * The date the paper bears.
 */
date?: IsoDate, 
/**
 * Who marked the status and when (RFC 3339), and why when rejected.
 */
checked?: DocumentCheck, 
/**
 * The paper's version on its checklist line, from 1: a new scan after a rejection is
 * a new version with its own verdict; the rejected one stays on the case, rejected.
 * (Absent in a file: 1.)
 */
version?: number, };

export type LienStatus = "none" | "requested" | "registered" | "released" | "foreign";

export type Pledge = { vin_lien: LienStatus, 
/**
 * The other creditor the registry names for a foreign prohibition.
 */
creditor?: string, 
/**
 * The prohibition's timeline, oldest first: the underwriter's request and what the
 * Pledge Registry answered, each with its time.
 */
history?: Array<LienEvent>, };

export type LienEvent = { status: LienStatus, 
/**
 * RFC 3339: the registry's own time for what it did, the workstation's for a request.
 */
at: string, 
/**
 * The user who asked, or "Pledge Registry".
 */
by: string, note?: string, };

export type ReviewDecision = "approve" | "reject";

export type Review = { decision: ReviewDecision, maker: string, checker: string, 
/**
 * RFC 3339; checked in [`validate`].
 */
signed_at: string, case_version: number, };

export type HistorySource = { origin: HistoryOrigin, 
/**
 * When pulled or typed (RFC 3339).
 */
at: string, by: string, };

export type HistoryOrigin = "bureau" | "typed";

export type StateCheck = { status: RegisterStatus, registered_name: string | null, 
/**
 * Whether the registered name is the case's (letters compared, case and spacing aside).
 */
name_matches: boolean, at: string, };

export type RegisterStatus = "valid" | "expired" | "revoked" | "not_found";

export type DocumentCheck = { by: string, at: string, reason?: string, };

export type ScanList = { scans: Array<Attachment>, };

export type Attachment = { id: number, kind: string, party: number, file_name: string, media_type: string, pages: number, sha256: string, bytes: number, attached_at: string, attached_by: string, 
/**
 * The version of its checklist line the scan was attached to.
 */
doc_version: number | null, };

export type BureauReport = { pinfl: string, 
/**
 * The day the bureau's data stands at.
 */
as_of: IsoDate, loans: Array<OpenLoan>, guarantees: Array<Guarantee>, overdue_amount: Money, overdue_days: number, episodes_90_plus: Array<Episode>, closed_loans: Array<ClosedLoan>, };

export type OpenLoan = { lender: string, kind: string, opened: IsoDate, amount: Money, outstanding: Money, monthly_payment: Money, };

export type Guarantee = { lender: string, 
/**
 * Whose loan the person guarantees.
 */
borrower: string, monthly_payment: Money, };

export type Episode = { lender: string, from: IsoDate, 
/**
 * None while the episode goes on.
 */
to: IsoDate | null, max_days_past_due: number, };

export type ClosedLoan = { lender: string, opened: IsoDate, closed: IsoDate, amount: Money, };

export type IdentityCheck = { valid: boolean, errors: Array<string>, sex: Sex | null, 
/**
 * The birth date the PINFL encodes, YYYY-MM-DD.
 */
birth_date: string | null, };

export type Sex = "male" | "female";

export type Disbursement = { 
/**
 * Manufacturer or official dealer: the advance the purchase contract asks to be paid
 * from the loan before delivery (stage 1); the rest of the loan is stage 2.
 */
advance?: Money, 
/**
 * Manufacturer or official dealer: the seller's notice that the car was delivered.
 */
delivery_notice?: DeliveryNotice, 
/**
 * The orders sent to the core bank, stage 1 before stage 2.
 */
orders?: Array<DisbursementOrder>, };

export type DeliveryNotice = { reference: string, date: IsoDate, };

export type Funds = "loan" | "down_payment";

export type DisbursementOrder = { 
/**
 * 1 or 2.
 */
stage: number, amount: Money, funds: Funds, 
/**
 * The seller, paid under the purchase contract.
 */
payee: string, 
/**
 * The day the money moves (the day the order was made).
 */
value_date: IsoDate, 
/**
 * RFC 3339.
 */
created_at: string, created_by: string, 
/**
 * The conditions as they stood when the order was made (the evidence it rests on).
 */
evidence: Array<Evidence>, };

export type Evidence = { code: string, status: string, message: string, };

export type Fact = { "kind": "advance", amount: Money, } | { "kind": "delivery_notice", reference: string, date: IsoDate, } | { "kind": "policy", policy: InsurancePolicy, } | { "kind": "down_payment_proof", status: DocumentStatus, reference: string | null, date: IsoDate | null, };

export type StagePlan = { stage: number, 
/**
 * What the stage is, in the rule book's words for the case's seller.
 */
description: string, funds: Funds, 
/**
 * `None` while the amount cannot be known (the advance is not recorded).
 */
amount: Money | null, blockers: Array<BlockerView>, order: DisbursementOrder | null, };

export type BlockerView = { code: string, message: string, };

export type DisbursementView = { case_id: string, version: number, 
/**
 * The review workflow's stage: only an approved case moves money.
 */
stage: Stage, seller_kind: SellerKind, vin: string, lien: Pledge, 
/**
 * The workstation's request waits in the outbox (the bank is not reached yet).
 */
request_waiting: boolean, 
/**
 * §6 as it stands for money moving today.
 */
conditions: Array<Condition>, stages: Array<StagePlan>, advance: Money | null, delivery_notice: DeliveryNotice | null, 
/**
 * The bank's business day (Tashkent) the view was worked out for.
 */
today: IsoDate, };

export type AgreementPreview = { case_id: string, version: number, 
/**
 * The first 12 hex digits of the case version's SHA-256, as every page shows it.
 */
short_hash: string, lang: string, 
/**
 * One SVG document per page.
 */
pages: Array<string>, };

export type PrintedFile = { path: string, opened: boolean, };

export type WhatIfReport = { 
/**
 * The revised configuration's name.
 */
product: string, 
/**
 * Open cases evaluated.
 */
cases: number, changed: Array<WhatIfCase>, 
/**
 * Stored cases that could not be read (named, with the reason), left out.
 */
unreadable: Array<string>, };

export type WhatIfCase = { case_id: string, status: string, borrower: string, before: Decision, after: Decision, 
/**
 * Rules that fail under the revision and did not before (with the revised limits).
 */
now_failing: Array<Reason>, 
/**
 * Rules that failed before and pass under the revision.
 */
no_longer_failing: Array<Reason>, };

export type Change = { before: Decision, after: Decision, 
/**
 * Rules that fail under the revision and did not before (with the revised limits).
 */
now_failing: Array<Reason>, 
/**
 * Rules that failed before and pass under the revision.
 */
no_longer_failing: Array<Reason>, };

export type Exported = { path: string, rows: number, };

export type Dashboard = { cases: number, 
/**
 * Each person's load, by staff id.
 */
workload: Array<Workload>, 
/**
 * Workflow stage → cases, in the workflow's order.
 */
pipeline: Array<Count>, 
/**
 * The engine's decision → cases (approve, refer, reject).
 */
decisions: Array<Count>, 
/**
 * Rule ID → cases the engine rejects on it, most first.
 */
rejections_by_rule: Array<Count>, counter_offers_issued: number, counter_offers_taken: number, time_to_decision: DecisionTimes | null, 
/**
 * None until the first answer from the core bank.
 */
portfolio: PortfolioView | null, 
/**
 * The passport's planned cost of risk (for the panel's reference line).
 */
planned_cost_of_risk: string | null, 
/**
 * Paid-out cases whose VIN is no longer under the bank's prohibition (the lien watch).
 */
lien_alerts: Array<LienAlert>, };

export type Workload = { person: string, assigned_open: number, submitted: number, signed: number, decided: number, median_seconds: number | null, };

export type Count = { key: string, n: number, };

export type DecisionTimes = { signed: number, median_seconds: number, p90_seconds: number, };

export type PortfolioView = { fetched_at: string, bank: ScopeHealth, branches: Array<BranchView>, };

export type BranchView = { branch: string, cases: number, approved: number, rejected: number, as_of: string | null, 
/**
 * None when the bank keeps no book for the branch.
 */
health: ScopeHealth | null, };

export type ScopeHealth = { branch: string | null, 
/**
 * Outstanding principal, decimal text.
 */
portfolio: string, figures: Array<Figure>, suspended: boolean, };

export type Figure = { measure: Measure, 
/**
 * The share (0.0312 = 3.12 %), to four places; None without outstanding principal.
 */
share: string | null, limit: string, breached: boolean, };

export type Measure = "past_due_30" | "npl" | "cost_of_risk";

export type Decision = "approve" | "reject" | "refer";

export type Rule = "P-CIT" | "P-AGE-MIN" | "P-AGE-MAX" | "P-CO-MAX" | "P-JOB" | "P-INC-6M" | "P-INC-AVG" | "P-INC-IE-ACC" | "P-DEBT-OK" | "P-OVERDUE" | "P-90DPD" | "P-DTI" | "P-VEH-CAT" | "P-VEH-NEW" | "P-VEH-SELLER" | "P-VEH-LIEN" | "P-VIN" | "P-CUSTOMS" | "P-TERM" | "P-RATE" | "P-MAX" | "P-DOWN" | "P-LTV" | "P-SCHED" | "P-GRACE" | "P-SUM" | "C-INS-VEH" | "C-INS-NR" | "C-DOWN" | "C-LIEN" | "P-DOCS" | "P-DOCS-REJ" | "P-STOP";

export type Reason = { rule: Rule, code: string, message: string, value: string | null, limit: string | null, 
/**
 * The passport section the rule belongs to (1–9), for grouping on screen.
 */
section: number, };

export type Warning = { rule: Rule, code: string, message: string, };

export type ConditionStatus = "met" | "open" | "failed";

export type Condition = { rule: Rule, code: string, status: ConditionStatus, message: string, };

export type Metrics = { rate: string | null, average_monthly_income: string, dti: string | null, ltv: string, down_payment_ratio: string, max_monthly_payment: string | null, total_interest: string | null, total_payable: string | null, effective_annual_rate: string | null, maturity_date: IsoDate | null, };

export type CounterOffer = { term_months: number, amount: Money, max_monthly_payment: Money, };

export type Evaluation = { decision: Decision, reasons: Array<Reason>, warnings: Array<Warning>, conditions: Array<Condition>, metrics: Metrics, schedule: Array<ScheduleRow> | null, counter_offer: Array<CounterOffer> | null, 
/**
 * Per-source and per-party income detail behind `average_monthly_income`.
 */
income: HouseholdIncome, };

export type ScheduleRow = { n: number, date: IsoDate, payment: Money, principal: Money, interest: Money, balance: Money, };

export type HouseholdIncome = { period: Array<YearMonth>, sources: Array<SourceIncome>, parties: Array<PartyIncome>, average_monthly_income: Money, };

export type SourceIncome = { party: number, source: number, kind: IncomeKind, payer: string | null, weight: string, window_total: Money, missing_months: Array<YearMonth>, excluded: Exclusion | null, };

export type PartyIncome = { party: number, average_monthly_income: Money, listed_sources: number, usable_sources: number, };

export type Exclusion = "history_short" | "ie_account_not_at_bank";

export type VinReport = { vin: string, valid: boolean, errors: Array<string>, warnings: Array<string>, wmi: string | null, model_year: number | null, check_digit: CheckDigit | null, manufacturer: string | null, country: string | null, };

export type CheckDigit = "ok" | "mismatch" | "not_required";

export type StatementIncome = { period: Array<YearMonth>, sources: Array<StatementSource>, average_monthly_income: Money, flags: Array<Flag>, transactions: Array<ClassifiedTransaction>, };

export type StatementSource = { kind: IncomeKind, payer: string, payer_inn: string, months: Record<string, string>, weight: string, 
/**
 * Every credit of the source came into an account at this bank (by МФО).
 */
at_this_bank: boolean, usable: boolean, reasons: Array<string>, };

export type Flag = { code: string, file: string, line: number | null, message: string, };

export type ClassifiedTransaction = { file: string, line: number, date: IsoDate | null, amount: Money, direction: Direction, payer: string, payer_inn: string, purpose: string, kind: IncomeKind | null, excluded: string | null, reason: string, };

export type Direction = "credit" | "debit";

export type OfficialIncome = { at: string, records: Array<OfficialRecord>, };

export type OfficialRecord = { month: YearMonth, kind: IncomeKind, payer: string, payer_inn: string, amount: Money, };

export type OfficialComparison = { 
/**
 * When the service answered.
 */
at: string, 
/**
 * The configured share above which a gap is flagged, as a percentage ("10.00").
 */
limit_percent: string, sources: Array<SourceComparison>, flags: Array<Flag>, };

export type SourceComparison = { kind: IncomeKind, 
/**
 * The payer as the service names it; empty when it does not know the source.
 */
official_payer: string, 
/**
 * The payer as the statements name it; empty when they do not show the source.
 */
statement_payer: string, matched: Matched, months: Array<MonthPair>, official_total: Money, statements_total: Money, 
/**
 * The gap as a percentage with two decimals ("12.50").
 */
gap_percent: string, flagged: boolean, };

export type MonthPair = { month: YearMonth, official: Money | null, statements: Money, };

export type Matched = "inn" | "name" | "only_one" | "unmatched";

export type QueueQuery = { status: string | null, assignee: string | null, branch: string | null, 
/**
 * Matches the start of the case id, borrower name, PINFL or VIN.
 */
search: string | null, 
/**
 * Leaves out the cases this user made or edited (a reviewer's inbox: submitted, not
 * shaped by me).
 */
not_made_by: string | null, 
/**
 * Only the cases of this person's review inbox as the bank last served it here.
 */
inbox_of: string | null, sort: SortKey, descending: boolean, offset: number, 
/**
 * 1..=500; 0 means the default of 50.
 */
limit: number, };

export type QueueRow = { case_id: string, version: number, borrower_name: string, amount: string, term_months: number, status: string, decision: string | null, assignee: string | null, branch: string, application_date: string, received_at: string, 
/**
 * When the case was last given to its assignee (None while unassigned).
 */
assigned_at: string | null, 
/**
 * The SLA deadline and when it turns due-soon; the store leaves them empty, the
 * service fills them from the queue rules (uw_domain::sla).
 */
due_at: string | null, due_soon_at: string | null, 
/**
 * The approval's open conditions beyond §6 (the queue's badge) and the earliest due
 * date among them (`YYYY-MM-DD`).
 */
open_conditions: number, conditions_due: string | null, };

export type QueuePage = { rows: Array<QueueRow>, total: number, offset: number, };

export type SortKey = "case_id" | "borrower" | "amount" | "term" | "status" | "decision" | "received" | "assignee" | "branch";

export type CaseEvent = { id: number, at: string, actor: string, kind: string, detail: string, };

export type StoredNote = { note_id: string, author: string, written_at: string, text: string, bank_at: string | null, };

export type LienAlert = { case_id: string, 
/**
 * released | foreign (or any status but registered)
 */
status: string, creditor: string | null, 
/**
 * When the watch first saw it.
 */
since: string, checked_at: string, };

export type ConditionView = { condition: ApprovalCondition, 
/**
 * Open with its due date behind the bank's business day.
 */
overdue: boolean, 
/**
 * An act made here waits for the bank (with a bank only); with a bank, a close
 * counts once the bank accepted it.
 */
waiting: boolean, 
/**
 * The bank refused this condition's raise (its code and words): it holds nothing.
 */
refused: string | null, 
/**
 * Whether the logged-in person may meet it, or waive it, now (the service's own
 * check, run dry: the window offers what would be accepted).
 */
may_meet: boolean, may_waive: boolean, };

export type AssignmentView = { case_id: string, assignee: string | null, 
/**
 * The person may take the case now (an underwriter; the case an unassigned draft).
 */
may_claim: boolean, 
/**
 * The person may give it to someone else (a supervisor; the case a draft).
 */
may_reassign: boolean, 
/**
 * An assignment made here waits to be sent to the bank.
 */
waiting: boolean, };

export type ApprovalCondition = { condition_id: string, text: string, owner: string, due: IsoDate, 
/**
 * The disbursement stage (1 or 2) that waits for it, and every later one.
 */
stage: number, raised_by: string, raised_at: string, status: ConditionState, 
/**
 * Who met or waived it, when, and the evidence or the reason.
 */
closed_by: string | null, closed_at: string | null, words: string | null, };

export type ConditionState = "open" | "met" | "waived";

export type NewCondition = { text: string, owner: string, 
/**
 * `YYYY-MM-DD`.
 */
due: string, stage: number, };

export type ConditionClosing = "meet" | "waive";

export type AppError = { code: ErrorCode, message: string, };

export type ErrorCode = "INVALID_CASE" | "INVALID_INPUT" | "NOT_FOUND" | "CASE_EXISTS" | "ALREADY_EXISTS" | "VERSION_CONFLICT" | "STORE_FOREIGN" | "STORE_WRONG_KEY" | "STORE_TOO_NEW" | "STORE_PLAIN" | "STORE_KEY_MISSING" | "STORE_LOCKED" | "STORE_UNAVAILABLE" | "IO" | "NOT_LOGGED_IN" | "AUTH_FAILED" | "TOTP_REQUIRED" | "TOTP_REUSED" | "SESSION_LOCKED" | "ACCOUNT_LOCKED" | "MISSING_ROLE" | "SELF_REVIEW" | "EDITOR_REVIEW" | "AWAITING_BANK" | "SIGNATURE_INVALID" | "KEY_UNKNOWN" | "KEY_REVOKED" | "HASH_MISMATCH" | "NOT_SUBMITTED" | "ALREADY_DECIDED" | "CASE_UNDER_REVIEW" | "NOT_APPROVED" | "CASE_DECIDED" | "STALE_STATEMENT" | "OWNED_FIELD" | "TERMS_CHANGED" | "ACCOUNT_DISABLED" | "ACCOUNT_REMOVED" | "DIRECTORY_UNREACHABLE" | "DIRECTORY_TLS" | "DIRECTORY_CONFIG" | "DIRECTORY_BAD_ANSWER" | "PASSWORD_REFUSED" | "OFFLINE_LOGIN_EXPIRED" | "SIGNING_KEY_UNREADABLE" | "DIRECTORY_MODE" | "WRONG_STAGE" | "NOT_THE_MAKER" | "CASE_LOCKED" | "FIGURES_DIFFER" | "COMMENT_REQUIRED" | "NOTE_EMPTY" | "NOTE_TOO_LONG" | "NOTE_EXISTS" | "CONDITION_TEXT_REQUIRED" | "CONDITION_OWNER_REQUIRED" | "CONDITION_DUE_REQUIRED" | "CONDITION_DUE_INVALID" | "CONDITION_STAGE_INVALID" | "CONDITION_EVIDENCE_REQUIRED" | "CONDITION_REASON_REQUIRED" | "CONDITION_WAIVE_OWN" | "CONDITION_SECOND_PERSON" | "CONDITION_NOT_SUBMITTED" | "CONDITION_CLOSED" | "CONDITION_EXISTS" | "CONDITION_UNKNOWN" | "CONDITION_OPEN" | "ASSIGNMENT_CLOSED" | "ALREADY_ASSIGNED" | "ASSIGNMENT_CHANGED" | "ASSIGNEE_NOT_UNDERWRITER" | "VERDICT_FINAL" | "VIN_PLEDGED" | "ENGINE_NOT_APPROVE" | "EXCEPTION_REASON_REQUIRED" | "EXCEPTION_NO_AUTHORITY" | "EXCEPTION_OVER_LIMIT" | "AUDIT_BROKEN" | "AUDIT_UNANCHORED" | "AUDIT_NOT_EXTENDED" | "AUDIT_ROLLED_BACK" | "BANK_NOT_CONFIGURED" | "BANK_OFFLINE" | "BANK_REFUSED" | "BANK_BAD_ANSWER" | "DISBURSEMENT_BLOCKED" | "FOREIGN_LIEN" | "NOT_PRINTABLE" | "PRODUCT_SUSPENDED" | "NO_SUCH_OFFER" | "BACKUP_BEHIND_BANK" | "UNHEALTHY" | "FILE_OVER_LIMIT" | "READER_MISSING" | "STAFF_ID_TAKEN" | "SELF_ADMINISTRATION" | "LAST_ADMINISTRATOR" | "PASSWORD_CHANGE_REQUIRED" | "CA_NOT_PEM" | "CA_UNREADABLE" | "BANK_DNS" | "BANK_CONNECTION_REFUSED" | "BANK_TLS" | "BANK_TIMEOUT" | "BANK_UNAUTHORIZED" | "RECOVERY_KEY_TYPO" | "INTERNAL";

export type AppStatus = { data_dir: string, demo: boolean, case_count: number, product: string, actor: string, 
/**
 * Whether the last sync reached the core bank.
 */
online: boolean, 
/**
 * The window's language: the last choice made here, else the default (uz).
 */
language: string, };

export type CaseView = { case_id: string, version: number, status: string, received_at: string, updated_at: string, case: CaseFile, evaluation: Evaluation, vin: VinReport, required_documents: Array<RequiredDocument>, 
/**
 * Another user holds the case's edit lock: the window shows it read-only.
 */
editing_by: string | null, 
/**
 * Each party's PINFL and document checks (uw_domain::identity), in party order.
 */
identity_checks: Array<IdentityCheck>, };

export type RequiredDocument = { kind: DocumentKind, party: number, status: DocumentStatus | null, };

export type ImportReport = { imported: Array<string>, 
/**
 * What an imported file carried that only the system writes (the review block, a
 * register answer, a verdict's record…), dropped: "CASE: path".
 */
dropped: Array<string>, };

export type IncomeView = { case_id: string, party: number, 
/**
 * The application date: the window is the six months before its month.
 */
as_of: IsoDate, files: Array<AttachedStatement>, income: StatementIncome, reclassifications: Array<ReclassificationView>, 
/**
 * The party's `incomes` in the case are exactly the usable sources shown here.
 */
applied: boolean, 
/**
 * The official income service's months beside the statements', once it was asked.
 */
official: OfficialComparison | null, };

export type AttachedStatement = { id: number, file: string, format: string, encoding: string, period_from: IsoDate | null, period_to: IsoDate | null, documents: number, size: number, attached_at: string, attached_by: string, };

export type ReclassificationView = { file: string, line: number, kind: IncomeKind | null, note: string, at: string, actor: string, };

export type ReadProgress = { file: string, 
/**
 * 1-based index of the file being read, of `files`.
 */
index: number, files: number, bytes_read: number, bytes_total: number, 
/**
 * `reading`, then `analysing` once every byte is in.
 */
stage: string, };

export type Session = { username: string, display_name: string, admin: boolean, underwriter: boolean, reviewer: boolean, 
/**
 * Reassigns cases between underwriters.
 */
supervisor: boolean, mode: LoginMode, 
/**
 * Until when an offline login is possible (the directory modes).
 */
offline_until: string | null, 
/**
 * The branches the directory gives the person (none for a local account).
 */
branches: Array<string>, 
/**
 * Whether the bank holds the person's signing key: `enrolled`, `waiting` (the bank
 * not reached yet; statements signed meanwhile wait for it), `none` (standalone).
 */
signing_key: string, 
/**
 * The password was set by an administrator: the person changes it before anything
 * else (every other command is `PASSWORD_CHANGE_REQUIRED`).
 */
must_change_password: boolean, };

export type SessionStatus = { needs_setup: boolean, session: Session | null, 
/**
 * The demo's ready-made users are in the README; the login screen says so.
 */
demo: boolean, 
/**
 * Whose accounts log in here: the bank's directory (`directory`, with its address) or
 * this workstation's own (`standalone`).
 */
mode: string, directory: string | null, };

export type TotpSetup = { secret: string, uri: string, };

export type StoreState = { locked: boolean, new_store: boolean, 
/**
 * The language before the store (which remembers the choice) is open.
 */
default_language: string, };

export type NewUser = { username: string, display_name: string, 
/**
 * The bank's staff number of the person (one account per person). An administrator
 * gives it for every new user; the first administrator's defaults to the user name.
 */
staff_id?: string, password: string, admin: boolean, underwriter: boolean, reviewer: boolean, 
/**
 * Reassigns cases between underwriters (absent: no).
 */
supervisor?: boolean, };

export type ReviewView = { workflow: Workflow, 
/**
 * The actions `step` would accept from the current user now.
 */
allowed: Array<string>, 
/**
 * The figures worked out again now from the stored inputs, beside the maker's
 * (`workflow.proposal.figures`).
 */
rederived: Figures, 
/**
 * What differs between the two; while anything does, approval is refused.
 */
differences: Array<string>, 
/**
 * What an approval by the current user needs now.
 */
approval: ApprovalNeed, };

export type ApprovalNeed = { 
/**
 * The engine's decision on the stored case now.
 */
engine: string, 
/**
 * The approval would overrule the maker's proposal: it needs a reason.
 */
exception: boolean, 
/**
 * The current user's exception limit and the role it comes with (None: no authority).
 */
limit: string | null, limit_role: string | null, 
/**
 * Why the current user's approval would be refused now (its code), if it would.
 */
refused: AppError | null, };

export type Workflow = { stage: Stage, 
/**
 * Who submitted (the maker); set by the first submission.
 */
maker: string | null, 
/**
 * The maker's proposed decision and justification for the current submission.
 */
proposal: Proposal | null, 
/**
 * Everyone who changed the case's data since its first draft (the maker too): none of
 * them may sign it off. Never cleared. (Read from the field's earlier name, which held
 * only the editors since the last submission.)
 */
editors: Array<string>, 
/**
 * The reviewer's comment of the last return, for the maker.
 */
return_comment: string | null, 
/**
 * Who signed the approval or rejection.
 */
checker: string | null, 
/**
 * The version under review as the bank holds it: what a sign-off names.
 */
submitted: SubmittedVersion | null, 
/**
 * A statement signed here that the bank has not answered yet.
 */
pending: Pending | null, 
/**
 * The bank's last refusal of a statement signed here, for the window.
 */
refusal: BankRefusal | null, 
/**
 * When the bank accepted the decision; `None` for a decision of a standalone
 * workstation (no directory, no bank workflow).
 */
accepted_at: string | null, 
/**
 * The content hash of the approved terms (the case file without the evidence that
 * may follow a decision): printing and every disbursement order compare the case's
 * terms with it.
 */
approved_terms: string | null, 
/**
 * The approval's exception: it overruled the maker's proposal (`exception::approval`).
 */
exception: Exception | null, 
/**
 * The fingerprints of the maker's signed submission and the checker's signed
 * decision, as the bank accepted them (None: standalone, or not yet known here).
 */
maker_signature: string | null, checker_signature: string | null, 
/**
 * The words of the rejection that decided the case (as the bank accepted it).
 */
decision_comment: string | null, };

export type Stage = "draft" | "submitted" | "returned" | "approved" | "rejected";

export type Proposal = { decision: ReviewDecision, justification: string, 
/**
 * The figures the maker's decision rests on, as they stood at submission.
 */
figures: Figures, };

export type Figures = { average_monthly_income: string, dti: string | null, ltv: string, max_monthly_payment: string | null, };

export type SubmittedVersion = { version: number, hash: string, };

export type Pending = { 
/**
 * submit | approve | reject | return
 */
action: string, signer: string, signed_at: string, 
/**
 * A reject's or return's words (applied when the bank accepts).
 */
comment: string | null, 
/**
 * Where the case stood before (a refused submission reopens it there).
 */
was_stage: Stage, was_maker: string | null, 
/**
 * An approval's exception (applied when the bank accepts).
 */
exception: Exception | null, 
/**
 * The fingerprint of the statement's signature (kept when the bank accepts).
 */
fingerprint: string | null, };

export type BankRefusal = { action: string, signer: string, code: string, message: string, at: string, };

export type Exception = { 
/**
 * The checker's reason, in their words.
 */
reason: string, 
/**
 * What the approval overrules: the maker's proposal.
 */
overrules: ReviewDecision, 
/**
 * The loan amount approved (None when the desk learnt the exception from the bank).
 */
amount: Money | null, 
/**
 * The role whose limit the approval rests on, and that limit (None when the desk
 * learnt the exception from the bank and does not know the signer's roles).
 */
role: string | null, limit: Money | null, };

export type LoginMode = "standalone" | "directory" | "offline";

export type RefusedStatement = { case_id: string, 
/**
 * edit | submit | approve | reject | return | order_stage_1 | order_stage_2
 */
action: string, signer: string, code: string, message: string, };

export type AuditEntry = { id: number, at: string, actor: string, action: string, case_id: string | null, detail: string, };

export type BackupSummary = { file: string, bytes: number, cases: number, scans: number, 
/**
 * The audit trail's last entry (id and hash): what the bank's anchor is compared with.
 */
audit_entries: number, audit_head: [number, string] | null, };

export type SyncStatus = { configured: boolean, bank_url: string | null, 
/**
 * Whether the last pass reached the bank (`None` before the first).
 */
online: boolean | null, waiting: number, conflicts: number, last_success: string | null, last_error: string | null, last_error_at: string | null, 
/**
 * The bank refused the audit trail's head (`AUDIT_NOT_EXTENDED`: the trail was cut,
 * rewritten or the store put back from an old copy), until it takes one again.
 */
audit_alarm: string | null, };

export type SyncReport = { pushed: number, pulled_new: number, pulled_updated: number, conflicts: number, 
/**
 * Entries still waiting after the pass.
 */
waiting: number, online: boolean, 
/**
 * One line per entry or application that failed, naming its case.
 */
errors: Array<string>, 
/**
 * The signed statements the bank refused in this pass, each with its code.
 */
refused: Array<RefusedStatement>, };

export type ConflictView = { id: number, case_id: string, detected_at: string, local_version: number, bank_version: number, differences: Array<FieldDifference>, 
/**
 * Both versions, whole.
 */
local: unknown, bank: unknown, resolved_at: string | null, resolved_by: string | null, resolution: string | null, };

export type FieldDifference = { field: string, local: unknown, bank: unknown, };

export type Keep = "local" | "bank";

export type UserView = { username: string, display_name: string, staff_id: string, admin: boolean, underwriter: boolean, reviewer: boolean, supervisor: boolean, 
/**
 * Until when failed logins lock the account; `None` when it is not locked now.
 */
locked_until: string | null, failed_logins: number, second_factor: boolean, must_change_password: boolean, deactivated_at: string | null, last_login_at: string | null, };

export type UserRoles = { admin: boolean, underwriter: boolean, reviewer: boolean, 
/**
 * Reassigns cases between underwriters (absent: no).
 */
supervisor?: boolean, };

export type AdminSettings = { 
/**
 * Whose accounts log in now: `standalone` or `directory`.
 */
mode: string, idle_minutes: number, language: string, bank: BankSettings, backup: BackupSettings, directory: DirectorySettings, };

export type BankSettings = { 
/**
 * The address in use when given from outside (`UW_BANK_URL`): the saved settings
 * wait meanwhile.
 */
environment_url: string | null, url: string, 
/**
 * Whether a token is saved (never the token).
 */
token_set: boolean, branch: string, ca_bundle: CaBundleView | null, };

export type CaBundleView = { 
/**
 * The file it was read from.
 */
source: string, 
/**
 * Kept as text in the store (`false`: an earlier version's path, read at each use).
 */
stored: boolean, certificates: number, 
/**
 * SHA-256 of the text, to compare with the bundle the bank published.
 */
sha256: string, };

export type BankInput = { 
/**
 * Empty: no bank (a workstation on its own).
 */
url: string, 
/**
 * A new token (write-only); `None` keeps the saved one.
 */
token: string | null, branch: string, 
/**
 * A CA bundle file to read now; its text is kept.
 */
ca_file: string | null, 
/**
 * Drops the saved bundle: the built-in public roots again.
 */
clear_ca: boolean, };

export type BackupSettings = { 
/**
 * Absolute; empty: no daily backup.
 */
folder: string, 
/**
 * HH:MM, the workstation's local time.
 */
time: string, 
/**
 * How many backups are kept (1–90).
 */
keep: number, };

export type DirectorySettings = { 
/**
 * People log in with the directory now.
 */
active: boolean, 
/**
 * The directory in use was given from outside (`UW_DIRECTORY_CONFIG`).
 */
from_environment: boolean, 
/**
 * A configuration is saved (used from the next start, unless one is given from outside).
 */
saved: boolean, url: string, starttls: boolean, ca_file: string, base_dn: string, user_attribute: string, branch_attribute: string, service_dn: string, 
/**
 * Whether a bind password is saved (never the password).
 */
service_password_set: boolean, underwriter_group: string, reviewer_group: string, administrator_group: string, 
/**
 * Empty: no supervisors.
 */
supervisor_group: string, disabled_filter: string, };

export type DirectoryInput = { url: string, starttls: boolean, ca_file: string, base_dn: string, user_attribute: string, branch_attribute: string, 
/**
 * Empty: no service account (an anonymous search).
 */
service_dn: string, 
/**
 * A new bind password (write-only); `None` keeps the saved one.
 */
service_password: string | null, underwriter_group: string, reviewer_group: string, administrator_group: string, 
/**
 * Empty: no supervisors (no one reassigns cases).
 */
supervisor_group: string, disabled_filter: string, };

export type NewRecoveryKey = { 
/**
 * The 13 groups of 5, in order.
 */
groups: Array<string>, data_dir: string, };

export type Recovered = { store: string, 
/**
 * The keyring keeps the key again; if not, the store is open for this run only.
 */
keyring_restored: boolean, 
/**
 * Why the keyring did not take it.
 */
keyring_error: string | null, };

export type SupportBundle = { file: string, bytes: number, 
/**
 * The log files it holds, by name (`logs/uw.2026-12-01.log`).
 */
log_files: Array<string>, 
/**
 * Whether every check of the health report passed.
 */
healthy: boolean, };

export type WorkProgress = { 
/**
 * One command's run; its events share it.
 */
id: number, 
/**
 * The command's name (`pull_bureau`): the window words it.
 */
command: string, 
/**
 * The case it works on, when it is one case's.
 */
case_id: string | null, 
/**
 * Whole seconds since it started.
 */
seconds: number, state: WorkState, 
/**
 * Why it failed (`failed` only).
 */
error: AppError | null, };

export type WorkState = "running" | "done" | "failed";
