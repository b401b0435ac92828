//! From one step to the next: given how a step ended, which step runs next or how the
//! execution ends, by the step's `nextStep`, `isEnd`, `onFailure`, `onCancel` and
//! `isCritical` (AWS Systems Manager User Guide, "Properties shared by all actions").

use crate::document::{Document, OnFailure};

/// Execution and step statuses (`AutomationExecutionStatus`, the subset Tocsin uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExecutionStatus {
    /// Not started yet.
    Pending,
    /// Running a step.
    InProgress,
    /// Waiting for a signal (a pause or an approval).
    Waiting,
    /// Ended well.
    Success,
    /// A step or approval did not finish within its timeout.
    TimedOut,
    /// Being stopped.
    Cancelling,
    /// Stopped.
    Cancelled,
    /// Ended with a failure.
    Failed,
}

impl ExecutionStatus {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::InProgress => "InProgress",
            Self::Waiting => "Waiting",
            Self::Success => "Success",
            Self::TimedOut => "TimedOut",
            Self::Cancelling => "Cancelling",
            Self::Cancelled => "Cancelled",
            Self::Failed => "Failed",
        }
    }

    /// Parses the wire spelling.
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::InProgress,
            Self::Waiting,
            Self::Success,
            Self::TimedOut,
            Self::Cancelling,
            Self::Cancelled,
            Self::Failed,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    /// Whether nothing more happens (`Success`, `Failed`, `TimedOut`, `Cancelled`).
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Success | Self::Failed | Self::TimedOut | Self::Cancelled
        )
    }
}

/// How a step ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepOutcome {
    /// It succeeded; for `aws:branch`, `Some(step)` is the step it chose (`None`: no choice
    /// and no `Default`, the following step).
    Success(Option<String>),
    /// It failed.
    Failed,
    /// It did not finish within its timeout.
    TimedOut,
    /// It was cancelled (`StopAutomationExecution`).
    Cancelled,
}

/// What comes after a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Run the step at this index.
    Step(usize),
    /// The execution ends with this status.
    End(ExecutionStatus),
}

/// What follows step `index` of `doc` after `outcome`. `critical_failed` says whether a
/// critical step already failed in this execution (then an end that would be `Success` is
/// `Failed`).
///
/// Panics: never; an index past the end is treated as the end.
pub fn after(doc: &Document, index: usize, outcome: &StepOutcome, critical_failed: bool) -> Next {
    let Some(step) = doc.steps.get(index) else {
        return Next::End(ExecutionStatus::Failed);
    };
    let success_end = if critical_failed {
        ExecutionStatus::Failed
    } else {
        ExecutionStatus::Success
    };
    let following = |failed_critically: bool| {
        if step.is_end || index + 1 >= doc.steps.len() {
            Next::End(if failed_critically {
                ExecutionStatus::Failed
            } else {
                success_end
            })
        } else {
            Next::Step(index + 1)
        }
    };
    let named = |name: &str| {
        doc.step_index(name)
            .map_or(Next::End(ExecutionStatus::Failed), Next::Step)
    };
    match outcome {
        StepOutcome::Success(chosen) => match (chosen, &step.next_step) {
            (Some(name), _) => named(name),
            (None, Some(name)) if !step.is_end => named(name),
            _ => following(false),
        },
        StepOutcome::Failed | StepOutcome::TimedOut => {
            let end = if *outcome == StepOutcome::TimedOut {
                ExecutionStatus::TimedOut
            } else {
                ExecutionStatus::Failed
            };
            match &step.on_failure {
                OnFailure::Abort => Next::End(end),
                OnFailure::Continue => following(step.is_critical),
                OnFailure::Step(name) => named(name),
            }
        }
        StepOutcome::Cancelled => match &step.on_cancel {
            OnFailure::Step(name) => named(name),
            _ => Next::End(ExecutionStatus::Cancelled),
        },
    }
}

/// Whether a failure of step `index` makes the execution fail in the end although the flow
/// goes on: the step is critical (`isCritical`, default true, but false by default when
/// `onFailure` is `Continue`).
pub fn fails_execution(doc: &Document, index: usize) -> bool {
    doc.steps.get(index).is_some_and(|s| s.is_critical)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Document {
        Document::from_value(&json!({
            "schemaVersion": "0.3",
            "mainSteps": [
                {"name": "a", "action": "aws:pause", "onFailure": "Continue"},
                {"name": "b", "action": "aws:pause", "onFailure": "step:d", "nextStep": "c"},
                {"name": "c", "action": "aws:pause", "isEnd": true, "onCancel": "step:d"},
                {"name": "d", "action": "aws:pause", "onFailure": "Continue", "isCritical": true}
            ]
        }))
        .unwrap()
    }

    #[test]
    fn outcomes_lead_where_the_step_says() {
        let d = doc();
        let ok = StepOutcome::Success(None);
        let cases = [
            (0, ok.clone(), false, Next::Step(1)),
            (1, ok.clone(), false, Next::Step(2)),
            (2, ok.clone(), false, Next::End(ExecutionStatus::Success)),
            (2, ok.clone(), true, Next::End(ExecutionStatus::Failed)),
            (3, ok.clone(), false, Next::End(ExecutionStatus::Success)),
            (0, StepOutcome::Failed, false, Next::Step(1)),
            (1, StepOutcome::Failed, false, Next::Step(3)),
            (1, StepOutcome::TimedOut, false, Next::Step(3)),
            (
                2,
                StepOutcome::Failed,
                false,
                Next::End(ExecutionStatus::Failed),
            ),
            (
                2,
                StepOutcome::TimedOut,
                false,
                Next::End(ExecutionStatus::TimedOut),
            ),
            (2, StepOutcome::Cancelled, false, Next::Step(3)),
            (
                1,
                StepOutcome::Cancelled,
                false,
                Next::End(ExecutionStatus::Cancelled),
            ),
            (
                3,
                StepOutcome::Failed,
                false,
                Next::End(ExecutionStatus::Failed),
            ),
            (
                0,
                StepOutcome::Success(Some("c".into())),
                false,
                Next::Step(2),
            ),
        ];
        for (index, outcome, critical, expected) in cases {
            assert_eq!(
                after(&d, index, &outcome, critical),
                expected,
                "step {index} {outcome:?}"
            );
        }
        assert!(
            !fails_execution(&d, 0),
            "Continue makes a step non-critical by default"
        );
        assert!(fails_execution(&d, 1));
        assert!(fails_execution(&d, 3), "isCritical given explicitly");
    }
}
