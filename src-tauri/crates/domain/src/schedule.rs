//! Repayment schedules exactly as `assets/spec/schedule.md` states them.
//!
//! Every amount is a `Decimal` rounded half-up to the product's rounding unit at the points
//! the spec names (each row's interest, the annuity payment, the differentiated principal
//! part); the last row absorbs what rounding left. The only float in this module lives
//! inside the effective-rate search, and its result is converted back to `Decimal` before
//! the final power and rounding.
//!
//! The amount is [`Money`] (at most 10^15 UZS) and every figure of a row must be Money too:
//! a figure beyond that bound, or a power of the monthly rate too large for `Decimal`, is a
//! [`ScheduleError`], never a panic.

use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::Decimal;
use serde::Serialize;
use ts_rs::TS;

use crate::case::ScheduleKind;
use crate::money::{round_to_unit, within_limit, Date, Money, MoneyError};
use crate::product::DayCount;

mod tiyin;

#[derive(Clone, Debug, PartialEq)]
pub struct ScheduleInput {
    pub amount: Money,
    pub annual_rate: Decimal,
    pub term_months: u32,
    pub kind: ScheduleKind,
    pub grace_months: u32,
    pub first_payment: Date,
    /// Defaults to one month before the first payment (see [`default_disbursement`]).
    pub disbursed: Date,
    pub day_count: DayCount,
    /// A whole number of tiyin, as `validate_product` requires of the product's.
    pub rounding_unit: Decimal,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct ScheduleRow {
    pub n: u32,
    pub date: Date,
    pub payment: Money,
    pub principal: Money,
    pub interest: Money,
    pub balance: Money,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Schedule {
    pub rows: Vec<ScheduleRow>,
    pub total_interest: Decimal,
    pub max_payment: Money,
    pub maturity: Date,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("the term must be at least 1 month")]
    NoTerm,
    #[error("a grace period is allowed only with the differentiated schedule")]
    GraceWithAnnuity,
    #[error("a grace period of {grace} months leaves no month to repay principal in a {term}-month term")]
    GraceTooLong { grace: u32, term: u32 },
    #[error("the amount must be greater than zero")]
    NoAmount,
    #[error("a figure of the schedule is not an amount: {0}")]
    Figure(#[from] MoneyError),
}

pub fn default_disbursement(first_payment: Date) -> Date {
    first_payment.sub_months(1)
}

/// The date of row `n` (1-based): the first payment date plus n − 1 months, clamped to the
/// month's last day. Always counted from the first date, so 31 Jan → 28 Feb → 31 Mar.
pub fn row_date(first_payment: Date, n: u32) -> Date {
    first_payment.add_months(n - 1)
}

pub fn build(input: &ScheduleInput) -> Result<Schedule, ScheduleError> {
    let mut rows = Vec::with_capacity(input.term_months as usize);
    let totals = walk(input, Growth::Compute, None, |row| rows.push(row))?;
    Ok(Schedule {
        rows,
        total_interest: totals.interest,
        max_payment: totals.max_payment,
        maturity: totals.maturity,
    })
}

/// The largest payment of [`build`]'s schedule, or its error, without keeping the rows,
/// for schedules that differ only in the amount: what the counter-offer search asks of
/// every amount it tries. The annuity's growth factor (1 + i)^n, n
/// multiplications at full precision, depends on the rate and the term alone: computed
/// once here rather than for every amount.
pub struct MaxPayments {
    input: ScheduleInput,
    growth: Growth,
    /// The rows' dates, which the amount does not change either.
    dates: Vec<Date>,
}

impl MaxPayments {
    /// The terms of `input`; its amount is not used.
    pub fn new(input: ScheduleInput) -> MaxPayments {
        let growth = match input.kind {
            ScheduleKind::Annuity => {
                Growth::Known(growth(monthly_rate(input.annual_rate), input.term_months))
            }
            ScheduleKind::Differentiated => Growth::Compute,
        };
        let dates = (1..=input.term_months)
            .map(|k| row_date(input.first_payment, k))
            .collect();
        MaxPayments {
            input,
            growth,
            dates,
        }
    }

    /// The largest payment with `amount`: `build`'s `max_payment`, or its error.
    pub fn at(&self, amount: Money) -> Result<Money, ScheduleError> {
        let input = ScheduleInput {
            amount,
            ..self.input.clone()
        };
        walk(&input, self.growth, Some(&self.dates), |_| ()).map(|t| t.max_payment)
    }
}

/// The annuity's (1 + i)^n: computed by [`walk`], or known already (`None`: beyond
/// `Decimal`'s range).
#[derive(Clone, Copy)]
enum Growth {
    Compute,
    Known(Option<Decimal>),
}

fn monthly_rate(annual: Decimal) -> Decimal {
    annual / Decimal::from(12)
}

/// What [`walk`] sums over the rows.
struct Totals {
    interest: Decimal,
    max_payment: Money,
    maturity: Date,
}

/// Every row of the schedule in order, given to `row`, and the totals over them; the one
/// computation behind [`build`] and [`MaxPayments`], so they cannot disagree. The rows of
/// every real loan are counted in whole tiyin ([`tiyin`], the same figures several times
/// faster); any other schedule in `Decimal`.
fn walk(
    input: &ScheduleInput,
    known: Growth,
    dates: Option<&[Date]>,
    row: impl FnMut(ScheduleRow),
) -> Result<Totals, ScheduleError> {
    let parts = Parts::of(input, known)?;
    if let Some(terms) = tiyin::Terms::new(input, &parts) {
        return Ok(terms.walk(input, dates, row));
    }
    decimal_walk(input, &parts, dates, row)
}

/// What a schedule computes once, before its rows: the annuity payment, or the
/// differentiated principal part, each rounded to the unit.
struct Parts {
    annuity: Option<Decimal>,
    principal_part: Decimal,
}

impl Parts {
    /// The parts, or why `input` has no schedule.
    fn of(input: &ScheduleInput, known: Growth) -> Result<Parts, ScheduleError> {
        let n = input.term_months;
        if n == 0 {
            return Err(ScheduleError::NoTerm);
        }
        if input.amount <= Money::ZERO {
            return Err(ScheduleError::NoAmount);
        }
        let g = input.grace_months;
        if g > 0 && input.kind == ScheduleKind::Annuity {
            return Err(ScheduleError::GraceWithAnnuity);
        }
        if g >= n {
            return Err(ScheduleError::GraceTooLong { grace: g, term: n });
        }
        let amount = input.amount.decimal();
        let annuity = match input.kind {
            ScheduleKind::Annuity => {
                let i = monthly_rate(input.annual_rate);
                let q = match known {
                    Growth::Known(q) => q,
                    Growth::Compute => growth(i, n),
                };
                Some(rounded(
                    input,
                    q.and_then(|q| annuity_payment(amount, i, q, n)),
                )?)
            }
            ScheduleKind::Differentiated => None,
        };
        let principal_part = rounded(input, Some(amount / Decimal::from(n - g)))?;
        Ok(Parts {
            annuity,
            principal_part,
        })
    }
}

/// Row `k`'s date: from `dates` when given (the counter-offer search computes them once),
/// else from the first payment date.
fn date_of(input: &ScheduleInput, dates: Option<&[Date]>, k: u32) -> Date {
    match dates.and_then(|d| d.get(k as usize - 1)) {
        Some(d) => *d,
        None => row_date(input.first_payment, k),
    }
}

/// A computed figure rounded to the unit, or refused beyond ±10^15. Every figure is: so no
/// sum of two overflows, and neither does the division inside the rounding.
fn rounded(input: &ScheduleInput, x: Option<Decimal>) -> Result<Decimal, ScheduleError> {
    x.filter(|x| within_limit(*x))
        .map(|x| round_to_unit(x, input.rounding_unit))
        .ok_or(ScheduleError::Figure(MoneyError::AboveLimit))
}

/// [`walk`]'s rows in `Decimal`, as the spec states them.
fn decimal_walk(
    input: &ScheduleInput,
    parts: &Parts,
    dates: Option<&[Date]>,
    mut row: impl FnMut(ScheduleRow),
) -> Result<Totals, ScheduleError> {
    let (n, g) = (input.term_months, input.grace_months);
    let rate = input.annual_rate;
    let twelve = Decimal::from(12);
    let days_in_year = Decimal::from(365);
    // Checked: a rate or a day count no product allows could overflow the product.
    let interest_for = |balance: Decimal, from: Date, to: Date| -> Result<Decimal, ScheduleError> {
        rounded(
            input,
            match input.day_count {
                DayCount::Thirty360 => balance.checked_mul(rate).map(|x| x / twelve),
                DayCount::Actual365 => balance
                    .checked_mul(rate)
                    .and_then(|x| x.checked_mul(Decimal::from(from.days_until(to))))
                    .map(|x| x / days_in_year),
            },
        )
    };

    // A `Decimal` sum of up to 2^32 rows of at most 10^15 each stays far inside its range.
    let mut total_interest = Decimal::ZERO;
    // The last of equal largest payments, as `Iterator::max` over the rows takes it.
    let mut max_payment: Option<Money> = None;
    let mut balance = input.amount.decimal();
    let mut prev = input.disbursed;
    for k in 1..=n {
        let date = date_of(input, dates, k);
        let interest = interest_for(balance, prev, date)?;
        let principal = if k == n {
            balance
        } else if let Some(a) = parts.annuity {
            (a - interest).clamp(Decimal::ZERO, balance)
        } else if k <= g {
            Decimal::ZERO
        } else {
            parts.principal_part.min(balance)
        };
        // 0 ≤ principal ≤ balance: the difference is exact.
        balance -= principal;
        let r = ScheduleRow {
            n: k,
            date,
            payment: Money::try_from_decimal(principal + interest)?,
            principal: Money::try_from_decimal(principal)?,
            interest: Money::try_from_decimal(interest)?,
            balance: Money::try_from_decimal(balance)?,
        };
        total_interest += r.interest.decimal();
        if max_payment.is_none_or(|m| r.payment >= m) {
            max_payment = Some(r.payment);
        }
        row(r);
        prev = date;
    }
    Ok(Totals {
        interest: total_interest,
        max_payment: max_payment.unwrap_or_default(),
        // n ≥ 1 rows: the last one's date.
        maturity: prev,
    })
}

/// q = (1 + i)^n by n multiplications, exact to Decimal's 28 digits. `None` when a term
/// far beyond any product's takes it out of `Decimal`'s range.
///
/// A product has a handful of rates and terms, so a batch of cases asks for the same few
/// factors again and again (each evaluation for up to seven terms): each thread remembers
/// the last ones it computed, keyed by i's exact representation. A remembered factor is
/// the one the multiplications give; only the time differs.
fn growth(i: Decimal, n: u32) -> Option<Decimal> {
    const REMEMBERED: usize = 64;
    /// (i's representation, n, q)
    type Factor = ([u8; 16], u32, Option<Decimal>);
    thread_local! {
        static FACTORS: std::cell::RefCell<Vec<Factor>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let key = i.serialize();
    let known = FACTORS.with_borrow(|f| {
        f.iter()
            .find(|(k, m, _)| *k == key && *m == n)
            .map(|(_, _, q)| *q)
    });
    if let Some(q) = known {
        return q;
    }
    let q = growth_computed(i, n);
    FACTORS.with_borrow_mut(|f| {
        if f.len() == REMEMBERED {
            f.remove(0);
        }
        f.push((key, n, q));
    });
    q
}

fn growth_computed(i: Decimal, n: u32) -> Option<Decimal> {
    let mut q = Decimal::ONE;
    for _ in 0..n {
        q = q.checked_mul(Decimal::ONE + i)?;
    }
    Some(q)
}

/// P × i / (1 − (1 + i)^−n), written as P × i × q / (q − 1) with q = (1 + i)^n (from
/// [`growth`]) so that it needs only multiplication. `None` when the payment is out of
/// `Decimal`'s range.
fn annuity_payment(principal: Decimal, i: Decimal, q: Decimal, n: u32) -> Option<Decimal> {
    if q == Decimal::ONE {
        return Some(principal / Decimal::from(n));
    }
    principal
        .checked_mul(i)?
        .checked_mul(q)?
        .checked_div(q - Decimal::ONE)
}

impl Schedule {
    /// The effective annual rate as a ratio (0.2314), from the principal and the payments.
    /// Kept out of [`build`] because the rules and the counter-offer search never need it.
    pub fn effective_annual_rate(&self, principal: Decimal) -> Decimal {
        let payments: Vec<Decimal> = self.rows.iter().map(|r| r.payment.decimal()).collect();
        effective_annual_rate(principal, &payments)
    }
}

/// (1 + m)^12 − 1 where m solves Σ payment_k / (1 + m)^k = principal.
///
/// The search runs in f64 (bisection to 1e-12, far inside the 1e-10 the spec asks); m is
/// then taken back into Decimal, so the power and the reported rounding are exact.
#[allow(clippy::float_arithmetic)]
pub fn effective_annual_rate(principal: Decimal, payments: &[Decimal]) -> Decimal {
    let p = principal.to_f64().unwrap_or(0.0);
    let pays: Vec<f64> = payments.iter().map(|x| x.to_f64().unwrap_or(0.0)).collect();
    if p <= 0.0 || pays.is_empty() {
        return Decimal::ZERO;
    }
    let pv = |m: f64| -> f64 {
        let mut disc = 1.0;
        let mut total = 0.0;
        for a in &pays {
            disc /= 1.0 + m;
            total += a * disc;
        }
        total
    };
    // pv is decreasing in m; widen the bracket until it straddles p.
    let (mut lo, mut hi) = (-0.99, 1.0);
    while pv(hi) > p && hi < 1e6 {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        if pv(mid) > p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-12 {
            break;
        }
    }
    let m = Decimal::from_f64((lo + hi) / 2.0).unwrap_or_default();
    let mut growth = Decimal::ONE;
    for _ in 0..12 {
        growth *= Decimal::ONE + m;
    }
    growth - Decimal::ONE
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::{fixed2, percent2};
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn input(amount: &str, rate: &str, n: u32, kind: ScheduleKind, g: u32) -> ScheduleInput {
        let first = Date::ymd(2026, 12, 20).unwrap();
        ScheduleInput {
            amount: amount.parse().unwrap(),
            annual_rate: d(rate),
            term_months: n,
            kind,
            grace_months: g,
            first_payment: first,
            disbursed: default_disbursement(first),
            day_count: DayCount::Thirty360,
            rounding_unit: d("0.01"),
        }
    }

    /// schedule.md, "Worked example", annuity.
    #[test]
    fn worked_example_annuity() {
        let s = build(&input("100000000", "0.21", 12, ScheduleKind::Annuity, 0)).unwrap();
        let r1 = &s.rows[0];
        assert_eq!(r1.payment.to_string(), "9311377.38");
        assert_eq!(r1.interest.to_string(), "1750000.00");
        assert_eq!(r1.principal.to_string(), "7561377.38");
        assert_eq!(r1.balance.to_string(), "92438622.62");
        assert_eq!(s.rows[11].payment.to_string(), "9311377.34");
        assert_eq!(s.rows[11].balance.to_string(), "0.00");
        assert_eq!(fixed2(s.total_interest), "11736528.52");
        assert_eq!(percent2(s.effective_annual_rate(d("100000000"))), "23.14");
        assert_eq!(s.rows[11].date.to_string(), "2027-11-20");
    }

    /// schedule.md, "Worked example", differentiated.
    #[test]
    fn worked_example_differentiated() {
        let s = build(&input(
            "100000000",
            "0.21",
            12,
            ScheduleKind::Differentiated,
            0,
        ))
        .unwrap();
        assert_eq!(s.rows[0].payment.to_string(), "10083333.33");
        assert_eq!(s.rows[0].principal.to_string(), "8333333.33");
        assert_eq!(s.rows[11].payment.to_string(), "8479166.70");
        assert_eq!(fixed2(s.total_interest), "11375000.00");
        assert_eq!(s.max_payment, s.rows[0].payment);
    }

    #[test]
    fn grace_rows_pay_interest_only_and_the_next_row_is_largest() {
        let s = build(&input(
            "60000000",
            "0.22",
            24,
            ScheduleKind::Differentiated,
            3,
        ))
        .unwrap();
        for r in &s.rows[..3] {
            assert_eq!(r.principal, Money::ZERO);
            assert_eq!(r.interest.to_string(), "1100000.00");
        }
        assert_eq!(s.rows[3].principal.to_string(), "2857142.86");
        assert_eq!(s.max_payment, s.rows[3].payment);
        assert_eq!(s.rows[23].balance, Money::ZERO);
    }

    #[test]
    fn refuses_what_the_passport_forbids() {
        assert_eq!(
            build(&input("1000", "0.2", 12, ScheduleKind::Annuity, 1)),
            Err(ScheduleError::GraceWithAnnuity)
        );
        assert!(matches!(
            build(&input("1000", "0.2", 3, ScheduleKind::Differentiated, 3)),
            Err(ScheduleError::GraceTooLong { .. })
        ));
        assert_eq!(
            build(&input("1000", "0.2", 0, ScheduleKind::Annuity, 0)),
            Err(ScheduleError::NoTerm)
        );
    }

    #[test]
    fn actual_365_counts_calendar_days_from_disbursement() {
        let mut i = input("36500000", "0.20", 3, ScheduleKind::Differentiated, 0);
        i.day_count = DayCount::Actual365;
        let s = build(&i).unwrap();
        // 2026-11-20 → 2026-12-20 is 30 days: 36.5M × 0.2 × 30 / 365 = 600,000.
        assert_eq!(s.rows[0].interest.to_string(), "600000.00");
        // 2026-12-20 → 2027-01-20 is 31 days on the balance left.
        let bal = s.rows[0].balance.decimal();
        let expect = round_to_unit(bal * d("0.2") * d("31") / d("365"), d("0.01"));
        assert_eq!(s.rows[1].interest.decimal(), expect);
    }

    #[test]
    fn whole_som_rounding_unit() {
        let mut i = input("100000000", "0.21", 12, ScheduleKind::Annuity, 0);
        i.rounding_unit = d("1");
        let s = build(&i).unwrap();
        assert_eq!(s.rows[0].payment.to_string(), "9311377.00");
        assert_eq!(s.rows[11].balance, Money::ZERO);
    }

    /// Figures beyond 10^15 UZS or a power beyond `Decimal`'s range are refused, not a panic.
    #[test]
    fn figures_beyond_the_limit_are_an_error() {
        let too_large = Err(ScheduleError::Figure(MoneyError::AboveLimit));
        let check =
            |i: ScheduleInput| assert_eq!(build(&i).map(|s| s.rows.len()), too_large, "{i:?}");
        // The one payment of the largest amount is above it.
        check(input(
            "1000000000000000",
            "0.21",
            1,
            ScheduleKind::Annuity,
            0,
        ));
        check(input(
            "1000000000000000",
            "0.21",
            1,
            ScheduleKind::Differentiated,
            0,
        ));
        // (1 + i)^n outgrows `Decimal`.
        check(input("1000", "1", 100_000, ScheduleKind::Annuity, 0));
        // A rate no product allows.
        let mut absurd = input("1000000", "0.2", 12, ScheduleKind::Differentiated, 0);
        absurd.annual_rate = Decimal::MAX;
        check(absurd);
        assert!(build(&input(
            "999999999999.99",
            "0.21",
            12,
            ScheduleKind::Annuity,
            0
        ))
        .is_ok());
    }

    /// A remembered growth factor is the computed one, to the representation.
    #[test]
    fn remembered_growth_factors_are_the_computed_ones() {
        for round in 0..3 {
            for bp in [1, 1999, 2100, 2300, 2350, 10_000, 99_999] {
                for n in [0, 1, 12, 36, 60, 90, 100_000] {
                    let i = Decimal::new(bp, 4) / Decimal::from(12 + round);
                    let (got, computed) = (growth(i, n), growth_computed(i, n));
                    assert_eq!(got, computed, "{i} {n}");
                    assert_eq!(got.map(|q| q.serialize()), computed.map(|q| q.serialize()));
                }
            }
        }
    }

    /// Rows and totals of both walks of `input`, or `None` when it is outside the bounds of
    /// the walk in tiyin (or has no schedule).
    type Walked = (Vec<ScheduleRow>, Decimal, Money, Date);

    fn both_walks(input: &ScheduleInput) -> Option<(Walked, Walked)> {
        let parts = Parts::of(input, Growth::Compute).ok()?;
        let terms = tiyin::Terms::new(input, &parts)?;
        let mut fast = Vec::new();
        let t = terms.walk(input, None, |r| fast.push(r));
        // With the dates given, as the counter-offer search walks: the same rows.
        let dates: Vec<Date> = (1..=input.term_months)
            .map(|k| row_date(input.first_payment, k))
            .collect();
        let mut dated = Vec::new();
        terms.walk(input, Some(&dates), |r| dated.push(r));
        assert_eq!(dated, fast, "{input:?}");
        let mut exact = Vec::new();
        let e = decimal_walk(input, &parts, None, |r| exact.push(r))
            .expect("a schedule within the bounds has no error");
        Some((
            (fast, t.interest, t.max_payment, t.maturity),
            (exact, e.interest, e.max_payment, e.maturity),
        ))
    }

    /// The loans the bank makes are walked in tiyin: without this, a bound set too tight
    /// would leave the faster walk unused and every test still passing.
    #[test]
    fn real_loans_are_walked_in_tiyin() {
        let product = crate::product::tests::default_product();
        for (kind, g) in [
            (ScheduleKind::Annuity, 0),
            (ScheduleKind::Differentiated, 3),
        ] {
            for day_count in [DayCount::Thirty360, DayCount::Actual365] {
                for band in &product.loan.rate_grid {
                    let mut i = input("125000000.00", "0.2", 60, kind, g);
                    i.annual_rate = band.annual_rate;
                    i.day_count = day_count;
                    i.rounding_unit = product.schedule.rounding_unit;
                    assert!(both_walks(&i).is_some(), "{i:?}");
                }
            }
        }
    }

    proptest! {
        /// The walk in tiyin gives the `Decimal` walk's rows and totals exactly, midpoints
        /// included: small rates' decimals and odd units make the interest land on one
        /// often. And it is taken exactly within its bounds: the generators reach past
        /// each of them (amount, rate and its decimals, unit, the first period's days).
        #[test]
        fn the_tiyin_walk_is_the_decimal_walk(
            tiyin in prop_oneof![
                1i64..=10_000,
                1i64..=20_000_000_000_000,
                Just(10_000_000_000_000),
                Just(10_000_000_000_001),
            ],
            n in 1u32..=90,
            annuity in any::<bool>(),
            g in 0u32..=4,
            actual in any::<bool>(),
            rate in (0u32..=6).prop_flat_map(|s| (0i64..=6 * 10i64.pow(s), Just(s))),
            unit in prop::sample::select(vec![
                "0.01", "0.05", "0.050", "0.1", "0.10", "0.25", "0.5", "1", "1.00", "5", "10",
                "100", "100.01", "0.001",
            ]),
            first in (2020i32..2030, 1u32..=12, 28u32..=31),
            before in prop_oneof![0i64..=400, -40i64..=3_700, Just(3_650), Just(3_651)],
        ) {
            let kind = if annuity { ScheduleKind::Annuity } else { ScheduleKind::Differentiated };
            let g = if annuity || g >= n { 0 } else { g };
            let mut i = input("1", "0.2", n, kind, g);
            i.amount = Money::try_from_decimal(Decimal::new(tiyin, 2)).unwrap();
            i.annual_rate = Decimal::new(rate.0, rate.1);
            if actual { i.day_count = DayCount::Actual365; }
            i.rounding_unit = d(unit);
            let (y, m, day) = first;
            i.first_payment = (28..=day).rev().find_map(|day| Date::ymd(y, m, day)).unwrap();
            i.disbursed = Date(i.first_payment.0 - chrono::TimeDelta::days(before));
            // The bounds of `tiyin::Terms::new`, said again here.
            let unit_tiyin = i.rounding_unit * Decimal::ONE_HUNDRED;
            let within = tiyin <= 10_000_000_000_000
                && i.annual_rate <= Decimal::from(5)
                && rate.1 <= 4
                && unit_tiyin.fract().is_zero()
                && unit_tiyin <= Decimal::from(10_000)
                && (!actual || (0..=3_650).contains(&before));
            let walked = both_walks(&i);
            prop_assert_eq!(walked.is_some(), within, "{:?}", i);
            let Some((fast, exact)) = walked else { return Ok(()) };
            prop_assert_eq!(fast.0.len(), exact.0.len());
            for (f, e) in fast.0.iter().zip(&exact.0) {
                prop_assert_eq!(f, e, "{:?}", i);
                prop_assert_eq!(
                    (f.payment.to_string(), f.principal.to_string(), f.interest.to_string(), f.balance.to_string()),
                    (e.payment.to_string(), e.principal.to_string(), e.interest.to_string(), e.balance.to_string())
                );
            }
            prop_assert_eq!(fixed2(fast.1), fixed2(exact.1));
            prop_assert_eq!((fast.2, fast.3), (exact.2, exact.3));
        }

        /// The counter-offer search's payments are `build`'s, errors included.
        #[test]
        fn max_payments_are_the_built_schedules(
            tiyin in 1i64..=100_000_000_000_000_000i64,
            n in 0u32..=90,
            annuity in any::<bool>(),
            g in 0u32..=4,
            actual in any::<bool>(),
            rate_bp in 0u32..100_000,
            whole_som in any::<bool>(),
        ) {
            let kind = if annuity { ScheduleKind::Annuity } else { ScheduleKind::Differentiated };
            let mut i = input("1", "0.2", n, kind, g);
            i.annual_rate = Decimal::new(rate_bp.into(), 4);
            if actual { i.day_count = DayCount::Actual365; }
            if whole_som { i.rounding_unit = d("1"); }
            let payments = MaxPayments::new(i.clone());
            i.amount = Money::try_from_decimal(Decimal::new(tiyin, 2)).unwrap();
            let built = build(&i).map(|s| s.max_payment);
            let got = payments.at(i.amount);
            prop_assert_eq!(&got, &built);
            prop_assert_eq!(got.map(|m| m.decimal().serialize()), built.map(|m| m.decimal().serialize()));
        }

        #[test]
        fn balance_ends_at_zero_and_principal_sums_to_amount(
            tiyin in 10_000_000i64..80_000_000_000i64,
            n in 1u32..=60,
            annuity in any::<bool>(),
            g in 0u32..=3,
            actual in any::<bool>(),
            rate_bp in 1500u32..3000,
        ) {
            let kind = if annuity { ScheduleKind::Annuity } else { ScheduleKind::Differentiated };
            let g = if annuity || g >= n { 0 } else { g };
            let mut i = input("1", "0.2", n, kind, g);
            i.amount = Money::try_from_decimal(Decimal::new(tiyin, 2)).unwrap();
            i.annual_rate = Decimal::new(rate_bp.into(), 4);
            if actual { i.day_count = DayCount::Actual365; }
            let s = build(&i).unwrap();
            prop_assert_eq!(s.rows.len(), n as usize);
            prop_assert_eq!(s.rows.last().unwrap().balance, Money::ZERO);
            let principal = Money::checked_sum(s.rows.iter().map(|r| r.principal));
            prop_assert_eq!(principal, Some(i.amount));
            for r in &s.rows {
                prop_assert!(r.principal >= Money::ZERO);
                prop_assert_eq!(Some(r.payment), r.principal.checked_add(r.interest));
            }
            if annuity && !actual && n > 1 {
                // Under 30/360 the last row differs from the level payment by rounding only:
                // each row carries at most half a tiyin from the payment and half from its
                // interest, and what a row carries grows with interest until the last row,
                // so the bound is 0.01 × Σ (1 + i)^k over the rows before it.
                let a = s.rows[0].payment.decimal();
                let last = s.rows.last().unwrap().payment.decimal();
                let i = i.annual_rate / Decimal::from(12);
                let mut growth = Decimal::ONE;
                let mut bound = Decimal::ZERO;
                for _ in 1..n {
                    bound += growth;
                    growth *= Decimal::ONE + i;
                }
                let bound = bound * Decimal::new(1, 2);
                prop_assert!((a - last).abs() <= bound, "{} vs {} (bound {})", a, last, bound);
            }
        }
    }
}
