//! Who is signed in, and what their key may do.
//!
//! Every API request carries `Authorization: Bearer <accessKeyId>:<secretAccessKey>` once a
//! key is signed in; `GET /v1/whoami` says whose key it is and its [`Role`]. This module is
//! the pure part: the key's shape ([`Credentials`]), the kiosk fragment
//! (`/wall?kiosk=1#key=ID:SECRET`), which controls a role may see ([`Control`]), what a wall
//! screen accepts ([`kiosk_verdict`]) and the words people see when a key is refused. The
//! browser part (storage, the reactive context, the guard's state) is [`session`].
//!
//! The secret never goes into a URL the app builds (the live stream uses single-use tickets,
//! and the sign-in redirect's `next` is a path only); the kiosk link carries it in the
//! fragment, which browsers never send, and the app removes it from the address bar at once.

pub mod session;

use std::fmt;

use tocsin_api::auth::Role;

use crate::api::ApiError;

/// Length of an access key id (upper-case letters and digits).
pub const ACCESS_KEY_ID_LEN: usize = 20;

/// Length of a secret access key (letters and digits).
pub const SECRET_LEN: usize = 40;

/// The sign-in page's path.
pub const SIGN_IN_PATH: &str = "/sign-in";

/// Where the sign-in page goes when it was not told where the person came from.
pub const DEFAULT_RETURN_PATH: &str = "/wall";

/// An access key id and its secret. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// 20 upper-case letters and digits.
    pub access_key_id: String,
    /// 40 letters and digits.
    pub secret_access_key: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .finish()
    }
}

/// Why typed-in credentials cannot be a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialError {
    /// No access key id.
    MissingId,
    /// The access key id is not 20 upper-case letters and digits.
    BadId,
    /// No secret.
    MissingSecret,
    /// The secret is not 40 letters and digits.
    BadSecret,
}

impl fmt::Display for CredentialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MissingId => "Enter the access key id.",
            Self::BadId => "An access key id is 20 upper-case letters and digits (like TOCS…).",
            Self::MissingSecret => "Enter the secret access key.",
            Self::BadSecret => "A secret access key is 40 letters and digits.",
        })
    }
}

impl std::error::Error for CredentialError {}

/// Whether `id` has the shape of an access key id: 20 upper-case ASCII letters and digits.
pub fn valid_access_key_id(id: &str) -> bool {
    id.len() == ACCESS_KEY_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Whether `secret` has the shape of a secret access key: 40 ASCII letters and digits.
pub fn valid_secret(secret: &str) -> bool {
    secret.len() == SECRET_LEN && secret.bytes().all(|b| b.is_ascii_alphanumeric())
}

impl Credentials {
    /// An id and a secret, trimmed and checked for shape.
    pub fn new(access_key_id: &str, secret_access_key: &str) -> Result<Self, CredentialError> {
        let (id, secret) = (access_key_id.trim(), secret_access_key.trim());
        if id.is_empty() {
            return Err(CredentialError::MissingId);
        }
        if !valid_access_key_id(id) {
            return Err(CredentialError::BadId);
        }
        if secret.is_empty() {
            return Err(CredentialError::MissingSecret);
        }
        if !valid_secret(secret) {
            return Err(CredentialError::BadSecret);
        }
        Ok(Self {
            access_key_id: id.to_owned(),
            secret_access_key: secret.to_owned(),
        })
    }

    /// `ID:SECRET` (the bearer token, the stored form and the kiosk fragment's value).
    pub fn parse_pair(text: &str) -> Result<Self, CredentialError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(CredentialError::MissingId);
        }
        match text.split_once(':') {
            Some((id, secret)) => Self::new(id, secret),
            None => Self::new(text, ""),
        }
    }

    /// The sign-in form's two fields. A whole `ID:SECRET` pasted into the id field (with
    /// the secret field left empty) is read as the pair.
    pub fn from_form(id_field: &str, secret_field: &str) -> Result<Self, CredentialError> {
        if secret_field.trim().is_empty() && id_field.contains(':') {
            Self::parse_pair(id_field)
        } else {
            Self::new(id_field, secret_field)
        }
    }

    /// `ID:SECRET`.
    pub fn pair(&self) -> String {
        format!("{}:{}", self.access_key_id, self.secret_access_key)
    }

    /// The `Authorization` header's value: `Bearer ID:SECRET`.
    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.pair())
    }
}

