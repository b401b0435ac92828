//! The Contacts page's forms (`/contacts`): a personal contact, an email channel, an
//! activation code, an escalation plan (stages of personal contacts), and the edit forms of
//! an existing escalation plan or personal contact (its plan: stages of its channels).

use tocsin_api::contacts::{
    ChannelTargetInfo, ContactChannel, ContactChannelAddress, ContactTargetInfo,
    CreateContactChannelRequest, CreateContactRequest, GetContactResult, Plan, Stage, Tag, Target,
    UpdateContactRequest,
};

use super::{non_empty, required};

/// The tag naming the access-key principal a personal contact is.
pub const PRINCIPAL_TAG: &str = "tocsin:principal";

/// The message for an alias the server would refuse.
pub const ALIAS_RULES: &str = "An alias is 1-255 lower-case letters, digits, '-' or '_'.";

/// The message for an email channel without a name.
pub const CHANNEL_NAME_MESSAGE: &str = "A channel name is required.";

/// The message for an email channel whose address is not one.
pub const EMAIL_MESSAGE: &str = "An email channel's address is such as maria@example.com.";

/// The message for an activation code that is not 6-10 digits.
pub const CODE_MESSAGE: &str = "An activation code is the 6-10 digits the channel received.";

/// The message for a stage duration outside 0-30 minutes.
pub const DURATION_MESSAGE: &str = "A stage lasts 0 to 30 minutes.";

/// Longest stage, in minutes.
pub const MAX_STAGE_MINUTES: i32 = 30;

/// The message for a channel's retry interval outside 0-60 minutes.
pub const RETRY_MESSAGE: &str = "A retry interval is 0 to 60 minutes.";

/// Longest retry interval of a channel in a stage, in minutes.
pub const MAX_RETRY_MINUTES: i32 = 60;

/// A stage's duration as typed: whole minutes, 0-30 (`n`: the stage's number, from 1).
fn stage_duration(duration: &str, n: usize) -> Result<i32, String> {
    duration
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|d| (0..=MAX_STAGE_MINUTES).contains(d))
        .ok_or_else(|| format!("Stage {n}: {DURATION_MESSAGE}"))
}

/// A contact alias as the server accepts it (1-255 of `[a-z0-9_-]`). Returns it trimmed.
pub fn check_alias(alias: &str) -> Result<String, String> {
    let alias = alias.trim();
    let ok = (1..=255).contains(&alias.len())
        && alias
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-'));
    if ok {
        Ok(alias.to_owned())
    } else {
        Err(ALIAS_RULES.to_owned())
    }
}

/// An activation code as typed: 6-10 digits (spaces around it ignored).
pub fn check_activation_code(code: &str) -> Result<String, String> {
    let code = code.trim();
    if (6..=10).contains(&code.len()) && code.chars().all(|c| c.is_ascii_digit()) {
        Ok(code.to_owned())
    } else {
        Err(CODE_MESSAGE.to_owned())
    }
}

/// The new personal contact form, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PersonalContactForm {
    /// Its alias (the last part of its ARN).
    pub alias: String,
    /// Shown name (optional).
    pub display_name: String,
    /// The access-key principal this person is (optional), e.g.
    /// `arn:aws:iam::000000000000:user/maria`.
    pub principal: String,
}

impl PersonalContactForm {
    /// The `CreateContact` input: a `PERSONAL` contact with an empty plan (pages go to every
    /// activated channel), tagged [`PRINCIPAL_TAG`] when a principal is given.
    pub fn create_input(&self) -> Result<CreateContactRequest, String> {
        let alias = check_alias(&self.alias)?;
        let tags = non_empty(&self.principal).map(|principal| {
            vec![Tag {
                key: Some(PRINCIPAL_TAG.to_owned()),
                value: Some(principal),
            }]
        });
        Ok(CreateContactRequest {
            alias,
            display_name: non_empty(&self.display_name),
            contact_type: "PERSONAL".to_owned(),
            plan: Plan {
                stages: Some(Vec::new()),
                rotation_ids: None,
            },
            tags,
            idempotency_token: None,
        })
    }
}

/// The add-an-email-channel form of one personal contact, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EmailChannelForm {
    /// The channel's name.
    pub name: String,
    /// The email address.
    pub address: String,
}

