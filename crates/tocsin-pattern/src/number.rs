//! Numbers: equality for exact matches and the bounded ranges of the `numeric` operator.
//!
//! EventBridge ("Content filtering", "Numeric matching") compares numbers as numbers, so
//! `300`, `300.0` and `3e2` are equal. Range operands are limited to -5.0e9 ..= 5.0e9 with at
//! most six digits after the decimal point, as aws/event-ruler's `ComparableNumber` enforces.

use serde_json::Number;

use crate::error::{Result, barf};

/// The largest magnitude a `numeric` operand (or a numeric `anything-but` value) may have.
pub(crate) const FIVE_BILLION: f64 = 5e9;

/// Exact numeric equality between two JSON numbers: integers compare exactly (so account
/// numbers such as `123456789012` stay precise), anything else compares as `f64`.
pub(crate) fn numbers_equal(a: &Number, b: &Number) -> bool {
    if let (Some(x), Some(y)) = (as_i128(a), as_i128(b)) {
        return x == y;
    }
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

fn as_i128(n: &Number) -> Option<i128> {
    n.as_i64()
        .map(i128::from)
        .or_else(|| n.as_u64().map(i128::from))
}

/// Checks a number that EventBridge turns into its comparable form (range bounds,
/// `anything-but` numbers), with event-ruler's messages; returns it as `f64`.
///
/// Mirrors `ComparableNumber.generate` of aws/event-ruler v1.7.4: more than six digits after
/// the decimal point is refused first ("Only values upto 6 decimals are supported"), then a
/// value outside -5.0e9 ..= 5.0e9. Trailing zeros do not count (`1.500000000` has one
/// decimal), and exponent forms count their value (`1.5e-6` has seven).
pub(crate) fn comparable(n: &Number) -> Result<f64> {
    match comparable_form(n) {
        Ok(v) => Ok(v),
        Err(Refusal::Decimals) => barf!("Only values upto 6 decimals are supported"),
        Err(Refusal::Range) => barf!("Value must be between -5.0E9 and 5.0E9, inclusive"),
    }
}

/// The value of an event number that `numeric` can compare: `None` when it has more than six
/// decimals or lies outside -5.0e9 ..= 5.0e9. event-ruler (v1.7.4 `ByteMachine.transitionOn`)
/// tries `ComparableNumber.generate` on every event number and, when that fails, matches the
/// number as text only, so such a number never satisfies a `numeric` condition.
pub(crate) fn comparable_value(n: &Number) -> Option<f64> {
    comparable_form(n).ok()
}

/// Why a number has no comparable form.
enum Refusal {
    Decimals,
    Range,
}

fn comparable_form(n: &Number) -> std::result::Result<f64, Refusal> {
    if let Some(i) = as_i128(n) {
        if i.unsigned_abs() > 5_000_000_000 {
            return Err(Refusal::Range);
        }
        #[allow(clippy::cast_precision_loss)] // |i| <= 5e9 is exact in f64
        return Ok(i as f64);
    }
    let Some(v) = n.as_f64() else {
        return Err(Refusal::Range);
    };
    if !six_decimals(v) {
        return Err(Refusal::Decimals);
    }
    if !(-FIVE_BILLION..=FIVE_BILLION).contains(&v) {
        return Err(Refusal::Range);
    }
    Ok(v)
}

/// Does the shortest decimal form of `v` (the one serde_json and Java print) have at most
/// six digits after the point? Equivalent to that test without formatting: `v` is then the
/// double nearest to `k / 10^6` for the integer `k` nearest to `v * 10^6`, and conversely.
/// Values too large for that arithmetic have no fraction to speak of.
fn six_decimals(v: f64) -> bool {
    if !v.is_finite() {
        return false;
    }
    if v.abs() >= 1e15 {
        return v.fract() == 0.0;
    }
    let k = (v * 1e6).round();
    k / 1e6 == v
}

/// One bound of a numeric range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Bound {
    /// The operand.
    pub(crate) value: f64,
    /// `true` for `<`/`>` (the operand itself is excluded).
    pub(crate) open: bool,
}