/// What `GET /v1/whoami` answers: whose key it is (`name`, untrusted text shown as text),
/// its `role` and `principal`.
pub type Identity = tocsin_api::auth::Whoami;

/// `name · role`, as the navigation bar shows who is signed in.
pub fn identity_label(who: &Identity) -> String {
    format!("{} · {}", who.name, who.role)
}

/// The `#key=…` value found in a location fragment, and the fragment without it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FragmentKey {
    /// The (percent-decoded) value of `key`.
    pub value: String,
    /// What is left of the fragment, with its `#`, or `""` when nothing is.
    pub rest: String,
}

/// Finds `key=…` in a location fragment (`#key=ID:SECRET`, possibly among other
/// `&`-separated parameters); `None` when there is none.
pub fn take_fragment_key(hash: &str) -> Option<FragmentKey> {
    let body = hash.strip_prefix('#').unwrap_or(hash);
    let mut value = None;
    let mut rest = Vec::new();
    for part in body.split('&') {
        match part.strip_prefix("key=") {
            Some(v) if value.is_none() => value = Some(percent_decode(v)),
            Some(_) => {}
            None if part.is_empty() => {}
            None => rest.push(part),
        }
    }
    let value = value?;
    let rest = if rest.is_empty() {
        String::new()
    } else {
        format!("#{}", rest.join("&"))
    };
    Some(FragmentKey { value, rest })
}

/// Decodes `%XX` escapes (and `+` as a space is NOT applied: keys have no spaces).
/// Malformed escapes are kept as they are.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Where the sign-in page may send someone back to: a path on this site (`/…`, not `//…`),
/// never the sign-in page itself; [`DEFAULT_RETURN_PATH`] otherwise.
pub fn safe_return_path(next: Option<&str>) -> String {
    match next.map(str::trim) {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.contains('#')
                && !path.chars().any(char::is_control)
                && !is_sign_in_path(path) =>
        {
            path.to_owned()
        }
        _ => DEFAULT_RETURN_PATH.to_owned(),
    }
}

fn is_sign_in_path(path: &str) -> bool {
    path == SIGN_IN_PATH
        || path
            .strip_prefix(SIGN_IN_PATH)
            .is_some_and(|rest| rest.starts_with(['?', '/']))
}

/// The sign-in page's address for someone who was at `here` (path and query).
pub fn sign_in_href(here: &str) -> String {
    let back = safe_return_path(Some(here));
    if back == DEFAULT_RETURN_PATH && here != DEFAULT_RETURN_PATH {
        SIGN_IN_PATH.to_owned()
    } else {
        format!(
            "{SIGN_IN_PATH}?next={}",
            crate::format::encode_component(&back)
        )
    }
}

/// Things on screen that only some roles may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// The wall, the incident list and pages, plans and rules (read only).
    Read,
    /// The "Start incident" form.
    StartIncident,
    /// Resolve and edit on the incident page; write, edit and delete its notes, attach and
    /// detach related items, tag it.
    WorkIncident,
    /// The response-plan editor.
    EditPlans,
    /// Rule editing, targets, enabling and disabling rules; event buses, archives and
    /// replays.
    EditRules,
    /// The Keys page.
    ManageKeys,
    /// The Integrations page: outbound webhooks and service principals' roles.
    ManageIntegrations,
    /// The Audit page (the audit log).
    ReadAudit,
    /// Start runbooks, and answer or stop them (approve, reject, next step, stop).
    RunRunbooks,
    /// The runbook editor: create documents, new versions, the default version.
    EditRunbooks,
    /// On the Topics page: subscribe endpoints (not chat webhooks), unsubscribe, and send
    /// test messages.
    SubscribeTopics,
    /// On the Topics page: create and delete topics, and subscribe chat webhooks (`slack`,
    /// `msteams`).
    ManageTopics,
    /// Acknowledge an incident (incident page and wall cards).
    AcknowledgeIncidents,
    /// On the Contacts page: activate a contact channel with its code, and send the code
    /// again.
    ActivateChannels,
    /// On the Contacts page: create and delete contacts, escalation plans and channels.
    ManageContacts,
    /// The Receivers page: create and delete receivers (inbound integrations).
    ManageReceivers,
    /// On the Maintenance page: create and delete heartbeats.
    ManageHeartbeats,
    /// Create and delete maintenance windows (the Maintenance page, and the incident
    /// page's one-click window).
    ManageMaintenance,
    /// On the Boards page: save and delete boards (saved wall views).
    ManageBoards,
}

