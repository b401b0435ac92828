//! Outbound HTTP policy (invariant 5): which addresses Tocsin may connect to when it
//! delivers to HTTP targets and webhooks.
//!
//! Delivery itself arrives with HTTP targets; this module already holds the address check
//! every outbound connection must pass at connect time (after DNS resolution, so a name
//! that resolves to a private address is refused too).

use std::net::IpAddr;

/// Whether `ip` is an address outbound requests must not reach unless an operator allowlist
/// says otherwise: loopback, link-local (169.254.0.0/16 including cloud metadata, fe80::/10),
/// private (10/8, 172.16/12, 192.168/16), unique-local (fc00::/7), CGNAT (100.64/10),
/// unspecified, broadcast, multicast and documentation ranges, and IPv4-mapped IPv6 forms
/// of those.
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || (a == 100 && (64..128).contains(&b))
                || a == 0
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_forbidden(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_internal_addresses() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "100.64.0.1",
            "0.0.0.0",
        ] {
            assert!(
                is_forbidden(ip.parse().unwrap()),
                "{ip} should be forbidden"
            );
        }
        for ip in ["93.184.216.34", "2606:4700::1111", "8.8.8.8"] {
            assert!(!is_forbidden(ip.parse().unwrap()), "{ip} should be allowed");
        }
    }
}
