//! Route components (`*Page`), one per file.

pub mod accept_page;
pub mod audit_page;
pub mod boards_page;
pub mod contacts_page;
pub mod execution_page;
pub mod incident_page;
pub mod incidents_page;
pub mod insights_page;
pub mod integrations_page;
pub mod keys_page;
pub mod maintenance_page;
pub mod not_found_page;
pub mod pattern_test_page;
pub mod plan_form_page;
pub mod plans_page;
pub mod receivers_page;
pub mod rules_page;
pub mod runbook_edit_page;
pub mod runbooks_page;
pub mod settings_page;
pub mod sign_in_page;
pub mod start_page;
pub mod topics_page;
pub mod wall_page;