impl Control {
    /// The least role that may use it.
    pub fn needs(self) -> Role {
        match self {
            Self::Read => Role::Viewer,
            Self::StartIncident
            | Self::WorkIncident
            | Self::RunRunbooks
            | Self::SubscribeTopics
            | Self::AcknowledgeIncidents
            | Self::ActivateChannels
            | Self::ManageMaintenance
            | Self::ManageBoards => Role::Responder,
            Self::EditPlans
            | Self::EditRules
            | Self::EditRunbooks
            | Self::ManageKeys
            | Self::ManageIntegrations
            | Self::ManageTopics
            | Self::ManageContacts
            | Self::ManageReceivers
            | Self::ManageHeartbeats
            | Self::ReadAudit => Role::Admin,
        }
    }
}

/// Whether a key with `role` (`None`: no key, or not known yet) may use `control`.
pub fn may(role: Option<Role>, control: Control) -> bool {
    role.is_some_and(|r| r.grants(control.needs()))
}

/// The navigation bar's links for `role` (`None`: signed out), in order.
pub fn nav_links(role: Option<Role>) -> Vec<(&'static str, &'static str)> {
    let mut links = Vec::new();
    if may(role, Control::Read) {
        links.push(("/wall", "Wall"));
        links.push(("/boards", "Boards"));
        links.push(("/incidents", "Incidents"));
        links.push(("/insights", "Insights"));
    }
    if may(role, Control::StartIncident) {
        links.push(("/start", "Start incident"));
    }
    if may(role, Control::Read) {
        links.push(("/plans", "Response plans"));
        links.push(("/rules", "Rules"));
        links.push(("/runbooks", "Runbooks"));
    }
    if may(role, Control::ManageKeys) {
        links.push(("/keys", "Keys"));
    }
    if may(role, Control::Read) {
        links.push(("/topics", "Topics"));
        links.push(("/contacts", "Contacts"));
        links.push(("/maintenance", "Maintenance"));
    }
    if may(role, Control::ManageIntegrations) {
        links.push(("/integrations", "Integrations"));
    }
    if may(role, Control::ManageReceivers) {
        links.push(("/receivers", "Receivers"));
    }
    if may(role, Control::ReadAudit) {
        links.push(("/audit", "Audit"));
    }
    links.push(("/settings", "Settings"));
    links
}

/// "Your key (role X) may not do this.": what a refused action says where it was.
pub fn denied_message(role: Option<Role>) -> String {
    match role {
        Some(role) => format!("Your key (role {role}) may not do this."),
        None => "Your key may not do this.".to_owned(),
    }
}

/// What a page says instead of a control the role may not use, e.g. "Your key (role
/// viewer) cannot start incidents."
pub fn cannot_message(role: Option<Role>, what: &str) -> String {
    match role {
        Some(role) => format!("Your key (role {role}) cannot {what}."),
        None => format!("Sign in with a key that can {what}."),
    }
}

/// Whether a wall screen in kiosk mode accepts a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KioskVerdict {
    /// A viewer key: the wall runs.
    Allowed,
    /// A key that may change things (responder, admin): anyone near the screen could take
    /// it, so the wall refuses it.
    TooPowerful(Role),
    /// A key that cannot read (producer).
    CannotRead(Role),
}