impl EmailChannelForm {
    /// The `CreateContactChannel` input for `contact_arn`: an `EMAIL` channel.
    pub fn create_input(&self, contact_arn: &str) -> Result<CreateContactChannelRequest, String> {
        let name = required(&self.name, CHANNEL_NAME_MESSAGE)?;
        let address = self.address.trim();
        let ok = address.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.ends_with('.')
        }) && !address.chars().any(char::is_whitespace);
        if !ok {
            return Err(EMAIL_MESSAGE.to_owned());
        }
        Ok(CreateContactChannelRequest {
            contact_id: contact_arn.to_owned(),
            name: name.to_owned(),
            channel_type: "EMAIL".to_owned(),
            delivery_address: ContactChannelAddress {
                simple_address: Some(address.to_owned()),
            },
            defer_activation: None,
            idempotency_token: None,
        })
    }
}

/// One contact in a stage of the escalation-plan form.
#[derive(Debug, Clone, PartialEq)]
pub struct StageTargetForm {
    /// The personal contact's ARN (`""`: not chosen yet).
    pub contact_arn: String,
    /// Whether this contact's acknowledgement stops the escalation.
    pub essential: bool,
}

/// One stage of the escalation-plan form.
#[derive(Debug, Clone, PartialEq)]
pub struct StageForm {
    /// Minutes before the next stage starts (0-30), as typed.
    pub duration: String,
    /// The contacts it engages.
    pub targets: Vec<StageTargetForm>,
}

impl Default for StageForm {
    /// 5 minutes, one contact to choose.
    fn default() -> Self {
        Self {
            duration: "5".to_owned(),
            targets: vec![StageTargetForm {
                contact_arn: String::new(),
                essential: false,
            }],
        }
    }
}

/// The new escalation plan form, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EscalationForm {
    /// Its alias.
    pub alias: String,
    /// Shown name (optional).
    pub display_name: String,
    /// Its stages, in order.
    pub stages: Vec<StageForm>,
}

impl EscalationForm {
    /// The `CreateContact` input: an `ESCALATION` contact whose stages engage the chosen
    /// contacts. Every stage needs a duration of 0-30 minutes and at least one contact,
    /// and names a contact at most once.
    pub fn create_input(&self) -> Result<CreateContactRequest, String> {
        let alias = check_alias(&self.alias)?;
        let stages = escalation_stages(&self.stages)?;
        Ok(CreateContactRequest {
            alias,
            display_name: non_empty(&self.display_name),
            contact_type: "ESCALATION".to_owned(),
            plan: Plan {
                stages: Some(stages),
                rotation_ids: None,
            },
            tags: None,
            idempotency_token: None,
        })
    }
}

/// The stages of an escalation plan's form as a plan's stages: at least one; each a
/// duration of 0-30 minutes and at least one contact, naming a contact at most once.
fn escalation_stages(forms: &[StageForm]) -> Result<Vec<Stage>, String> {
    if forms.is_empty() {
        return Err("An escalation plan needs at least one stage.".to_owned());
    }
    let mut stages = Vec::new();
    for (i, stage) in forms.iter().enumerate() {
        let n = i + 1;
        let duration = stage_duration(&stage.duration, n)?;
        let mut targets: Vec<Target> = Vec::new();
        for t in &stage.targets {
            let arn = t.contact_arn.trim();
            if arn.is_empty() {
                continue;
            }
            let seen = targets.iter().any(|x| {
                x.contact_target_info
                    .as_ref()
                    .and_then(|c| c.contact_id.as_deref())
                    == Some(arn)
            });
            if seen {
                return Err(format!("Stage {n} names a contact twice."));
            }
            targets.push(Target {
                channel_target_info: None,
                contact_target_info: Some(ContactTargetInfo {
                    contact_id: Some(arn.to_owned()),
                    is_essential: t.essential,
                }),
            });
        }
        if targets.is_empty() {
            return Err(format!("Stage {n}: choose at least one contact."));
        }
        stages.push(Stage {
            duration_in_minutes: duration,
            targets,
        });
    }
    Ok(stages)
}

/// The edit form of an existing escalation plan, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EscalationEditForm {
    /// Shown name (empty: none).
    pub display_name: String,
    /// Its stages, in order.
    pub stages: Vec<StageForm>,
}

impl EscalationEditForm {
    /// The form filled in from `GetContact`: its display name and each stage's duration and
    /// contacts (targets that are not contacts are left out).
    pub fn from_contact(contact: &GetContactResult) -> Self {
        let stages = contact
            .plan
            .stages
            .iter()
            .flatten()
            .map(|stage| StageForm {
                duration: stage.duration_in_minutes.to_string(),
                targets: stage
                    .targets
                    .iter()
                    .filter_map(|t| t.contact_target_info.as_ref())
                    .map(|c| StageTargetForm {
                        contact_arn: c.contact_id.clone().unwrap_or_default(),
                        essential: c.is_essential,
                    })
                    .collect(),
            })
            .collect();
        Self {
            display_name: contact.display_name.clone().unwrap_or_default(),
            stages,
        }
    }

