//! Tocsin's runbooks, without I/O: Systems Manager Automation documents (schema 0.3) parsed
//! and validated ([`document`]), execution parameters resolved against the document's
//! declarations ([`params`]), `{{ … }}` references rendered ([`template`]), `aws:branch`
//! choices evaluated ([`branch`]), and the flow from one step to the next decided
//! ([`flow`]).
//!
//! The server's runbook engine owns durability and side effects; everything here is a pure
//! function of a document and values, so it is tested by tables of cases.
//!
//! Behaviour mirrors AWS Systems Manager Automation (API 2014-11-06, document schema 0.3):
//! the action names, inputs, outputs, `onFailure`/`onCancel`/`nextStep`/`isEnd`/`isCritical`
//! and the execution statuses are AWS's.

pub mod branch;
pub mod document;
pub mod flow;
pub mod params;
pub mod template;

pub use document::{Action, Document, DocumentError, Format, Step};
pub use flow::{ExecutionStatus, Next, StepOutcome};
