//! The add-tag form (`form#tag-form` on `/incident`): `TagResource` with one tag.

use tocsin_api::incidents::TagMap;

use super::required;

/// The message for a tag without a key.
pub const KEY_MESSAGE: &str = "A tag key is required.";

/// The message for a key longer than 128 characters.
pub const KEY_TOO_LONG_MESSAGE: &str = "A tag key is at most 128 characters.";

/// The message for a value longer than 256 characters.
pub const VALUE_TOO_LONG_MESSAGE: &str = "A tag value is at most 256 characters.";

/// The add-tag form, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TagForm {
    /// The key.
    pub key: String,
    /// The value (may be empty).
    pub value: String,
}

impl TagForm {
    /// The one tag to add (key and value trimmed). The server checks the characters and
    /// says so in its own words.
    pub fn tags(&self) -> Result<TagMap, String> {
        let key = required(&self.key, KEY_MESSAGE)?;
        if key.chars().count() > 128 {
            return Err(KEY_TOO_LONG_MESSAGE.to_owned());
        }
        let value = self.value.trim();
        if value.chars().count() > 256 {
            return Err(VALUE_TOO_LONG_MESSAGE.to_owned());
        }
        Ok(TagMap::from([(key.to_owned(), value.to_owned())]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_tag_or_why_not() {
        let form = TagForm {
            key: " team ".to_owned(),
            value: " payments ".to_owned(),
        };
        assert_eq!(
            form.tags(),
            Ok(TagMap::from([("team".to_owned(), "payments".to_owned())]))
        );
        let empty_value = TagForm {
            key: "k".to_owned(),
            value: String::new(),
        };
        assert_eq!(
            empty_value.tags(),
            Ok(TagMap::from([("k".to_owned(), String::new())]))
        );
        assert_eq!(TagForm::default().tags(), Err(KEY_MESSAGE.to_owned()));
        let long_key = TagForm {
            key: "k".repeat(129),
            value: String::new(),
        };
        assert_eq!(long_key.tags(), Err(KEY_TOO_LONG_MESSAGE.to_owned()));
        let long_value = TagForm {
            key: "k".to_owned(),
            value: "v".repeat(257),
        };
        assert_eq!(long_value.tags(), Err(VALUE_TOO_LONG_MESSAGE.to_owned()));
    }
}