    /// The `UpdateContact` input for `contact_arn`: the display name (trimmed; empty clears
    /// it) and the whole plan, checked as [`EscalationForm::create_input`] checks it.
    pub fn update_input(&self, contact_arn: &str) -> Result<UpdateContactRequest, String> {
        let stages = escalation_stages(&self.stages)?;
        Ok(UpdateContactRequest {
            contact_id: contact_arn.to_owned(),
            display_name: Some(self.display_name.trim().to_owned()),
            plan: Some(Plan {
                stages: Some(stages),
                rotation_ids: None,
            }),
        })
    }
}

/// One channel in a stage of a personal contact's plan form.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelTargetForm {
    /// The channel's ARN.
    pub channel_arn: String,
    /// Whether the stage pages this channel.
    pub on: bool,
    /// Minutes between pages again during the stage (0-60; 0: once), as typed.
    pub retry: String,
}

/// One stage of a personal contact's plan form: a duration and, for each of the contact's
/// activated channels (in the order they are listed), whether and how it is paged.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelStageForm {
    /// Minutes before the next stage starts (0-30), as typed.
    pub duration: String,
    /// One per activated channel.
    pub channels: Vec<ChannelTargetForm>,
}

impl ChannelStageForm {
    /// A new stage: 5 minutes, every one of `channels` paged once.
    pub fn new(channels: &[ContactChannel]) -> Self {
        Self {
            duration: "5".to_owned(),
            channels: channels
                .iter()
                .map(|c| ChannelTargetForm {
                    channel_arn: c.contact_channel_arn.clone(),
                    on: true,
                    retry: "0".to_owned(),
                })
                .collect(),
        }
    }
}

/// The edit form of an existing personal contact, as typed: a display name and its plan,
/// stages of its activated channels (no stages: pages go to every activated channel).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PersonalEditForm {
    /// Shown name (empty: none).
    pub display_name: String,
    /// Its stages, in order.
    pub stages: Vec<ChannelStageForm>,
}

impl PersonalEditForm {
    /// The form filled in from `GetContact` and the contact's activated `channels`: each
    /// stage's duration and, per channel, whether the stage names it and its retry interval.
    /// (A channel the plan names that is not among `channels` is left out.)
    pub fn from_contact(contact: &GetContactResult, channels: &[ContactChannel]) -> Self {
        let stages = contact
            .plan
            .stages
            .iter()
            .flatten()
            .map(|stage| {
                let named = |arn: &str| {
                    stage
                        .targets
                        .iter()
                        .filter_map(|t| t.channel_target_info.as_ref())
                        .find(|c| c.contact_channel_id == arn)
                };
                ChannelStageForm {
                    duration: stage.duration_in_minutes.to_string(),
                    channels: channels
                        .iter()
                        .map(|c| {
                            let target = named(&c.contact_channel_arn);
                            ChannelTargetForm {
                                channel_arn: c.contact_channel_arn.clone(),
                                on: target.is_some(),
                                retry: target
                                    .and_then(|t| t.retry_interval_in_minutes)
                                    .unwrap_or(0)
                                    .to_string(),
                            }
                        })
                        .collect(),
                }
            })
            .collect();
        Self {
            display_name: contact.display_name.clone().unwrap_or_default(),
            stages,
        }
    }

