//! `cidr`.
//!
//! Source: EventBridge user guide, "Content filtering" > "IP address matching" (IPv4 and IPv6
//! CIDR blocks; the doc's example is `10.0.0.0/24`)
//! (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html).
//! Messages: aws/event-ruler `CIDR`.

use serde_json::json;

use crate::{check_invalid, check_matches};

#[test]
fn ipv4() {
    let p = r#"{"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}}"#;
    check_matches(&[
        (
            p,
            json!({"detail": {"sourceIPAddress": "10.0.0.255"}}),
            true,
        ),
        (p, json!({"detail": {"sourceIPAddress": "10.0.0.0"}}), true),
        (p, json!({"detail": {"sourceIPAddress": "10.0.1.0"}}), false),
        (p, json!({"detail": {"sourceIPAddress": "11.0.0.1"}}), false),
        (p, json!({"detail": {"sourceIPAddress": "10.0.0"}}), false),
        (
            p,
            json!({"detail": {"sourceIPAddress": "10.0.0.1/32"}}),
            false,
        ),
        (
            p,
            json!({"detail": {"sourceIPAddress": "not-an-ip"}}),
            false,
        ),
        (p, json!({"detail": {"sourceIPAddress": 167772161}}), false),
        (
            p,
            json!({"detail": {"sourceIPAddress": ["192.168.0.1", "10.0.0.9"]}}),
            true,
        ),
        (
            r#"{"ip": [{"cidr": "0.0.0.0/0"}]}"#,
            json!({"ip": "203.0.113.9"}),
            true,
        ),
        (
            r#"{"ip": [{"cidr": "0.0.0.0/0"}]}"#,
            json!({"ip": "::1"}),
            false,
        ),
        (
            r#"{"ip": [{"cidr": "192.0.2.0/31"}]}"#,
            json!({"ip": "192.0.2.1"}),
            true,
        ),
        (
            r#"{"ip": [{"cidr": "192.0.2.0/31"}]}"#,
            json!({"ip": "192.0.2.2"}),
            false,
        ),
        (
            r#"{"ip": [{"cidr": "192.0.2.7/32"}]}"#,
            json!({"ip": "192.0.2.7"}),
            true,
        ),
    ]);
}

#[test]
fn ipv6() {
    let p = r#"{"ip": [{"cidr": "2001:db8::/32"}]}"#;
    check_matches(&[
        (p, json!({"ip": "2001:db8::1"}), true),
        (p, json!({"ip": "2001:DB8:0:0:0:0:0:1"}), true),
        (
            p,
            json!({"ip": "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"}),
            true,
        ),
        (p, json!({"ip": "2001:db9::"}), false),
        (p, json!({"ip": "10.0.0.1"}), false),
        (
            r#"{"ip": [{"cidr": "fe80::/10"}]}"#,
            json!({"ip": "febf::1"}),
            true,
        ),
        (
            r#"{"ip": [{"cidr": "fe80::/10"}]}"#,
            json!({"ip": "fec0::1"}),
            false,
        ),
        (r#"{"ip": [{"cidr": "::/0"}]}"#, json!({"ip": "::"}), true),
    ]);
}

#[test]
fn exact_ip_literals_compare_as_addresses() {
    check_matches(&[
        (
            r#"{"ip": ["2001:db8::1"]}"#,
            json!({"ip": "2001:0db8:0000::0001"}),
            true,
        ),
        (
            r#"{"ip": ["2001:db8::1"]}"#,
            json!({"ip": "2001:db8::2"}),
            false,
        ),
        (r#"{"ip": ["10.0.0.1"]}"#, json!({"ip": "10.0.0.1"}), true),
    ]);
}

#[test]
fn cidr_errors() {
    check_invalid(&[
        (
            r#"{"ip": [{"cidr": 10}]}"#,
            "prefix match pattern must be a string",
        ),
        (
            r#"{"ip": [{"cidr": ["10.0.0.0/8"]}]}"#,
            "prefix match pattern must be a string",
        ),
        (
            r#"{"ip": [{"cidr": "10.0.0.0"}]}"#,
            "Malformed CIDR, one '/' required",
        ),
        (
            r#"{"ip": [{"cidr": "10.0.0.0/8/8"}]}"#,
            "Malformed CIDR, one '/' required",
        ),
        (
            r#"{"ip": [{"cidr": "10.0.0.0/abc"}]}"#,
            "Malformed CIDR, mask bits must be an integer",
        ),
        (
            r#"{"ip": [{"cidr": "10.0.0.0/-8"}]}"#,
            "Malformed CIDR, mask bits must not be negative",
        ),
        (
            r#"{"ip": [{"cidr": "example.com/8"}]}"#,
            "Nonstandard IP address: example.com",
        ),
        (
            r#"{"ip": [{"cidr": "300.0.0.0/8"}]}"#,
            "Invalid IP address: 300.0.0.0",
        ),
        (
            r#"{"ip": [{"cidr": "10.0.0.0/33"}]}"#,
            "IPv4 mask bits must be <= 32",
        ),
        (
            r#"{"ip": [{"cidr": "2001:db8::/129"}]}"#,
            "IPv6 mask bits must be <= 128",
        ),
        (
            r#"{"ip": [{"cidr": "10.0.0.0/8", "x": 1}]}"#,
            "Only one key allowed in match expression",
        ),
    ]);
}
