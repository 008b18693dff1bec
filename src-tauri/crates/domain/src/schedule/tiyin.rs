//! The schedule's rows in whole tiyin, for the terms of every real loan.
//!
//! Invariant: [`Terms::walk`] gives exactly what the `Decimal` walk of `super::walk` gives,
//! row by row and in its totals; it exists only because it does so with a few integer
//! operations per row instead of a dozen `Decimal` ones (a batch evaluation builds millions
//! of rows). The property test `the_tiyin_walk_is_the_decimal_walk` compares the two.
//!
//! Why they agree. Every figure of a row is a whole number of tiyin, and the one inexact
//! step of the `Decimal` walk is a row's interest, balance × rate / 12 (or × days / 365),
//! which `Decimal` holds to 28 significant digits before rounding it half-up to the unit.
//! Here the interest is rounded from the exact fraction instead. The two roundings differ
//! only if the `Decimal` error carries the value across a midpoint between two units. In
//! units, the exact value is N / D with D = 12 (or 365) × 10^s × u (s: the rate's decimals,
//! u: the unit in tiyin), so when it is not a midpoint it lies at least 1 / 2D from one:
//! at least 1.3 × 10^−11 of a unit within [`Terms::new`]'s bounds (s ≤ 4, u ≤ 100 UZS).
//! Within those bounds the interest is below 5 × 10^12 UZS, so `Decimal` holds it to
//! 10^−15 UZS and the division by the unit adds at most 10^−13 of a unit: two orders of
//! magnitude short of a midpoint. Every other step is exact in both walks.
//!
//! The same bounds keep every row's figure within Money's ±10^15 (the largest interest is
//! 5 × 10^12), so this walk has no error to give: a schedule outside them, or one whose
//! annuity is beyond range, is walked in `Decimal` and gives its error there.

use rust_decimal::Decimal;

use super::{date_of, Parts, ScheduleInput, ScheduleRow, Totals};
use crate::case::ScheduleKind;
use crate::money::{Date, Money};
use crate::product::DayCount;

/// 10^11 UZS in tiyin: above any loan the bank makes by three orders of magnitude.
const MAX_AMOUNT: i128 = 10_000_000_000_000;
/// A rate of at most 500 % a year, written with at most 4 decimals (21.25 % is 0.2125).
const MAX_RATE: i128 = 5;
const MAX_RATE_SCALE: u32 = 4;
/// A unit of at most 100 UZS.
const MAX_UNIT: i128 = 10_000;
/// Days from the disbursement to the first payment (Actual/365); later rows span a month.
const MAX_FIRST_DAYS: i64 = 3_650;

/// A schedule's terms as integers, each checked against the bounds above.
pub(super) struct Terms {
    amount: i128,
    /// The rate's mantissa: rate = rate_m / 10^s.
    rate_m: i128,
    /// 12 × 10^s × unit (30/360) or 365 × 10^s × unit (Actual/365): what balance × rate_m
    /// (× days) is divided by to count units.
    per_unit: i128,
    unit: i128,
    /// The annuity payment (rounded to the unit), or `None` for a differentiated schedule.
    annuity: Option<i128>,
    /// The differentiated principal part (rounded to the unit).
    principal_part: i128,
    actual_days: bool,
}

impl Terms {
    /// `None` when `input` lies outside the bounds; `parts` are the walk's own, already
    /// rounded.
    pub(super) fn new(input: &ScheduleInput, parts: &Parts) -> Option<Terms> {
        let amount = i128::from(input.amount.tiyin());
        let rate = input.annual_rate;
        let s = rate.scale();
        let unit = whole_tiyin(input.rounding_unit)?;
        let fits = (1..=MAX_AMOUNT).contains(&amount)
            && s <= MAX_RATE_SCALE
            && !rate.is_sign_negative()
            && rate <= Decimal::from(MAX_RATE)
            && (1..=MAX_UNIT).contains(&unit);
        if !fits {
            return None;
        }
        let actual_days = match input.day_count {
            DayCount::Thirty360 => false,
            DayCount::Actual365 => {
                let first = input.disbursed.days_until(input.first_payment);
                if !(0..=MAX_FIRST_DAYS).contains(&first) {
                    return None;
                }
                true
            }
        };
        let annuity = match (input.kind, parts.annuity) {
            (ScheduleKind::Annuity, Some(a)) => Some(whole_tiyin(a)?),
            (ScheduleKind::Annuity, None) => return None,
            (ScheduleKind::Differentiated, _) => None,
        };
        let days_base = if actual_days { 365 } else { 12 };
        Some(Terms {
            amount,
            rate_m: rate.mantissa(),
            per_unit: days_base * 10i128.pow(s) * unit,
            unit,
            annuity,
            principal_part: whole_tiyin(parts.principal_part)?,
            actual_days,
        })
    }

    /// `super::walk`'s rows and totals, in tiyin.
    pub(super) fn walk(
        &self,
        input: &ScheduleInput,
        dates: Option<&[Date]>,
        mut row: impl FnMut(ScheduleRow),
    ) -> Totals {
        let (n, g) = (input.term_months, input.grace_months);
        let mut total_interest = 0i128;
        let mut max_payment = 0i128;
        let mut balance = self.amount;
        let mut prev = input.disbursed;
        for k in 1..=n {
            let date = date_of(input, dates, k);
            let interest = self.interest(balance, prev, date);
            let principal = if k == n {
                balance
            } else if let Some(a) = self.annuity {
                (a - interest).clamp(0, balance)
            } else if k <= g {
                0
            } else {
                self.principal_part.min(balance)
            };
            balance -= principal;
            let payment = principal + interest;
            total_interest += interest;
            // The last of equal largest payments, as the `Decimal` walk takes it.
            if payment >= max_payment {
                max_payment = payment;
            }
            row(ScheduleRow {
                n: k,
                date,
                payment: money(payment),
                principal: money(principal),
                interest: money(interest),
                balance: money(balance),
            });
            prev = date;
        }
        Totals {
            interest: Decimal::from_i128_with_scale(total_interest, 2),
            max_payment: money(max_payment),
            maturity: prev,
        }
    }

    /// balance × rate / 12 (or × days / 365), rounded half-up to the unit, in tiyin.
    fn interest(&self, balance: i128, from: Date, to: Date) -> i128 {
        let mut numerator = balance * self.rate_m;
        if self.actual_days {
            numerator *= i128::from(from.days_until(to));
        }
        // Both are ≥ 0: half-up is floor(x + ½).
        let units = (2 * numerator + self.per_unit) / (2 * self.per_unit);
        units * self.unit
    }
}

/// A non-negative decimal as a whole number of tiyin, or `None`.
fn whole_tiyin(d: Decimal) -> Option<i128> {
    let m = Money::try_from_decimal(d).ok()?;
    (!d.is_sign_negative()).then(|| i128::from(m.tiyin()))
}

/// A figure of the walk as Money: every one is within 0 ≤ t ≤ 10^15 UZS by the bounds of
/// [`Terms::new`] (see the module header).
fn money(t: i128) -> Money {
    debug_assert!((0..=100 * MAX_AMOUNT * MAX_RATE).contains(&t), "{t} tiyin");
    i64::try_from(t)
        .ok()
        .and_then(Money::from_tiyin)
        .unwrap_or(Money::MAX)
}
