//! Every HTTP request the SPA makes, as typed async methods on [`Api`], one file per area.
//!
//! Components never build requests: they get an [`Api`] (the base URL, from the app context)
//! and call one of its methods. Each request carries an `AbortController` that fires when the
//! reactive owner that started it is cleaned up (the view went away) or after
//! [`REQUEST_TIMEOUT_MS`], so a wall screen never waits forever on a half-open connection.
//! Errors come back as [`ApiError`], whose `Display` is the server's own message when the
//! server sent an AWS-shaped error body.
//!
//! - [`client`]: the [`Api`] handle, request sending, errors, idempotency tokens;
//! - [`paging`]: the one "every page" loop that follows next tokens;
//! - [`native`]: Tocsin's own endpoints (wall, incident detail, acknowledgement, an
//!   incident's recent changes, health);
//! - [`incidents`]: ssm-incidents incident records, their notes, related items, tags and
//!   findings;
//! - [`plans`]: ssm-incidents response plans;
//! - [`events`]: EventBridge rules and targets on any bus, enabling and disabling rules;
//! - [`archives`]: EventBridge event buses, archives and replays, and the rule backtest;
//! - [`ssm`]: Systems Manager Automation: runbook documents, executions, signals;
//! - [`boards`]: boards, the saved wall views;
//! - [`auth`]: who the key is (`whoami`), stream tickets, and access keys (admin);
//! - [`audit`]: the audit log (admin);
//! - [`integrations`]: outbound webhooks and service roles (admin);
//! - [`topics`]: topics, subscriptions, test messages and incidents' delivery logs;
//! - [`contacts`]: Incident Manager Contacts (contacts, channels, engagements, pages) and
//!   the public page-acceptance link;
//! - [`receivers`]: receivers (admin), heartbeats and maintenance windows.
//!
//! Every request carries the signed-in key as `Authorization: Bearer ID:SECRET`.

pub mod archives;
pub mod audit;
pub mod auth;
pub mod boards;
pub mod client;
pub mod contacts;
pub mod events;
pub mod incidents;
pub mod integrations;
pub mod native;
pub mod paging;
pub mod plans;
pub mod receivers;
pub mod ssm;
pub mod topics;

pub use client::{
    AWS_JSON_CONTENT_TYPE, Api, ApiError, REQUEST_TIMEOUT_MS, error_from_body, interpret_error,
    new_client_token,
};
