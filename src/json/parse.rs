//! JSON text → [`Json`], strictly as RFC 8259 (and serde_json) read it,
//! with serde_json's messages and positions for what is wrong.

use std::fmt;

use super::Json;

/// How deep lists and objects may nest (serde_json's limit).
const MAX_DEPTH: usize = 128;

/// Why a text is not JSON, and where (1-based line and column, as
/// serde_json counted them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// What is wrong, e.g. `expected value`.
    pub what: &'static str,
    /// Line of the problem.
    pub line: usize,
    /// Column of the problem (0 at the start of an empty line).
    pub column: usize,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {} column {}",
            self.what, self.line, self.column
        )
    }
}

/// Reads one JSON value; blanks around it are allowed, anything else is
/// an error.
pub fn parse(text: &str) -> Result<Json, SyntaxError> {
    let mut p = Parser {
        text: text.as_bytes(),
        at: 0,
        depth: 0,
    };
    let value = p.value().map_err(|(what, at)| p.error(what, at))?;
    p.blanks();
    if p.at < p.text.len() {
        return Err(p.error("trailing characters", p.at + 1));
    }
    Ok(value)
}

/// A problem and the byte count it is reported after.
type Fail = (&'static str, usize);

struct Parser<'a> {
    text: &'a [u8],
    at: usize,
    depth: usize,
}

