//! Form fields: a `<label>` and its control, bound two-way to a `RwSignal<String>`, one
//! component per file. The control's `id` (and `name`) is what the label's `for` names.

pub mod checklist;
pub mod field_message;
pub mod impact_select;
pub mod select_field;
pub mod text_area;
pub mod text_field;

pub use checklist::Checklist;
pub use field_message::FieldMessage;
pub use impact_select::ImpactSelect;
pub use select_field::SelectField;
pub use text_area::TextArea;
pub use text_field::TextField;
