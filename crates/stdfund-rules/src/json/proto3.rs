//! Field readers for the proto3 JSON forms a derived reader does not take:
//! `null` as the field's default, a 32-bit integer written as a string, an
//! enum written as its number. Used by the request DTOs and by the ruleset
//! document, which GetCatalog prints as proto3 JSON and a client may pass
//! back as `whatIfRuleset` from any proto3 JSON printer (D40).

use crate::domain::FundingLevel;
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use std::fmt;

/// `null` reads as the default (proto3 JSON: null is the field's default).
pub(crate) fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Option::<T>::deserialize(d).map(Option::unwrap_or_default)
}

/// A `uint32` field: a JSON number or, as proto3 JSON allows, a decimal
/// string of one.
pub(crate) fn u32_or_string<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    struct U32;
    impl Visitor<'_> for U32 {
        type Value = u32;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a whole number from 0 to 4294967295")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u32, E> {
            u32::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u32, E> {
            u32::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<u32, E> {
            v.parse()
                .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }
    d.deserialize_any(U32)
}

/// The names of a repeated `FundingLevel` field: each element its name or,
/// as proto3 JSON allows, its number. A number that is no level is kept as
/// its digits, for the ruleset's validation to refuse as an unknown level.
pub(crate) fn funding_level_names<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Vec<String>, D::Error> {
    struct Name;
    impl Visitor<'_> for Name {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a funding level's name or number")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
            Ok(i32::try_from(v)
                .ok()
                .and_then(FundingLevel::from_number)
                .map_or_else(|| v.to_string(), |l| l.name().to_owned()))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }
    }
    struct Level(String);
    impl<'de> Deserialize<'de> for Level {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(Name).map(Level)
        }
    }
    let levels = Option::<Vec<Level>>::deserialize(d)?.unwrap_or_default();
    Ok(levels.into_iter().map(|Level(name)| name).collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[derive(Deserialize)]
    struct Doc {
        #[serde(default, deserialize_with = "nullable")]
        flag: bool,
        #[serde(deserialize_with = "u32_or_string")]
        figure: u32,
        #[serde(default, deserialize_with = "funding_level_names")]
        levels: Vec<String>,
    }

    #[test]
    fn the_proto3_forms_read_as_their_values() {
        let d: Doc = serde_json::from_str(
            r#"{"flag": null, "figure": "15", "levels": [1, "FUNDING_LEVEL_PROVINCIAL", 9]}"#,
        )
        .unwrap();
        assert!(!d.flag);
        assert_eq!(d.figure, 15);
        assert_eq!(
            d.levels,
            ["FUNDING_LEVEL_NATIONAL", "FUNDING_LEVEL_PROVINCIAL", "9"]
        );
        let d: Doc = serde_json::from_str(r#"{"figure": 7, "levels": null}"#).unwrap();
        assert_eq!((d.figure, d.levels.len()), (7, 0));
        for bad in [
            r#"{"figure": "十五"}"#,
            r#"{"figure": -1}"#,
            r#"{"figure": 4294967296}"#,
            r#"{"figure": null}"#,
        ] {
            assert!(serde_json::from_str::<Doc>(bad).is_err(), "{bad}");
        }
    }
}