/// A numeric range, as EventBridge's `numeric` operator ("Content filtering", "Numeric
/// matching"): `=`, or a one- or two-sided range with `<`, `<=`, `>`, `>=`. An unbounded side
/// is bounded by ±5.0e9, so event numbers outside that interval never match.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct NumericRange {
    pub(crate) bottom: Bound,
    pub(crate) top: Bound,
}

impl NumericRange {
    /// `= v`.
    pub(crate) fn equals(v: f64) -> Self {
        let b = Bound {
            value: v,
            open: false,
        };
        Self { bottom: b, top: b }
    }

    /// A range from `bottom` to `top`, both already comparable ([`comparable`]);
    /// "Bottom must be less than top" unless `bottom < top` (event-ruler's
    /// `Range.ensureValidRange`, whatever the ends' openness).
    pub(crate) fn between(bottom: Bound, top: Bound) -> Result<Self> {
        if bottom.value >= top.value {
            barf!("Bottom must be less than top");
        }
        Ok(Self { bottom, top })
    }

    /// Does the event number `n` fall in the range? Only numbers with a comparable form
    /// ([`comparable_value`]) can.
    pub(crate) fn contains(&self, n: &Number) -> bool {
        let Some(v) = comparable_value(n) else {
            return false;
        };
        let above = if self.bottom.open {
            v > self.bottom.value
        } else {
            v >= self.bottom.value
        };
        let below = if self.top.open {
            v < self.top.value
        } else {
            v <= self.top.value
        };
        above && below
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn num(v: serde_json::Value) -> Number {
        match v {
            serde_json::Value::Number(n) => n,
            other => panic!("not a number: {other}"),
        }
    }

    #[test]
    fn equal_across_representations() {
        let a = num(json!(300));
        let b: Number = serde_json::from_str("300.0").expect("number");
        let c: Number = serde_json::from_str("3e2").expect("number");
        assert!(numbers_equal(&a, &b));
        assert!(numbers_equal(&b, &c));
        assert!(numbers_equal(&a, &c));
        assert!(!numbers_equal(&a, &num(json!(301))));
        assert!(numbers_equal(&num(json!(-0.0)), &num(json!(0))));
    }

    #[test]
    fn large_integers_are_exact() {
        let a = num(json!(123_456_789_012_u64));
        assert!(numbers_equal(&a, &num(json!(123_456_789_012_i64))));
        assert!(!numbers_equal(&a, &num(json!(123_456_789_013_u64))));
        assert!(numbers_equal(&num(json!(u64::MAX)), &num(json!(u64::MAX))));
        assert!(!numbers_equal(&num(json!(u64::MAX)), &num(json!(-1))));
    }

    #[test]
    fn comparable_limits() {
        assert!(comparable(&num(json!(5_000_000_000_u64))).is_ok());
        assert!(comparable(&num(json!(-5e9))).is_ok());
        assert!(comparable(&num(json!(5_000_000_001_u64))).is_err());
        assert!(comparable(&num(json!(0.123456))).is_ok());
        assert_eq!(
            comparable(&num(json!(0.1234567)))
                .expect_err("too precise")
                .reason(),
            "Only values upto 6 decimals are supported"
        );
    }

    #[test]
    fn range_contains() {
        let r = NumericRange::between(
            Bound {
                value: 0.0,
                open: true,
            },
            Bound {
                value: 5.0,
                open: false,
            },
        )
        .expect("range");
        assert!(!r.contains(&num(json!(0))));
        assert!(r.contains(&num(json!(0.000001))));
        assert!(r.contains(&num(json!(5))));
        assert!(!r.contains(&num(json!(5.000001))));
        let eq = NumericRange::equals(301.8);
        assert!(eq.contains(&num(json!(3.018e2))));
    }
}
