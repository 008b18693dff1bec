// The vehicle step: the car, its seller and its VIN, checked as typed.
import { useEffect, useState } from "react";
import type { CaseFile, Evaluation, VinReport } from "../bindings";
import { api } from "../api";
import { type Key } from "../i18n";
import { Field, type Edit } from "./Field";
import { useWords } from "../language";

const CATEGORIES: { code: string; text: Key }[] = [
  { code: "M1", text: "cat.M1" },
  { code: "M2", text: "cat.M2" },
  { code: "N1", text: "cat.N1" },
];

const SELLERS: { kind: string; text: Key }[] = [
  { kind: "manufacturer", text: "sellerText.manufacturer" },
  { kind: "official_dealer", text: "sellerText.official_dealer" },
  { kind: "dealer_in_stock", text: "sellerText.dealer_in_stock" },
  { kind: "private_person", text: "sellerText.private_person" },
];

export function Vehicle({ draft, edit, savedVin, evaluation, onLien }: { draft: CaseFile; edit: Edit; savedVin: VinReport; evaluation: Evaluation | null; onLien: () => void }) {
  const { t, word, explain, detail } = useWords();
  const [vin, setVin] = useState<VinReport>(savedVin);
  useEffect(() => {
    const t = setTimeout(() => api.checkVin(draft.vehicle.vin).then(setVin, () => undefined), 120);
    return () => clearTimeout(t);
  }, [draft.vehicle.vin]);
  const v = draft.vehicle;
  const appYear = Number(draft.application_date.slice(0, 4));
  const category = CATEGORIES.find((c) => c.code === v.category);
  const vehicleReasons = (evaluation?.reasons ?? []).filter((r) => r.section === 4);
  const customsDoc = draft.documents.find((d) => d.kind === "customs_declaration");
  return (
    <div className="cards">
      <div className="card">
        <h3>{t("veh.title")}</h3>
        <div className="form">
          <Field label="veh.vin" path="vehicle.vin" draft={draft} edit={edit} />
          <div className={`vin ${vin.valid ? (vin.warnings.length ? "warn" : "ok") : "bad"}`} data-testid="vin-report" data-valid={String(vin.valid)}>
            {vin.valid ? (vin.warnings.length ? t("veh.validWarn") : t("veh.valid")) : t("veh.invalid")}
            {vin.errors.map((e) => <div key={e} className="bad">✗ {e}</div>)}
            {vin.warnings.map((w) => <div key={w} className="warn">⚠ {w}</div>)}
            {vin.valid && vin.model_year !== null && Math.abs(vin.model_year - Number(v.production_year)) > 1 && (
              <div className="warn" data-testid="vin-year">
                {t("veh.yearMismatch", { vinYear: vin.model_year, year: v.production_year })}
              </div>
            )}
            <div className="muted">
              WMI {vin.wmi ?? "—"} · {vin.manufacturer ?? t("veh.notInTable")} · {vin.country ?? "—"} · {t("veh.modelYear", { y: vin.model_year ?? "—" })} · {t("veh.checkDigit", { d: vin.check_digit ?? "—" })}
            </div>
          </div>
          <label className="field">
            <span>{t("veh.category")}</span>
            <select name="vehicle.category" value={category ? v.category : "other"} onChange={(e) => edit("vehicle.category", e.target.value === "other" ? "" : e.target.value)}>
              {CATEGORIES.map((c) => <option key={c.code} value={c.code}>{c.code} — {t(c.text)}</option>)}
              <option value="other">{t("veh.otherCategory")}</option>
            </select>
            {!category && <input name="vehicle.category.other" value={v.category} placeholder={t("veh.eg")} onChange={(e) => edit("vehicle.category", e.target.value)} />}
            <small className="muted">{category ? `${category.code}: ${t(category.text)}` : t("veh.onlyCats")}</small>
          </label>
          <Field label="veh.make" path="vehicle.make" draft={draft} edit={edit} />
          <Field label="veh.model" path="vehicle.model" draft={draft} edit={edit} />
          <Field label="veh.year" path="vehicle.production_year" draft={draft} edit={edit} kind="int" hint={t("veh.newHint", { prev: appYear - 1, year: appYear })} />
          <Field label="veh.neverUsed" path="vehicle.new" draft={draft} edit={edit} kind="bool" />
          <label className="field">
            <span>{t("veh.seller")}</span>
            <select name="vehicle.seller_kind" value={v.seller_kind} onChange={(e) => edit("vehicle.seller_kind", e.target.value)}>
              {SELLERS.map((o) => <option key={o.kind} value={o.kind}>{word("seller", o.kind)}</option>)}
            </select>
            <small className="muted">{(() => { const s = SELLERS.find((o) => o.kind === v.seller_kind); return s ? t(s.text) : ""; })()}</small>
          </label>
          <Field label="veh.vat" path="vehicle.customs_vat_applies" draft={draft} edit={edit} kind="bool" />
          {v.customs_vat_applies && (
            <div className="warn small" data-testid="customs-required">
              {t("veh.customsRequired")}{" "}
              <b>{customsDoc ? word("doc", customsDoc.status) : t("veh.notPresented")}</b>.
            </div>
          )}
          <Field label="veh.price" path="vehicle.contract_price" draft={draft} edit={edit} kind="money" />
          <Field label="veh.appraised" path="vehicle.appraised_value" draft={draft} edit={edit} kind="optional-money" hint={t("veh.ltvHint")} />
        </div>
        <div data-testid="vehicle-rules">
          {vehicleReasons.length === 0 ? (
            <p className="ok">{t("veh.rulesPass")}</p>
          ) : (
            vehicleReasons.map((r) => (
              <div key={r.rule} className="reason bad" data-rule={r.rule} title={detail(r.message)}><span className="mono">{r.rule} {r.code}</span> {explain(r.code, r.message)}</div>
            ))
          )}
        </div>
      </div>
      <div className="card">
        <h3>{t("veh.registry")}</h3>
        <p>{t("veh.prohibition")} <b data-testid="vehicle-lien">{word("lien", draft.pledge.vin_lien)}</b>{draft.pledge.creditor ? ` (${draft.pledge.creditor})` : ""}</p>
        <p className="muted small">
          {t("veh.registryNote")}
        </p>
        <button onClick={onLien}>{t("step.disbursement")} ›</button>
      </div>
    </div>
  );
}