    /// The `UpdateContact` input for `contact_arn`: the display name (trimmed; empty clears
    /// it) and the whole plan. Every stage needs a duration of 0-30 minutes and at least one
    /// channel, each with a retry interval of 0-60 minutes.
    pub fn update_input(&self, contact_arn: &str) -> Result<UpdateContactRequest, String> {
        let mut stages = Vec::new();
        for (i, stage) in self.stages.iter().enumerate() {
            let n = i + 1;
            let duration = stage_duration(&stage.duration, n)?;
            let mut targets = Vec::new();
            for c in stage.channels.iter().filter(|c| c.on) {
                let retry = c
                    .retry
                    .trim()
                    .parse::<i32>()
                    .ok()
                    .filter(|r| (0..=MAX_RETRY_MINUTES).contains(r))
                    .ok_or_else(|| format!("Stage {n}: {RETRY_MESSAGE}"))?;
                targets.push(Target {
                    channel_target_info: Some(ChannelTargetInfo {
                        contact_channel_id: c.channel_arn.clone(),
                        retry_interval_in_minutes: Some(retry),
                    }),
                    contact_target_info: None,
                });
            }
            if targets.is_empty() {
                return Err(format!("Stage {n}: choose at least one channel."));
            }
            stages.push(Stage {
                duration_in_minutes: duration,
                targets,
            });
        }
        Ok(UpdateContactRequest {
            contact_id: contact_arn.to_owned(),
            display_name: Some(self.display_name.trim().to_owned()),
            plan: Some(Plan {
                stages: Some(stages),
                rotation_ids: None,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_and_codes() {
        assert_eq!(check_alias(" maria_s-1 "), Ok("maria_s-1".to_owned()));
        for bad in ["", "Maria", "has space", "a.b", &"x".repeat(256)] {
            assert_eq!(check_alias(bad), Err(ALIAS_RULES.to_owned()), "{bad:?}");
        }
        assert_eq!(check_activation_code(" 123456 "), Ok("123456".to_owned()));
        for bad in ["", "12345", "12345678901", "12a456"] {
            assert!(check_activation_code(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn personal_contacts() {
        let form = PersonalContactForm {
            alias: "maria".to_owned(),
            display_name: " Maria Silva ".to_owned(),
            principal: "arn:aws:iam::000000000000:user/maria".to_owned(),
        };
        let input = form.create_input().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            serde_json::to_value(&input).ok(),
            Some(serde_json::json!({
                "Alias": "maria",
                "DisplayName": "Maria Silva",
                "Type": "PERSONAL",
                "Plan": {"Stages": []},
                "Tags": [{"Key": "tocsin:principal", "Value": "arn:aws:iam::000000000000:user/maria"}]
            }))
        );
        let bare = PersonalContactForm {
            alias: "tom".to_owned(),
            ..PersonalContactForm::default()
        };
        let input = bare.create_input().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((input.display_name, input.tags), (None, None));
        assert!(PersonalContactForm::default().create_input().is_err());
    }

    #[test]
    fn email_channels() {
        let form = EmailChannelForm {
            name: " work ".to_owned(),
            address: " maria@example.com ".to_owned(),
        };
        let input = form.create_input("arn:m").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            serde_json::to_value(&input).ok(),
            Some(serde_json::json!({
                "ContactId": "arn:m",
                "Name": "work",
                "Type": "EMAIL",
                "DeliveryAddress": {"SimpleAddress": "maria@example.com"}
            }))
        );
        let no_name = EmailChannelForm {
            name: String::new(),
            address: "m@example.com".to_owned(),
        };
        assert_eq!(
            no_name.create_input("a"),
            Err(CHANNEL_NAME_MESSAGE.to_owned())
        );
        let bad = EmailChannelForm {
            name: "w".to_owned(),
            address: "maria".to_owned(),
        };
        assert_eq!(bad.create_input("a"), Err(EMAIL_MESSAGE.to_owned()));
    }

    #[test]
    fn escalation_plans() {
        let target = |arn: &str, essential| StageTargetForm {
            contact_arn: arn.to_owned(),
            essential,
        };
        let form = EscalationForm {
            alias: "oncall".to_owned(),
            display_name: String::new(),
            stages: vec![
                StageForm {
                    duration: "5".to_owned(),
                    targets: vec![target("arn:m", true), target("", false)],
                },
                StageForm {
                    duration: "0".to_owned(),
                    targets: vec![target("arn:t", false)],
                },
            ],
        };
        let input = form.create_input().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            serde_json::to_value(&input).ok(),
            Some(serde_json::json!({
                "Alias": "oncall",
                "Type": "ESCALATION",
                "Plan": {"Stages": [
                    {"DurationInMinutes": 5, "Targets": [{"ContactTargetInfo": {"ContactId": "arn:m", "IsEssential": true}}]},
                    {"DurationInMinutes": 0, "Targets": [{"ContactTargetInfo": {"ContactId": "arn:t", "IsEssential": false}}]}
                ]}
            }))
        );
        let mut bad = form.clone();
        bad.stages[0].duration = "31".to_owned();
        assert_eq!(
            bad.create_input(),
            Err(format!("Stage 1: {DURATION_MESSAGE}"))
        );
        let mut empty = form.clone();
        empty.stages[1].targets = vec![target("", true)];
        assert_eq!(
            empty.create_input(),
            Err("Stage 2: choose at least one contact.".to_owned())
        );
        let mut twice = form.clone();
        twice.stages[0].targets = vec![target("arn:m", true), target("arn:m", false)];
        assert_eq!(
            twice.create_input(),
            Err("Stage 1 names a contact twice.".to_owned())
        );
        let mut none = form;
        none.stages.clear();
        assert!(none.create_input().is_err());
    }

    fn channel(arn: &str, status: &str) -> ContactChannel {
        serde_json::from_value(serde_json::json!({
            "ContactChannelArn": arn, "ContactArn": "arn:m", "Name": arn, "Type": "EMAIL",
            "DeliveryAddress": {"SimpleAddress": "m@example.com"}, "ActivationStatus": status
        }))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn editing_an_escalation_plan() {
        let contact: GetContactResult = serde_json::from_value(serde_json::json!({
            "ContactArn": "arn:oncall", "Alias": "oncall", "DisplayName": "On call",
            "Type": "ESCALATION",
            "Plan": {"Stages": [{"DurationInMinutes": 10, "Targets": [
                {"ContactTargetInfo": {"ContactId": "arn:m", "IsEssential": true}}]}]}
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        let mut form = EscalationEditForm::from_contact(&contact);
        assert_eq!(form.display_name, "On call");
        assert_eq!(
            form.stages,
            vec![StageForm {
                duration: "10".to_owned(),
                targets: vec![StageTargetForm {
                    contact_arn: "arn:m".to_owned(),
                    essential: true
                }],
            }]
        );
        form.stages[0].duration = "3".to_owned();
        form.display_name = " Night ".to_owned();
        let input = form
            .update_input("arn:oncall")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            serde_json::to_value(&input).ok(),
            Some(serde_json::json!({
                "ContactId": "arn:oncall",
                "DisplayName": "Night",
                "Plan": {"Stages": [{"DurationInMinutes": 3, "Targets": [
                    {"ContactTargetInfo": {"ContactId": "arn:m", "IsEssential": true}}]}]}
            }))
        );
        form.stages[0].duration = "-1".to_owned();
        assert_eq!(
            form.update_input("a"),
            Err(format!("Stage 1: {DURATION_MESSAGE}"))
        );
        form.stages.clear();
        assert!(form.update_input("a").is_err());
    }

    #[test]
    fn editing_a_personal_contact() {
        let contact: GetContactResult = serde_json::from_value(serde_json::json!({
            "ContactArn": "arn:m", "Alias": "maria", "Type": "PERSONAL",
            "Plan": {"Stages": [{"DurationInMinutes": 0, "Targets": [
                {"ChannelTargetInfo": {"ContactChannelId": "arn:b", "RetryIntervalInMinutes": 2}},
                {"ChannelTargetInfo": {"ContactChannelId": "arn:gone"}}]}]}
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        let channels = [channel("arn:a", "ACTIVATED"), channel("arn:b", "ACTIVATED")];
        let mut form = PersonalEditForm::from_contact(&contact, &channels);
        assert_eq!(form.display_name, "");
        let target = |arn: &str, on, retry: &str| ChannelTargetForm {
            channel_arn: arn.to_owned(),
            on,
            retry: retry.to_owned(),
        };
        assert_eq!(
            form.stages,
            vec![ChannelStageForm {
                duration: "0".to_owned(),
                channels: vec![target("arn:a", false, "0"), target("arn:b", true, "2")],
            }]
        );
        form.stages.push(ChannelStageForm::new(&channels));
        form.stages[1].channels[1].on = false;
        form.stages[1].channels[0].retry = "60".to_owned();
        form.display_name = "Maria".to_owned();
        let input = form.update_input("arn:m").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            serde_json::to_value(&input).ok(),
            Some(serde_json::json!({
                "ContactId": "arn:m",
                "DisplayName": "Maria",
                "Plan": {"Stages": [
                    {"DurationInMinutes": 0, "Targets": [
                        {"ChannelTargetInfo": {"ContactChannelId": "arn:b", "RetryIntervalInMinutes": 2}}]},
                    {"DurationInMinutes": 5, "Targets": [
                        {"ChannelTargetInfo": {"ContactChannelId": "arn:a", "RetryIntervalInMinutes": 60}}]}
                ]}
            }))
        );
        form.stages[1].channels[0].retry = "61".to_owned();
        assert_eq!(
            form.update_input("arn:m"),
            Err(format!("Stage 2: {RETRY_MESSAGE}"))
        );
        form.stages[1].channels[0].on = false;
        assert_eq!(
            form.update_input("arn:m"),
            Err("Stage 2: choose at least one channel.".to_owned())
        );
        form.stages.clear();
        let input = form.update_input("arn:m").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(input.plan.and_then(|p| p.stages), Some(Vec::new()));
    }
}
