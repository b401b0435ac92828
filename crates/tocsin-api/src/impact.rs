//! Impact: how bad an incident is, 1 (critical) to 5 (no impact), as `Impact` in the
//! ssm-incidents model (2018-05-10: `min` 1, `max` 5). One definition for the server (which
//! validates it) and the web app (which groups and labels by it).

use std::fmt;

/// An impact in `1..=5`. The wire carries a plain integer (`impact: i32` in the AWS
/// shapes); this type is what both sides turn it into once it has been checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Impact(u8);

impl Impact {
    /// Lowest value the model allows (most severe).
    pub const MIN: i32 = 1;
    /// Highest value the model allows (no impact).
    pub const MAX: i32 = 5;
    /// Every impact, most severe first.
    pub const ALL: [Impact; 5] = [Impact(1), Impact(2), Impact(3), Impact(4), Impact(5)];

    /// The impact `value`, or `None` outside `1..=5`.
    pub fn new(value: i32) -> Option<Self> {
        (Self::MIN..=Self::MAX)
            .contains(&value)
            .then_some(Impact(value as u8))
    }

    /// The nearest impact to `value` (0 → 1, 9 → 5), so an out-of-range number read from
    /// somewhere untrusted still lands in a group.
    pub fn clamped(value: i32) -> Self {
        Impact(value.clamp(Self::MIN, Self::MAX) as u8)
    }

    /// The number, 1-5.
    pub fn get(self) -> i32 {
        i32::from(self.0)
    }

    /// The words for it, as Incident Manager's console names them, so colour is never the
    /// only signal: `Critical`, `High`, `Medium`, `Low`, `No impact`.
    pub fn label(self) -> &'static str {
        match self.0 {
            1 => "Critical",
            2 => "High",
            3 => "Medium",
            4 => "Low",
            _ => "No impact",
        }
    }
}

impl fmt::Display for Impact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0, self.label())
    }
}

impl TryFrom<i32> for Impact {
    type Error = i32;

    /// Fails with the value itself when it is outside `1..=5`.
    fn try_from(value: i32) -> Result<Self, Self::Error> {
        Impact::new(value).ok_or(value)
    }
}

impl From<Impact> for i32 {
    fn from(value: Impact) -> Self {
        value.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_labels_and_clamping() {
        let cases = [
            (0, None, 1, "Critical"),
            (1, Some(1), 1, "Critical"),
            (2, Some(2), 2, "High"),
            (3, Some(3), 3, "Medium"),
            (4, Some(4), 4, "Low"),
            (5, Some(5), 5, "No impact"),
            (6, None, 5, "No impact"),
            (-7, None, 1, "Critical"),
        ];
        for (value, valid, clamped, label) in cases {
            assert_eq!(Impact::new(value).map(Impact::get), valid, "{value}");
            assert_eq!(Impact::clamped(value).get(), clamped, "{value}");
            assert_eq!(Impact::clamped(value).label(), label, "{value}");
        }
        assert_eq!(Impact::try_from(7), Err(7));
        assert_eq!(Impact::ALL.map(Impact::get), [1, 2, 3, 4, 5]);
        assert_eq!(Impact::clamped(2).to_string(), "2 High");
    }
}
