//! Messages read from JSON objects only.
//!
//! serde's derived reader of a struct also takes a JSON array, its elements
//! read as the fields in declaration order. Neither proto3 JSON nor a
//! ruleset document has such a form, and a positional array would fill the
//! fields by guesswork (docs/DECISIONS.md D35). A type read here derives its
//! reader with `#[serde(remote = "Self")]`, which makes the derived reader an
//! inherent `deserialize` (and the derived writer an inherent `serialize`);
//! its `Deserialize` goes through [`object`], which hands the derived reader
//! a JSON object's fields and nothing else.

use serde::Deserializer;
use serde::de::{self, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// A type read from a JSON object only.
pub(crate) trait Message<'de>: Sized {
    /// The derived reader of its fields (the inherent `deserialize`).
    fn fields<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;
}

/// Reads a [`Message`] from a JSON object; anything else is `invalid type:
/// …, expected a JSON object`.
pub(crate) fn object<'de, D: Deserializer<'de>, T: Message<'de>>(d: D) -> Result<T, D::Error> {
    struct Object<T>(PhantomData<T>);
    impl<'de, T: Message<'de>> Visitor<'de> for Object<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::fields(de::value::MapAccessDeserializer::new(map))
        }
    }
    d.deserialize_map(Object(PhantomData))
}

/// `Deserialize` through [`object`] for types that derive their reader with
/// `#[serde(remote = "Self")]`: `owned:` types that derive `Serialize` too
/// (written as derived), `borrowed:` types with one lifetime that only read.
macro_rules! read_from_objects {
    (borrowed: $($t:ident),+ $(,)?) => {$(
        impl<'de: 'a, 'a> $crate::json::object::Message<'de> for $t<'a> {
            fn fields<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $t::deserialize(d)
            }
        }
        impl<'de: 'a, 'a> serde::Deserialize<'de> for $t<'a> {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::json::object::object(d)
            }
        }
    )+};
    (owned: $($t:ident),+ $(,)?) => {$(
        impl<'de> $crate::json::object::Message<'de> for $t {
            fn fields<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $t::deserialize(d)
            }
        }
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::json::object::object(d)
            }
        }
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                $t::serialize(self, s)
            }
        }
    )+};
}
pub(crate) use read_from_objects;
