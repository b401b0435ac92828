//! Outbound HTTP policy: which addresses Tocsin may connect to when it
//! delivers to HTTP targets and webhooks.
//!
//! Every outbound request goes through [`client`]: http/https only, redirects never
//! followed, and the address checked at connect time, after DNS resolution, so a name that
//! resolves to a private address is refused too ([`GuardedResolver`]). URLs with a literal IP
//! never reach the resolver, so [`check_url`] checks those before sending.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use ipnet::IpNet;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Which forbidden addresses an operator allows anyway (`--outbound-allow CIDR`).
#[derive(Debug, Clone, Default)]
pub struct OutboundPolicy {
    /// Networks exempt from [`is_forbidden`].
    pub allow: Vec<IpNet>,
    /// Extra trusted root certificates for HTTPS (`--outbound-ca-file`, PEM), besides the
    /// Web PKI roots: for receivers behind an internal CA.
    pub extra_roots_pem: Option<Vec<u8>>,
}

impl OutboundPolicy {
    /// Whether a connection to `ip` is permitted.
    pub fn permits(&self, ip: IpAddr) -> bool {
        !is_forbidden(ip) || self.allow.iter().any(|net| net.contains(&ip))
    }
}

/// Resolves names with the system resolver and drops every address the policy forbids;
/// fails when none is left.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    policy: Arc<OutboundPolicy>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| policy.permits(a.ip()))
                .collect();
            if allowed.is_empty() {
                let err = std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    format!("{host} resolves only to addresses outbound requests may not reach"),
                );
                return Err(Box::new(err) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// The one HTTP client for outbound requests: guarded resolver, no redirects, 10 s timeout,
/// and no proxy: `HTTP_PROXY`, `HTTPS_PROXY` and `ALL_PROXY` are ignored, because a proxy
/// would resolve and connect on Tocsin's behalf, past the guard.
///
/// Errors: the extra roots are not PEM certificates, or the TLS stack cannot start.
pub fn client(policy: Arc<OutboundPolicy>) -> reqwest::Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder();
    if let Some(pem) = &policy.extra_roots_pem {
        for cert in reqwest::Certificate::from_pem_bundle(pem)? {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(5))
        .dns_resolver(Arc::new(GuardedResolver { policy }))
        .user_agent(concat!("tocsin/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// Parses an outbound URL: http or https, with a host; a literal IP host must pass the
/// policy (names are checked when they resolve).
///
/// Error messages name the scheme, host and port only: a query string may carry a token.
pub fn check_url(url: &str, policy: &OutboundPolicy) -> Result<reqwest::Url, String> {
    let parsed =
        reqwest::Url::parse(url).map_err(|e| format!("the target URL is not valid: {e}"))?;
    let shown = format!(
        "{}://{}{}",
        parsed.scheme(),
        parsed.host_str().unwrap_or_default(),
        parsed.port().map(|p| format!(":{p}")).unwrap_or_default()
    );
    let url = shown.as_str();
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("{url}: only http and https URLs are allowed"));
    }
    let ip = match parsed.host() {
        Some(url::Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
        Some(url::Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
        Some(url::Host::Domain(_)) => None,
        None => return Err(format!("{url} has no host")),
    };
    if let Some(ip) = ip
        && !policy.permits(ip)
    {
        return Err(format!(
            "{url}: address {ip} may not be reached by outbound requests"
        ));
    }
    Ok(parsed)
}

/// Whether `ip` is an address outbound requests must not reach unless an operator allowlist
/// says otherwise.
///
/// IPv4: loopback, private (10/8, 172.16/12, 192.168/16), link-local (169.254/16, with the
/// cloud metadata address), CGNAT (100.64/10), "this network" (0/8), IETF protocol
/// assignments (192.0.0/24), benchmarking (198.18/15), documentation, multicast and reserved
/// (240/4, with broadcast).
///
/// IPv6: loopback, unspecified, multicast, unique-local (fc00::/7), link-local (fe80::/10),
/// site-local (fec0::/10), and every form that embeds an IPv4 address, judged by that
/// address: IPv4-mapped (::ffff:0:0/96), IPv4-compatible (::/96), NAT64 (64:ff9b::/96 and
/// 64:ff9b:1::/48, refused whole: the local translator decides where they go) and 6to4
/// (2002::/16).
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || (a == 100 && (64..128).contains(&b))
                || a == 0
                || (a == 192 && b == 0 && c == 0)
                || (a == 198 && (b & 0xfe) == 18)
                || a >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_forbidden(IpAddr::V4(v4));
            }
            let s = v6.segments();
            // IPv4-compatible (deprecated) ::a.b.c.d, other than :: and ::1 (handled below).
            if s[..6].iter().all(|x| *x == 0) && (s[6] != 0 || s[7] > 1) {
                let [a, b, c, d] =
                    [s[6] >> 8, s[6] & 0xff, s[7] >> 8, s[7] & 0xff].map(|x| x as u8);
                return is_forbidden(IpAddr::V4(std::net::Ipv4Addr::new(a, b, c, d)));
            }
            // 6to4: 2002:aabb:ccdd::/48 carries a.b.c.d.
            if s[0] == 0x2002 {
                return true;
            }
            // 64:ff9b::/96 (well-known) and 64:ff9b:1::/48 (local-use).
            let nat64 = s[0] == 0x0064
                && s[1] == 0xff9b
                && (s[2] == 0x0001 || s[2..6].iter().all(|x| *x == 0));
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || nat64
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] & 0xffc0) == 0xfec0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_before_sending() {
        let strict = OutboundPolicy::default();
        assert!(check_url("https://example.com/hook", &strict).is_ok());
        assert!(
            check_url("ftp://example.com/", &strict)
                .unwrap_err()
                .contains("only http")
        );
        assert!(check_url("http://169.254.169.254/latest/meta-data", &strict).is_err());
        assert!(check_url("http://[::1]:8080/", &strict).is_err());
        let lab = OutboundPolicy {
            allow: vec!["127.0.0.0/8".parse().unwrap()],
            ..Default::default()
        };
        assert!(check_url("http://127.0.0.1:9/", &lab).is_ok());
        assert!(check_url("http://10.0.0.1/", &lab).is_err());
    }

    #[tokio::test]
    async fn names_resolving_to_loopback_are_refused() {
        let client = client(Arc::new(OutboundPolicy::default())).unwrap();
        let err = client.get("http://localhost:9/").send().await.unwrap_err();
        let text = format!("{err:?}");
        assert!(text.contains("may not reach"), "{text}");
    }

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
            "192.0.0.8",
            "198.18.0.1",
            "198.19.255.255",
            "240.0.0.1",
            "255.255.255.255",
            "64:ff9b::a00:1",
            "64:ff9b::808:808",
            "64:ff9b:1::1",
            "2002:7f00:1::1",
            "2002:808:808::1",
            "::7f00:1",
            "::a00:1",
            "fec0::1",
        ] {
            assert!(
                is_forbidden(ip.parse().unwrap()),
                "{ip} should be forbidden"
            );
        }
        for ip in [
            "93.184.216.34",
            "2606:4700::1111",
            "8.8.8.8",
            "198.20.0.1",
            "192.0.1.1",
            "::808:808",
        ] {
            assert!(!is_forbidden(ip.parse().unwrap()), "{ip} should be allowed");
        }
    }
}