/// What a kiosk wall does with a key of `role`: only `viewer` keys are accepted.
pub fn kiosk_verdict(role: Role) -> KioskVerdict {
    match role {
        Role::Viewer => KioskVerdict::Allowed,
        Role::Producer => KioskVerdict::CannotRead(role),
        Role::Responder | Role::Admin => KioskVerdict::TooPowerful(role),
    }
}

impl KioskVerdict {
    /// The explanation shown instead of the wall (`None` when allowed).
    pub fn refusal(self) -> Option<String> {
        match self {
            Self::Allowed => None,
            Self::TooPowerful(role) => Some(format!(
                "This key has role {role}. A wall screen in kiosk mode only accepts a viewer key, \
                 because anyone near the screen could take the key. Create a viewer key on the \
                 Keys page and open /wall?kiosk=1#key=ID:SECRET with it."
            )),
            Self::CannotRead(role) => Some(format!(
                "This key has role {role}, which cannot read incidents. A wall screen needs a \
                 viewer key."
            )),
        }
    }
}

/// The AWS error codes that mean "these credentials are no good" (as opposed to "this key
/// may not do that").
const REJECTION_TYPES: [&str; 4] = [
    "MissingAuthenticationTokenException",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "IncompleteSignatureException",
];

/// The AWS error code of a refusal by role.
pub const ACCESS_DENIED: &str = "AccessDeniedException";

/// Whether an error says the credentials themselves were refused (401, or an unknown key
/// or a wrong secret; awsJson endpoints answer those with 400), so the person must sign in
/// again.
pub fn rejects_credentials(err: &ApiError) -> bool {
    match err {
        ApiError::Http {
            status, error_type, ..
        } => {
            *status == 401
                || error_type
                    .as_deref()
                    .is_some_and(|t| REJECTION_TYPES.contains(&t))
        }
        _ => false,
    }
}

/// Whether an error is a refusal by role (`AccessDeniedException`, 403 or awsJson's 400).
pub fn is_access_denied(err: &ApiError) -> bool {
    matches!(err, ApiError::Http { error_type: Some(t), .. } if t == ACCESS_DENIED)
        || matches!(err, ApiError::Denied { .. })
}

/// What the sign-in page says when `GET /v1/whoami` refused the key or failed.
pub fn sign_in_failure(err: &ApiError) -> String {
    match err {
        ApiError::Http {
            error_type: Some(t),
            ..
        } if t == "UnrecognizedClientException" => {
            "This key was not recognised: check the access key id (a disabled or deleted key is \
             not recognised either)."
                .to_owned()
        }
        ApiError::Http {
            error_type: Some(t),
            ..
        } if t == "InvalidSignatureException" => {
            "Wrong secret: the secret access key does not belong to this access key id.".to_owned()
        }
        ApiError::Http { status: 401, .. } => {
            "The server did not receive the key. Check the API address in Settings.".to_owned()
        }
        ApiError::Http { status: 403, .. } | ApiError::Denied { .. } => {
            format!("This key may not sign in: {err}")
        }
        other => other.to_string(),
    }
}

/// The note the sign-in page shows after a request elsewhere was refused for its
/// credentials.
pub fn rejection_note(err: &ApiError) -> String {
    match err {
        ApiError::Http {
            error_type: Some(t),
            ..
        } if t == "UnrecognizedClientException" => {
            "Your key is no longer recognised (it may have been disabled or deleted): sign in \
             again."
                .to_owned()
        }
        ApiError::Http {
            error_type: Some(t),
            ..
        } if t == "InvalidSignatureException" => {
            "The server refused your key's secret: sign in again.".to_owned()
        }
        _ => "Please sign in: the server asked for a key.".to_owned(),
    }
}

/// A key name as the server accepts it: 1-64 letters, digits and `+=,.@_-` (an IAM user
/// name, since it becomes the principal ARN). Returns the trimmed name.
pub fn check_key_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    let ok = (1..=64).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
    if ok {
        Ok(name.to_owned())
    } else {
        Err("A key name is 1-64 letters, digits and + = , . @ _ -".to_owned())
    }
}

