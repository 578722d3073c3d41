//! A small JSON reader and writer of the crate's own.
//!
//! Every path of the browser build reads and writes JSON through here, not
//! through serde_json: its generic reader, its error texts (which print
//! floats, keeping core's float formatting alive) and its float writer
//! were about a third of the browser's `.wasm`. The server build keeps
//! serde for its many other types; what both builds write (request
//! bodies, cart keys, estimates) is byte for byte what serde_json wrote,
//! which the tests check.
//!
//! Numbers are kept as the text they were written in ([`Json::Number`]),
//! so money is read exactly, never through arithmetic on floats.

mod number;
mod parse;
pub mod write;

pub use number::{number_decimal, shortest_text};
pub use parse::{parse, SyntaxError};

/// A JSON value. Object members keep their order, duplicates included
/// ([`Json::get`] answers the last, as serde_json's map kept it).
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written (a valid JSON number).
    Number(String),
    /// A string, unescaped.
    String(String),
    /// A list.
    Array(Vec<Json>),
    /// An object's members, in order.
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The member `key` of an object (the last one of that name); `None`
    /// for a missing member or a value that is not an object.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|m| &m.1),
            _ => None,
        }
    }

    /// The text of a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// A number written as an integer that fits `u64` (`-0` does not).
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Number(n) if is_integer(n) => n.parse().ok(),
            _ => None,
        }
    }

    /// A number written as an integer that fits `i64` (`-0` does not, as
    /// serde_json read it as a float).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Json::Number(n) if is_integer(n) && n != "-0" => n.parse().ok(),
            _ => None,
        }
    }

    /// An integer's digits (a number that [`Json::as_i64`] or
    /// [`Json::as_u64`] reads), as serde_json printed it.
    pub fn integer_text(&self) -> Option<String> {
        if let Some(i) = self.as_i64() {
            return Some(i.to_string());
        }
        self.as_u64().map(|u| u.to_string())
    }

    /// How serde named this kind of value in its errors (`integer `5``,
    /// `string "x"`, `sequence`), for messages that keep their old text.
    pub fn unexpected(&self) -> String {
        match self {
            Json::Null => "null".into(),
            Json::Bool(b) => format!("boolean `{b}`"),
            Json::Number(n) if self.integer_text().is_some() => format!("integer `{n}`"),
            Json::Number(n) => format!("floating point `{}`", number::float_shown(n)),
            Json::String(s) => format!("string {s:?}"),
            Json::Array(_) => "sequence".into(),
            Json::Object(_) => "map".into(),
        }
    }

    /// serde's `invalid type: …, expected …` message for this value.
    pub fn invalid_type(&self, expected: &str) -> String {
        format!("invalid type: {}, expected {expected}", self.unexpected())
    }

    /// The value as compact JSON text, as serde_json wrote its tree
    /// (integers as written, other numbers as the nearest float's text).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write_to(&mut out);
        out
    }

    fn write_to(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) if is_integer(n) && self.integer_text().is_some() => out.push_str(n),
            Json::Number(n) => out.push_str(&number::float_shown(n)),
            Json::String(s) => write::string(out, s),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_to(out);
                }
                out.push(']');
            }
            Json::Object(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write::string(out, key);
                    out.push(':');
                    value.write_to(out);
                }
                out.push('}');
            }
        }
    }
}

/// A number written without fraction or exponent.
fn is_integer(text: &str) -> bool {
    !text.contains(['.', 'e', 'E'])
}

/// serde_json's tree of the same JSON (numbers through their text), for
/// the server build's callers that hold one.
#[cfg(any(feature = "proxy", feature = "sync", feature = "legacy"))]
impl From<&serde_json::Value> for Json {
    fn from(value: &serde_json::Value) -> Json {
        use serde_json::Value;
        match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => Json::Number(n.to_string()),
            Value::String(s) => Json::String(s.clone()),
            Value::Array(items) => Json::Array(items.iter().map(Json::from).collect()),
            Value::Object(map) => Json::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), Json::from(v)))
                    .collect(),
            ),
        }
    }
}
