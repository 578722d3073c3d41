//! The first pass over every JSON body the Worker reads or forwards:
//! syntax, nesting depth and repeated keys, each problem blamed on where
//! it is (`line_items[0].unit_price`). So a `NaN` or `1e309` in a price
//! names the price, and a 10,000-deep body is refused after 32 levels.
//!
//! A repeated key is refused although TaxJar's parser (like most) keeps
//! one of the values without a word: parsers differ on which one, and the
//! Worker must never read another cart than the one TaxJar reads.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::error::{Code, Error};

/// The most levels of arrays and objects a body may nest (a cart needs 3).
pub(crate) const MAX_DEPTH: usize = 32;

/// Checks a JSON body; the error has code `invalid_type` (not JSON) or
/// `invalid_value` (nested too deeply, a key twice), and the field where
/// the problem is (`None` at the top level).
pub fn check(text: &str) -> Result<(), Error> {
    parse(text).map(|_| ())
}

/// [`check`], keeping the value it read: the checks and the parse are one
/// walk over the text (a second parse was a tenth of a cached answer).
pub fn parse(text: &str) -> Result<Value, Error> {
    let walk = RefCell::new(Walk::default());
    let mut reader = serde_json::Deserializer::from_str(text);
    let node = Node {
        walk: &walk,
        depth: 0,
    };
    let result = node
        .deserialize(&mut reader)
        .and_then(|value| reader.end().map(|()| value));
    let error = match result {
        Ok(value) => return Ok(value),
        Err(error) => error,
    };
    let walk = walk.into_inner();
    let mut path = walk.path;
    let (code, message) = match walk.problem {
        Some(Problem::TooDeep(message)) => {
            // Blame the member holding the deep value, not its 30-odd indexes.
            while matches!(path.last(), Some(Step::Index(_))) {
                path.pop();
            }
            (Code::InvalidValue, message)
        }
        Some(Problem::KeyTwice) => (Code::InvalidValue, "the key appears twice".to_owned()),
        None => (
            Code::InvalidType,
            format!("the body is not valid JSON: {error}"),
        ),
    };
    Err(match field(&path) {
        Some(field) => Error::field(code, field, message),
        None => Error::new(code, message),
    })
}

/// One step down into a value.
enum Step {
    Key(String),
    Index(usize),
}

/// Where the walk is, and the problem it stopped at (not a syntax error).
#[derive(Default)]
struct Walk {
    path: Vec<Step>,
    problem: Option<Problem>,
}

enum Problem {
    TooDeep(String),
    KeyTwice,
}

/// `a.b[2].c`, or `None` for the top level.
fn field(path: &[Step]) -> Option<String> {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(key) if out.is_empty() => out.push_str(key),
            Step::Key(key) => {
                out.push('.');
                out.push_str(key);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    (!out.is_empty()).then_some(out)
}

/// A value at `depth` (the number of arrays and objects around it).
#[derive(Clone, Copy)]
struct Node<'a> {
    walk: &'a RefCell<Walk>,
    depth: usize,
}

impl<'a> Node<'a> {
    /// Stops the walk at `problem` (serde's own error message is not used).
    fn fail<E: de::Error>(&self, problem: Problem) -> E {
        self.walk.borrow_mut().problem = Some(problem);
        E::custom("stopped")
    }

    /// The node for this container's children, unless it is one too deep.
    fn enter<E: de::Error>(self) -> Result<Node<'a>, E> {
        if self.depth >= MAX_DEPTH {
            let message = format!("the JSON is nested more than {MAX_DEPTH} levels deep");
            return Err(self.fail(Problem::TooDeep(message)));
        }
        Ok(Node {
            walk: self.walk,
            depth: self.depth + 1,
        })
    }
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // JSON text has no NaN or infinity, so this is always a number.
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let child = self.enter()?;
        let mut items = Vec::new();
        loop {
            // Left on the path when reading the element fails: the error's place.
            self.walk.borrow_mut().path.push(Step::Index(items.len()));
            let Some(item) = seq.next_element_seed(child)? else {
                self.walk.borrow_mut().path.pop();
                return Ok(Value::Array(items));
            };
            self.walk.borrow_mut().path.pop();
            items.push(item);
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let child = self.enter()?;
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let repeated = object.contains_key(&key);
            self.walk.borrow_mut().path.push(Step::Key(key.clone()));
            if repeated {
                return Err(self.fail(Problem::KeyTwice));
            }
            let value = map.next_value_seed(child)?;
            self.walk.borrow_mut().path.pop();
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(text: &str) -> (Code, Option<String>, String) {
        let error = check(text).unwrap_err();
        (error.code, error.field, error.message)
    }

    #[test]
    fn valid_json_passes() {
        for text in [
            r#"{"a":[1,{"b":null}],"c":-0,"d":1e3}"#,
            "[]",
            "1",
            " \"x\" ",
        ] {
            assert_eq!(check(text), Ok(()), "{text}");
        }
        let deepest = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(check(&deepest), Ok(()));
    }

    #[test]
    fn problems_name_their_field() {
        let (code, field, message) = problem(r#"{"line_items":[{"unit_price":NaN}]}"#);
        assert_eq!(code, Code::InvalidType);
        assert_eq!(field.as_deref(), Some("line_items[0].unit_price"));
        assert_eq!(
            message,
            "the body is not valid JSON: expected value at line 1 column 30"
        );
        let (_, field, message) = problem(r#"{"shipping":1e309}"#);
        assert_eq!(field.as_deref(), Some("shipping"));
        assert!(message.contains("number out of range"), "{message}");
        let (code, field, _) = problem(r#"{"a":{"b":1,"\u0062":2}}"#);
        assert_eq!((code, field.as_deref()), (Code::InvalidValue, Some("a.b")));
        assert_eq!(problem("{not json").1, None);
        assert_eq!(problem(r#"{"a":1} x"#).1, None);
    }

    #[test]
    fn deep_nesting_is_refused_at_the_member() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let (code, field, message) = problem(&format!(r#"{{"x":[{{"y":{deep}}}]}}"#));
        assert_eq!(
            (code, field.as_deref()),
            (Code::InvalidValue, Some("x[0].y"))
        );
        assert_eq!(message, "the JSON is nested more than 32 levels deep");
        assert_eq!(problem(&deep).1, None);
        let objects = format!("{}1{}", r#"{"a":"#.repeat(10_000), "}".repeat(10_000));
        assert_eq!(problem(&objects).1, Some(vec!["a"; MAX_DEPTH].join(".")));
    }
}
