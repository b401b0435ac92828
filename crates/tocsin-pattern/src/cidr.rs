//! IP addresses and the `cidr` operator (user guide "Content filtering", "IP address
//! matching"), for IPv4 and IPv6, with aws/event-ruler's `CIDR` validation messages.

use std::net::IpAddr;

use crate::error::{Result, barf};

/// An inclusive range of addresses of one family, from a CIDR block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cidr {
    /// Lowest address, as a 128-bit number (IPv4 in the low 32 bits).
    low: u128,
    /// Highest address.
    high: u128,
    v6: bool,
}

/// Does `s` look like an IP address literal? event-ruler only tries strings that match
/// `[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+` (IPv4) or `[0-9a-fA-F:]*:[0-9a-fA-F:]*` (IPv6).
fn looks_like_ip(s: &str) -> bool {
    looks_like_v4(s) || looks_like_v6(s)
}

fn looks_like_v4(s: &str) -> bool {
    let mut parts = 0;
    for part in s.split('.') {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        parts += 1;
    }
    parts == 4
}

fn looks_like_v6(s: &str) -> bool {
    s.contains(':') && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b':')
}

/// Parses an IP address literal if `s` is one (no DNS, no zone ids, no embedded IPv4).
pub(crate) fn parse_ip(s: &str) -> Option<IpAddr> {
    if !looks_like_ip(s) {
        return None;
    }
    s.parse().ok()
}

/// An address as the key [`Cidr::key_range`] uses.
pub(crate) fn ip_key(ip: IpAddr) -> (bool, u128) {
    let (bits, v6) = to_bits(ip);
    (v6, bits)
}

fn to_bits(ip: IpAddr) -> (u128, bool) {
    match ip {
        IpAddr::V4(v4) => (u128::from(u32::from(v4)), false),
        IpAddr::V6(v6) => (u128::from(v6), true),
    }
}

impl Cidr {
    /// Parses `a.b.c.d/n` or `x:y::z/n`.
    pub(crate) fn parse(text: &str) -> Result<Self> {
        // Java's String.split drops trailing empty pieces: "10.0.0.0/" has one piece.
        let mut pieces: Vec<&str> = text.split('/').collect();
        while pieces.last() == Some(&"") {
            pieces.pop();
        }
        let [addr, mask] = pieces[..] else {
            barf!("Malformed CIDR, one '/' required");
        };
        let mask: i64 = match mask.strip_prefix('+').unwrap_or(mask).parse::<i32>() {
            Ok(m) if !mask.starts_with("+-") => i64::from(m),
            _ => barf!("Malformed CIDR, mask bits must be an integer"),
        };
        if mask < 0 {
            barf!("Malformed CIDR, mask bits must not be negative");
        }
        if !looks_like_ip(addr) {
            barf!("Nonstandard IP address: {addr}");
        }
        let Ok(ip) = addr.parse::<IpAddr>() else {
            barf!("Invalid IP address: {addr}");
        };
        let (bits, v6) = to_bits(ip);
        let width: i64 = if v6 { 128 } else { 32 };
        if mask > width {
            if v6 {
                barf!("IPv6 mask bits must be <= 128");
            }
            barf!("IPv4 mask bits must be <= 32");
        }
        let host_bits = u32::try_from(width - mask).unwrap_or(0);
        let host_mask: u128 = if host_bits >= 128 {
            u128::MAX
        } else {
            (1u128 << host_bits) - 1
        };
        Ok(Self {
            low: bits & !host_mask,
            high: bits | host_mask,
            v6,
        })
    }

    /// The block as an inclusive range of keys `(is_v6, address bits)`, the form the
    /// matcher's interval index stores.
    pub(crate) fn key_range(&self) -> ((bool, u128), (bool, u128)) {
        ((self.v6, self.low), (self.v6, self.high))
    }

    /// The block in CIDR notation, network address first (`10.0.0.0/24`).
    pub(crate) fn to_text(self) -> String {
        let host_bits = 128 - (self.low ^ self.high).leading_zeros();
        if self.v6 {
            let mask = 128 - host_bits;
            format!("{}/{mask}", std::net::Ipv6Addr::from(self.low))
        } else {
            let mask = 32 - host_bits.min(32);
            let addr = u32::try_from(self.low).unwrap_or(0);
            format!("{}/{mask}", std::net::Ipv4Addr::from(addr))
        }
    }

    /// Is the event string `s` an address inside this block?
    pub(crate) fn contains(&self, s: &str) -> bool {
        match parse_ip(s) {
            Some(ip) => {
                let (bits, v6) = to_bits(ip);
                v6 == self.v6 && (self.low..=self.high).contains(&bits)
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Cidr {
        Cidr::parse(s).expect("valid cidr")
    }

    #[test]
    fn v4() {
        let r = c("10.0.0.0/24");
        assert!(r.contains("10.0.0.0"));
        assert!(r.contains("10.0.0.255"));
        assert!(!r.contains("10.0.1.0"));
        assert!(!r.contains("9.255.255.255"));
        assert!(!r.contains("::ffff:10.0.0.1"));
        assert!(!r.contains("not an ip"));
        assert!(c("0.0.0.0/0").contains("255.255.255.255"));
        assert!(c("192.168.1.7/32").contains("192.168.1.7"));
        assert!(!c("192.168.1.7/32").contains("192.168.1.8"));
        // host bits set in the base address are ignored
        assert!(c("10.0.0.77/24").contains("10.0.0.1"));
    }

    #[test]
    fn v6() {
        let r = c("2001:db8::/32");
        assert!(r.contains("2001:db8::1"));
        assert!(r.contains("2001:0db8:ffff:ffff:ffff:ffff:ffff:ffff"));
        assert!(!r.contains("2001:db9::"));
        assert!(!r.contains("10.0.0.1"));
        assert!(c("::/0").contains("ffff::1"));
        assert!(c("::1/128").contains("0:0:0:0:0:0:0:1"));
    }

    #[test]
    fn text_round_trips() {
        for s in [
            "10.0.0.0/24",
            "0.0.0.0/0",
            "192.168.1.7/32",
            "2001:db8::/32",
            "::/0",
            "::1/128",
        ] {
            assert_eq!(c(s).to_text(), s);
        }
        assert_eq!(c("10.0.0.77/24").to_text(), "10.0.0.0/24");
    }

    #[test]
    fn errors() {
        let reason = |s: &str| Cidr::parse(s).expect_err(s).reason().to_owned();
        assert_eq!(reason("10.0.0.0"), "Malformed CIDR, one '/' required");
        assert_eq!(reason("10.0.0.0/"), "Malformed CIDR, one '/' required");
        assert_eq!(reason("1/2/3"), "Malformed CIDR, one '/' required");
        assert_eq!(
            reason("10.0.0.0/x"),
            "Malformed CIDR, mask bits must be an integer"
        );
        assert_eq!(
            reason("10.0.0.0/-1"),
            "Malformed CIDR, mask bits must not be negative"
        );
        assert_eq!(reason("host/8"), "Nonstandard IP address: host");
        assert_eq!(reason("999.0.0.1/8"), "Invalid IP address: 999.0.0.1");
        assert_eq!(reason("10.0.0.0/33"), "IPv4 mask bits must be <= 32");
        assert_eq!(reason("::/129"), "IPv6 mask bits must be <= 128");
    }
}