/// The address that turns a screen into a kiosk wall with a key: `<origin>/wall?kiosk=1#key=ID:SECRET`.
pub fn kiosk_link(origin: &str, credentials: &Credentials) -> String {
    format!("{origin}/wall?kiosk=1#key={}", credentials.pair())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "TOCSABCDEFGHIJ234567";
    const SECRET: &str = "abcdefghijABCDEFGHIJ0123456789klmnopqrst";

    fn creds() -> Credentials {
        Credentials {
            access_key_id: ID.to_owned(),
            secret_access_key: SECRET.to_owned(),
        }
    }

    #[test]
    fn id_and_secret_shapes() {
        assert!(valid_access_key_id(ID));
        assert!(!valid_access_key_id("tocsabcdefghij234567"));
        assert!(!valid_access_key_id("TOCSABCDEFGHIJ23456"));
        assert!(!valid_access_key_id("TOCSABCDEFGHIJ2345678"));
        assert!(!valid_access_key_id("TOCSABCDEFGHIJ23456-"));
        assert!(!valid_access_key_id("TOCSABCDEFGHIJ23456É"));
        assert!(valid_secret(SECRET));
        assert!(!valid_secret(&SECRET[1..]));
        assert!(!valid_secret(&format!("{}/", &SECRET[1..])));
        assert!(!valid_secret(""));
    }

    #[test]
    fn parsing_pairs() {
        assert_eq!(
            Credentials::parse_pair(&format!("{ID}:{SECRET}")),
            Ok(creds())
        );
        assert_eq!(
            Credentials::parse_pair(&format!("  {ID}:{SECRET}\n")),
            Ok(creds())
        );
        assert_eq!(Credentials::parse_pair(""), Err(CredentialError::MissingId));
        assert_eq!(
            Credentials::parse_pair(ID),
            Err(CredentialError::MissingSecret)
        );
        assert_eq!(
            Credentials::parse_pair(&format!("{ID}:")),
            Err(CredentialError::MissingSecret)
        );
        assert_eq!(
            Credentials::parse_pair(&format!("x:{SECRET}")),
            Err(CredentialError::BadId)
        );
        assert_eq!(
            Credentials::parse_pair(&format!("{ID}:{SECRET}:x")),
            Err(CredentialError::BadSecret)
        );
        assert_eq!(creds().pair(), format!("{ID}:{SECRET}"));
        assert_eq!(creds().bearer(), format!("Bearer {ID}:{SECRET}"));
    }

    #[test]
    fn the_form_takes_fields_or_a_pasted_pair() {
        assert_eq!(Credentials::from_form(ID, SECRET), Ok(creds()));
        assert_eq!(
            Credentials::from_form(&format!(" {ID} "), &format!(" {SECRET} ")),
            Ok(creds())
        );
        assert_eq!(
            Credentials::from_form(&format!("{ID}:{SECRET}"), ""),
            Ok(creds())
        );
        assert_eq!(
            Credentials::from_form("", SECRET),
            Err(CredentialError::MissingId)
        );
        assert_eq!(
            Credentials::from_form(ID, ""),
            Err(CredentialError::MissingSecret)
        );
        assert_eq!(
            Credentials::from_form(ID, "short"),
            Err(CredentialError::BadSecret)
        );
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let shown = format!("{:?}", creds());
        assert!(shown.contains(ID));
        assert!(!shown.contains(SECRET));
    }

    #[test]
    fn kiosk_fragments() {
        let found = take_fragment_key(&format!("#key={ID}:{SECRET}"));
        assert_eq!(
            found,
            Some(FragmentKey {
                value: format!("{ID}:{SECRET}"),
                rest: String::new()
            })
        );
        let found = take_fragment_key(&format!("#a=1&key={ID}%3A{SECRET}&b=2"));
        assert_eq!(
            found,
            Some(FragmentKey {
                value: format!("{ID}:{SECRET}"),
                rest: "#a=1&b=2".to_owned()
            })
        );
        assert_eq!(take_fragment_key(""), None);
        assert_eq!(take_fragment_key("#"), None);
        assert_eq!(take_fragment_key("#section"), None);
        assert_eq!(take_fragment_key("#mykey=x"), None);
        // An empty value is still a key= to remove from the address.
        assert_eq!(
            take_fragment_key("#key="),
            Some(FragmentKey {
                value: String::new(),
                rest: String::new()
            })
        );
        assert_eq!(percent_decode("a%3ab%zz%4"), "a:b%zz%4");
    }

    #[test]
    fn return_paths_stay_on_this_site() {
        assert_eq!(safe_return_path(None), "/wall");
        assert_eq!(safe_return_path(Some("/start")), "/start");
        assert_eq!(
            safe_return_path(Some("/wall?kiosk=1")),
            "/wall?kiosk=1".to_owned()
        );
        for bad in [
            "",
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "/sign-in",
            "/sign-in?next=/x",
            "/wall#key=x",
            "/a\nb",
        ] {
            assert_eq!(safe_return_path(Some(bad)), "/wall", "{bad:?}");
        }
        assert_eq!(safe_return_path(Some("/sign-inx")), "/sign-inx");
    }

    #[test]
    fn sign_in_links_say_where_to_come_back() {
        assert_eq!(sign_in_href("/start"), "/sign-in?next=%2Fstart");
        assert_eq!(sign_in_href("/wall"), "/sign-in?next=%2Fwall");
        assert_eq!(
            sign_in_href("/wall?kiosk=1"),
            "/sign-in?next=%2Fwall%3Fkiosk%3D1"
        );
        assert_eq!(sign_in_href("/sign-in"), "/sign-in");
        assert_eq!(sign_in_href("//evil"), "/sign-in");
    }

    #[test]
    fn what_each_role_sees() {
        use Control::*;
        let table = [
            (None, [false; 19]),
            (Some(Role::Producer), [false; 19]),
            (
                Some(Role::Viewer),
                [
                    true, false, false, false, false, false, false, false, false, false, false,
                    false, false, false, false, false, false, false, false,
                ],
            ),
            (
                Some(Role::Responder),
                [
                    true, true, true, false, false, false, false, true, false, false, true, false,
                    true, true, false, false, false, true, true,
                ],
            ),
            (Some(Role::Admin), [true; 19]),
        ];
        let controls = [
            Read,
            StartIncident,
            WorkIncident,
            EditPlans,
            EditRules,
            ManageKeys,
            ReadAudit,
            RunRunbooks,
            EditRunbooks,
            ManageIntegrations,
            SubscribeTopics,
            ManageTopics,
            AcknowledgeIncidents,
            ActivateChannels,
            ManageContacts,
            ManageReceivers,
            ManageHeartbeats,
            ManageMaintenance,
            ManageBoards,
        ];
        for (role, expected) in table {
            for (control, want) in controls.into_iter().zip(expected) {
                assert_eq!(may(role, control), want, "{role:?} {control:?}");
            }
        }
    }

    #[test]
    fn nav_links_follow_the_role() {
        let hrefs = |role| {
            nav_links(role)
                .into_iter()
                .map(|(h, _)| h)
                .collect::<Vec<_>>()
        };
        assert_eq!(hrefs(None), ["/settings"]);
        assert_eq!(hrefs(Some(Role::Producer)), ["/settings"]);
        assert_eq!(
            hrefs(Some(Role::Viewer)),
            [
                "/wall",
                "/boards",
                "/incidents",
                "/insights",
                "/plans",
                "/rules",
                "/runbooks",
                "/topics",
                "/contacts",
                "/maintenance",
                "/settings"
            ]
        );
        assert_eq!(
            hrefs(Some(Role::Responder)),
            [
                "/wall",
                "/boards",
                "/incidents",
                "/insights",
                "/start",
                "/plans",
                "/rules",
                "/runbooks",
                "/topics",
                "/contacts",
                "/maintenance",
                "/settings"
            ]
        );
        assert_eq!(
            hrefs(Some(Role::Admin)),
            [
                "/wall",
                "/boards",
                "/incidents",
                "/insights",
                "/start",
                "/plans",
                "/rules",
                "/runbooks",
                "/keys",
                "/topics",
                "/contacts",
                "/maintenance",
                "/integrations",
                "/receivers",
                "/audit",
                "/settings"
            ]
        );
    }

    #[test]
    fn kiosk_takes_viewer_keys_only() {
        assert_eq!(kiosk_verdict(Role::Viewer), KioskVerdict::Allowed);
        assert_eq!(kiosk_verdict(Role::Viewer).refusal(), None);
        for role in [Role::Responder, Role::Admin] {
            let verdict = kiosk_verdict(role);
            assert_eq!(verdict, KioskVerdict::TooPowerful(role));
            let text = verdict.refusal().unwrap_or_default();
            assert!(text.contains(&format!("role {role}")), "{text}");
            assert!(text.contains("viewer key"), "{text}");
        }
        assert_eq!(
            kiosk_verdict(Role::Producer),
            KioskVerdict::CannotRead(Role::Producer)
        );
    }

    #[test]
    fn messages() {
        assert_eq!(
            denied_message(Some(Role::Viewer)),
            "Your key (role viewer) may not do this."
        );
        assert_eq!(denied_message(None), "Your key may not do this.");
        assert_eq!(
            cannot_message(Some(Role::Viewer), "start incidents"),
            "Your key (role viewer) cannot start incidents."
        );
        assert_eq!(
            identity_label(&Identity {
                access_key_id: ID.to_owned(),
                name: "ci-bot".to_owned(),
                role: Role::Viewer,
                principal: "arn:aws:iam::000000000000:user/ci-bot".to_owned(),
            }),
            "ci-bot · viewer"
        );
    }

    fn http(status: u16, kind: Option<&str>) -> ApiError {
        ApiError::Http {
            status,
            error_type: kind.map(str::to_owned),
            message: "m".to_owned(),
        }
    }

    #[test]
    fn which_errors_refuse_the_key() {
        assert!(rejects_credentials(&http(
            401,
            Some("MissingAuthenticationTokenException")
        )));
        assert!(rejects_credentials(&http(401, None)));
        assert!(rejects_credentials(&http(
            403,
            Some("UnrecognizedClientException")
        )));
        assert!(rejects_credentials(&http(
            403,
            Some("InvalidSignatureException")
        )));
        // awsJson endpoints answer with 400 and the same code.
        assert!(rejects_credentials(&http(
            400,
            Some("UnrecognizedClientException")
        )));
        assert!(!rejects_credentials(&http(403, Some(ACCESS_DENIED))));
        assert!(!rejects_credentials(&http(
            400,
            Some("ValidationException")
        )));
        assert!(!rejects_credentials(&ApiError::Network("x".to_owned())));
        assert!(is_access_denied(&http(400, Some(ACCESS_DENIED))));
        assert!(!is_access_denied(&http(
            403,
            Some("UnrecognizedClientException")
        )));
    }

    #[test]
    fn sign_in_failures_say_what_is_wrong() {
        assert!(
            sign_in_failure(&http(403, Some("UnrecognizedClientException")))
                .starts_with("This key was not recognised")
        );
        assert!(
            sign_in_failure(&http(403, Some("InvalidSignatureException")))
                .starts_with("Wrong secret")
        );
        assert!(
            sign_in_failure(&ApiError::Network("refused".to_owned()))
                .starts_with("Cannot reach the Tocsin API")
        );
        assert!(rejection_note(&http(401, None)).contains("sign in"));
    }

    #[test]
    fn key_names() {
        assert_eq!(check_key_name(" ci-bot "), Ok("ci-bot".to_owned()));
        assert_eq!(
            check_key_name("a+b=c,d.e@f_g-h"),
            Ok("a+b=c,d.e@f_g-h".to_owned())
        );
        assert!(check_key_name("").is_err());
        assert!(check_key_name("has space").is_err());
        assert!(check_key_name(&"x".repeat(65)).is_err());
        assert!(check_key_name("<b>").is_err());
    }

    #[test]
    fn kiosk_links() {
        assert_eq!(
            kiosk_link("http://h:1", &creds()),
            format!("http://h:1/wall?kiosk=1#key={ID}:{SECRET}")
        );
    }
}
