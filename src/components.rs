//! Reusable view pieces, one component per file.

pub mod action_error;
pub mod add_target_form;
pub mod as_of;
pub mod connection_badge;
pub mod error_note;
pub mod fields;
pub mod impact_badge;
pub mod incident_actions;
pub mod incident_card;
pub mod incident_detail_view;
pub mod incident_row;
pub mod kiosk_gate;
pub mod nav_bar;
pub mod pattern_tester;
pub mod related_items;
pub mod require_key;
pub mod rule_editor;
pub mod rule_item;
pub mod ticker;
pub mod timeline;