impl Parser<'_> {
    fn error(&self, what: &'static str, at: usize) -> SyntaxError {
        let consumed = &self.text[..at.min(self.text.len())];
        let line = 1 + consumed.iter().filter(|&&b| b == b'\n').count();
        let start = consumed
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        SyntaxError {
            what,
            line,
            column: consumed.len() - start,
        }
    }

    fn blanks(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.text.get(self.at) {
            self.at += 1;
        }
    }

    /// The next byte after blanks, not consumed.
    fn peek(&mut self) -> Option<u8> {
        self.blanks();
        self.text.get(self.at).copied()
    }

    /// An error at the byte now looked at (or at the end, `eof`).
    fn here(&self, what: &'static str, eof: &'static str) -> Fail {
        if self.at < self.text.len() {
            (what, self.at + 1)
        } else {
            (eof, self.text.len())
        }
    }

    fn value(&mut self) -> Result<Json, Fail> {
        let Some(b) = self.peek() else {
            return Err(("EOF while parsing a value", self.text.len()));
        };
        match b {
            b'n' => self.word(b"null", Json::Null),
            b't' => self.word(b"true", Json::Bool(true)),
            b'f' => self.word(b"false", Json::Bool(false)),
            b'"' => {
                self.at += 1;
                self.string().map(Json::String)
            }
            b'-' | b'0'..=b'9' => self.number(),
            b'[' | b'{' => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(("recursion limit exceeded", self.at + 1));
                }
                self.at += 1;
                let value = if b == b'[' {
                    self.list()
                } else {
                    self.object()
                };
                self.depth -= 1;
                value
            }
            _ => Err(("expected value", self.at + 1)),
        }
    }

    fn word(&mut self, word: &[u8], value: Json) -> Result<Json, Fail> {
        for &expected in word {
            match self.text.get(self.at) {
                None => return Err(("EOF while parsing a value", self.text.len())),
                Some(&b) if b == expected => self.at += 1,
                Some(_) => return Err(("expected ident", self.at + 1)),
            }
        }
        Ok(value)
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while self.text.get(self.at).is_some_and(u8::is_ascii_digit) {
            self.at += 1;
        }
        self.at - start
    }

    fn number(&mut self) -> Result<Json, Fail> {
        let start = self.at;
        if self.text[self.at] == b'-' {
            self.at += 1;
        }
        match self.text.get(self.at) {
            Some(b'0') => {
                self.at += 1;
                if self.text.get(self.at).is_some_and(u8::is_ascii_digit) {
                    return Err(("invalid number", self.at + 1));
                }
            }
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.here("invalid number", "EOF while parsing a value")),
        }
        if self.text.get(self.at) == Some(&b'.') {
            self.at += 1;
            if self.digits() == 0 {
                return Err(self.here("invalid number", "EOF while parsing a value"));
            }
        }
        if let Some(b'e' | b'E') = self.text.get(self.at) {
            self.at += 1;
            if let Some(b'+' | b'-') = self.text.get(self.at) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return Err(self.here("invalid number", "EOF while parsing a value"));
            }
        }
        // The text is ASCII digits and signs, so always UTF-8.
        let text = String::from_utf8_lossy(&self.text[start..self.at]).into_owned();
        if super::number::overflows_f64(&text) {
            return Err(("number out of range", self.at));
        }
        Ok(Json::Number(text))
    }

    fn hex4(&mut self) -> Result<u32, Fail> {
        let mut value = 0;
        for _ in 0..4 {
            let Some(&b) = self.text.get(self.at) else {
                return Err(("EOF while parsing a string", self.text.len()));
            };
            self.at += 1;
            let digit = (b as char)
                .to_digit(16)
                .ok_or(("invalid escape", self.at))?;
            value = value << 4 | digit;
        }
        Ok(value)
    }

    /// A string's text, after its opening quote.
    fn string(&mut self) -> Result<String, Fail> {
        let mut out = Vec::new();
        loop {
            let Some(&b) = self.text.get(self.at) else {
                return Err(("EOF while parsing a string", self.text.len()));
            };
            self.at += 1;
            match b {
                b'"' => break,
                b'\\' => {
                    let Some(&e) = self.text.get(self.at) else {
                        return Err(("EOF while parsing a string", self.text.len()));
                    };
                    self.at += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.escaped_char()?,
                        _ => return Err(("invalid escape", self.at)),
                    };
                    let mut buf = [0; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                0..=0x1f => {
                    return Err((
                        "control character (\\u0000-\\u001F) found while parsing a string",
                        self.at,
                    ))
                }
                _ => out.push(b),
            }
        }
        // Only whole characters of the (UTF-8) input and encoded chars
        // were copied.
        String::from_utf8(out).map_err(|_| ("invalid unicode code point", self.at))
    }

    /// The character of a `\u` escape (a surrogate pair takes two).
    fn escaped_char(&mut self) -> Result<char, Fail> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if self.text.get(self.at..self.at + 2) != Some(b"\\u") {
                    return Err(("lone leading surrogate in hex escape", self.at));
                }
                self.at += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(("lone leading surrogate in hex escape", self.at));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(("lone leading surrogate in hex escape", self.at)),
            code => code,
        };
        char::from_u32(code).ok_or(("invalid unicode code point", self.at))
    }

    fn list(&mut self) -> Result<Json, Fail> {
        let mut items = Vec::new();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value()?);
            if self.separator(b']', "expected `,` or `]`", "EOF while parsing a list")? {
                return Ok(Json::Array(items));
            }
        }
    }

    /// After an item of a list or an object: `,` (not followed by
    /// `close`) → `false`, `close` → `true`, anything else an error.
    fn separator(
        &mut self,
        close: u8,
        expected: &'static str,
        eof: &'static str,
    ) -> Result<bool, Fail> {
        match self.peek() {
            Some(b',') => {
                self.at += 1;
                if self.peek() == Some(close) {
                    return Err(("trailing comma", self.at + 1));
                }
                Ok(false)
            }
            Some(c) if c == close => {
                self.at += 1;
                Ok(true)
            }
            _ => Err(self.here(expected, eof)),
        }
    }

    fn object(&mut self) -> Result<Json, Fail> {
        let mut members = Vec::new();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(Json::Object(members));
        }
        loop {
            match self.peek() {
                Some(b'"') => self.at += 1,
                _ => return Err(self.here("key must be a string", "EOF while parsing an object")),
            }
            let key = self.string()?;
            match self.peek() {
                Some(b':') => self.at += 1,
                _ => return Err(self.here("expected `:`", "EOF while parsing an object")),
            }
            members.push((key, self.value()?));
            if self.separator(b'}', "expected `,` or `}`", "EOF while parsing an object")? {
                return Ok(Json::Object(members));
            }
        }
    }
}
