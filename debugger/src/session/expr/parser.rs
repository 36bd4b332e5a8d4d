//! Tokenizer and precedence-climbing parser for the C-like subset.

use super::ast::{BinaryOp, Expr, UnaryOp};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} at column {column}")]
pub struct ParseError {
    pub message: String,
    pub column: usize,
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Identifier(String),
    Int(u64),
    Float(f64),
    Char(u8),
    Str(Vec<u8>),
    Punct(&'static str),
}

/// The base types a cast may name.
const CAST_TYPES: &[&str] = &[
    "char",
    "signed char",
    "unsigned char",
    "short",
    "unsigned short",
    "int",
    "unsigned",
    "unsigned int",
    "long",
    "unsigned long",
    "long long",
    "unsigned long long",
    "float",
    "double",
    "bool",
    "_Bool",
];

const PUNCTUATION: &[&str] = &[
    "->", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "(", ")", "[", "]", ".", "*", "/", "%", "+", "-", "<", ">",
    "&", "^", "|", "!", "~",
];

fn tokenize(text: &str) -> Result<Vec<(Token, usize)>, ParseError> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    let error = |message: &str, column: usize| ParseError { message: message.to_owned(), column: column + 1 };
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
            let start = i;
            // `$` only begins a name (`$local3`): step over it first.
            i += 1;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b':') {
                i += 1;
            }
            tokens.push((Token::Identifier(text[start..i].to_owned()), start));
        } else if c.is_ascii_digit() {
            let start = i;
            let hex = bytes[i..].starts_with(b"0x") || bytes[i..].starts_with(b"0X");
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                // A decimal exponent's sign belongs to the number: `2.5E-3`.
                let exponent = !hex && matches!(bytes[i], b'e' | b'E');
                i += 1;
                if exponent && i < bytes.len() && matches!(bytes[i], b'+' | b'-') {
                    i += 1;
                }
            }
            let literal = text[start..i].trim_end_matches(['u', 'U', 'l', 'L']);
            let token = if let Some(hex) = literal.strip_prefix("0x").or_else(|| literal.strip_prefix("0X")) {
                Token::Int(u64::from_str_radix(hex, 16).map_err(|_| error("bad hex literal", start))?)
            } else if literal.contains(['.', 'e', 'E']) {
                Token::Float(literal.trim_end_matches(['f', 'F']).parse().map_err(|_| error("bad number", start))?)
            } else {
                Token::Int(literal.parse().map_err(|_| error("bad number", start))?)
            };
            tokens.push((token, start));
        } else if c == b'\'' {
            let (value, len) = match bytes.get(i + 1..i + 4) {
                Some([b'\\', escaped, b'\'']) => (unescape(*escaped), 4),
                _ => match bytes.get(i + 1..i + 3) {
                    Some([ch, b'\'']) => (*ch, 3),
                    _ => return Err(error("bad character literal", i)),
                },
            };
            tokens.push((Token::Char(value), i));
            i += len;
        } else if c == b'"' {
            // A string literal, with the character literals' escapes.
            let start = i;
            let mut value = Vec::new();
            i += 1;
            loop {
                match bytes.get(i) {
                    None => return Err(error("unterminated string literal", start)),
                    Some(b'"') => break,
                    Some(b'\\') => {
                        let escaped = *bytes.get(i + 1).ok_or_else(|| error("unterminated string literal", start))?;
                        value.push(unescape(escaped));
                        i += 2;
                    }
                    Some(other) => {
                        value.push(*other);
                        i += 1;
                    }
                }
            }
            i += 1;
            tokens.push((Token::Str(value), start));
        } else if let Some(p) = PUNCTUATION.iter().find(|p| text[i..].starts_with(**p)) {
            tokens.push((Token::Punct(p), i));
            i += p.len();
        } else {
            return Err(error(&format!("unexpected `{}`", char::from(c)), i));
        }
    }
    Ok(tokens)
}

fn unescape(c: u8) -> u8 {
    match c {
        b'n' => b'\n',
        b't' => b'\t',
        b'0' => 0,
        other => other,
    }
}

/// How deeply an expression may nest (parentheses, operators, operands of
/// operands). The parser, the evaluator and dropping the tree all recurse
/// once per level, on whatever stack they run on (the guest's, for a
/// breakpoint condition): hostile input must not overflow it, and no real
/// watch expression comes near.
pub const MAX_DEPTH: usize = 100;

/// Longest expression text accepted.
pub const MAX_LENGTH: usize = 64 * 1024;

struct Parser {
    tokens: Vec<(Token, usize)>,
    next: usize,
    end: usize,
}

/// A parsed subtree and how deep it is.
struct Parsed {
    expr: Expr,
    depth: usize,
}

impl Parsed {
    fn leaf(expr: Expr) -> Self {
        Parsed { expr, depth: 1 }
    }
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next).map(|(t, _)| t)
    }

    fn column(&self) -> usize {
        self.tokens.get(self.next).map_or(self.end, |(_, c)| *c) + 1
    }

    fn error(&self, message: &str) -> ParseError {
        ParseError { message: message.to_owned(), column: self.column() }
    }

    fn eat(&mut self, punct: &str) -> bool {
        if self.peek() == Some(&Token::Punct(PUNCTUATION.iter().find(|p| **p == punct).copied().unwrap_or(""))) {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, punct: &str) -> Result<(), ParseError> {
        if self.eat(punct) { Ok(()) } else { Err(self.error(&format!("expected `{punct}`"))) }
    }

    fn binary_op(&self) -> Option<BinaryOp> {
        let Some(Token::Punct(p)) = self.peek() else {
            return None;
        };
        Some(match *p {
            "*" => BinaryOp::Mul,
            "/" => BinaryOp::Div,
            "%" => BinaryOp::Rem,
            "+" => BinaryOp::Add,
            "-" => BinaryOp::Sub,
            "<<" => BinaryOp::Shl,
            ">>" => BinaryOp::Shr,
            "<" => BinaryOp::Lt,
            "<=" => BinaryOp::Le,
            ">" => BinaryOp::Gt,
            ">=" => BinaryOp::Ge,
            "==" => BinaryOp::Eq,
            "!=" => BinaryOp::Ne,
            "&" => BinaryOp::BitAnd,
            "^" => BinaryOp::BitXor,
            "|" => BinaryOp::BitOr,
            "&&" => BinaryOp::And,
            "||" => BinaryOp::Or,
            _ => return None,
        })
    }

    fn too_deep(&self) -> ParseError {
        self.error(&format!("the expression nests more than {MAX_DEPTH} levels deep"))
    }

    /// A node over children `depth` deep, refused past [`MAX_DEPTH`].
    fn node(&self, expr: Expr, depth: usize) -> Result<Parsed, ParseError> {
        if depth >= MAX_DEPTH {
            return Err(self.too_deep());
        }
        Ok(Parsed { expr, depth: depth + 1 })
    }

    /// `nesting` counts the levels of recursion above this call, so the
    /// parser's own stack is bounded as well as the tree it builds.
    fn expression(&mut self, min_precedence: u8, nesting: usize) -> Result<Parsed, ParseError> {
        if nesting >= MAX_DEPTH {
            return Err(self.too_deep());
        }
        let mut left = self.unary(nesting)?;
        while let Some(op) = self.binary_op().filter(|op| op.precedence() >= min_precedence) {
            self.next += 1;
            let right = self.expression(op.precedence() + 1, nesting + 1)?;
            let depth = left.depth.max(right.depth);
            left = self.node(Expr::Binary(op, Box::new(left.expr), Box::new(right.expr)), depth)?;
        }
        Ok(left)
    }

    fn unary(&mut self, nesting: usize) -> Result<Parsed, ParseError> {
        // Unary operators chain without limit in C (`- - - x`): count them.
        let mut prefixes = Vec::new();
        loop {
            let op = match self.peek() {
                Some(Token::Punct("-")) => Some(UnaryOp::Negate),
                Some(Token::Punct("!")) => Some(UnaryOp::Not),
                Some(Token::Punct("~")) => Some(UnaryOp::BitNot),
                Some(Token::Punct("*")) => Some(UnaryOp::Deref),
                Some(Token::Punct("&")) => Some(UnaryOp::AddressOf),
                Some(Token::Punct("+")) => None,
                _ => break,
            };
            self.next += 1;
            prefixes.extend(op.map(Prefix::Operator));
            if nesting + prefixes.len() >= MAX_DEPTH {
                return Err(self.too_deep());
            }
        }
        while let Some(cast) = self.cast_type() {
            prefixes.push(Prefix::Cast(cast));
            if nesting + prefixes.len() >= MAX_DEPTH {
                return Err(self.too_deep());
            }
            // A cast may be followed by unary operators again.
            if matches!(self.peek(), Some(Token::Punct("-" | "!" | "~" | "*" | "&" | "+"))) {
                let operand = self.unary(nesting + prefixes.len())?;
                return self.apply_prefixes(prefixes, operand);
            }
        }
        let operand = self.postfix(nesting + prefixes.len())?;
        self.apply_prefixes(prefixes, operand)
    }

    fn apply_prefixes(&self, prefixes: Vec<Prefix>, mut operand: Parsed) -> Result<Parsed, ParseError> {
        for prefix in prefixes.into_iter().rev() {
            let expr = match prefix {
                Prefix::Operator(op) => Expr::Unary(op, Box::new(operand.expr)),
                Prefix::Cast(to) => Expr::Cast(to, Box::new(operand.expr)),
            };
            operand = self.node(expr, operand.depth)?;
        }
        Ok(operand)
    }

    /// `(type)` when the parenthesis holds a base type name.
    fn cast_type(&mut self) -> Option<String> {
        if self.peek() != Some(&Token::Punct("(")) {
            return None;
        }
        let mut words = Vec::new();
        let mut at = self.next + 1;
        while let Some((Token::Identifier(word), _)) = self.tokens.get(at) {
            words.push(word.as_str());
            at += 1;
        }
        let name = words.join(" ");
        let closes = matches!(self.tokens.get(at), Some((Token::Punct(")"), _)));
        if closes && CAST_TYPES.contains(&name.as_str()) {
            self.next = at + 1;
            Some(name)
        } else {
            None
        }
    }

    fn postfix(&mut self, nesting: usize) -> Result<Parsed, ParseError> {
        let mut parsed = self.primary(nesting)?;
        loop {
            if self.eat(".") || self.peek() == Some(&Token::Punct("->")) {
                let through_pointer = self.eat("->");
                let Some(Token::Identifier(member)) = self.peek().cloned() else {
                    return Err(self.error("expected a member name"));
                };
                self.next += 1;
                parsed = if !through_pointer && self.eat("(") {
                    self.expect(")").map_err(|_| self.error("methods take no arguments here"))?;
                    self.node(Expr::Method { base: Box::new(parsed.expr), method: member }, parsed.depth)?
                } else {
                    self.node(Expr::Member { base: Box::new(parsed.expr), member, through_pointer }, parsed.depth)?
                };
            } else if self.eat("[") {
                let index = self.expression(0, nesting + 1)?;
                self.expect("]")?;
                let depth = parsed.depth.max(index.depth);
                parsed = self.node(Expr::Index(Box::new(parsed.expr), Box::new(index.expr)), depth)?;
            } else {
                return Ok(parsed);
            }
        }
    }

    fn primary(&mut self, nesting: usize) -> Result<Parsed, ParseError> {
        let token = self.peek().cloned().ok_or_else(|| self.error("expected a value"))?;
        self.next += 1;
        match token {
            Token::Identifier(name) => Ok(Parsed::leaf(Expr::Identifier(name))),
            Token::Int(v) => Ok(Parsed::leaf(Expr::Int(v))),
            Token::Float(v) => Ok(Parsed::leaf(Expr::Float(v))),
            Token::Char(c) => Ok(Parsed::leaf(Expr::Char(c))),
            Token::Str(s) => Ok(Parsed::leaf(Expr::Str(s))),
            Token::Punct("(") => {
                let inner = self.expression(0, nesting + 1)?;
                self.expect(")")?;
                Ok(inner)
            }
            Token::Punct(p) => {
                self.next -= 1;
                Err(self.error(&format!("unexpected `{p}`")))
            }
        }
    }
}

/// Parses a whole expression.
pub fn parse(text: &str) -> Result<Expr, ParseError> {
    if text.len() > MAX_LENGTH {
        return Err(ParseError { message: format!("the expression is longer than {MAX_LENGTH} bytes"), column: 1 });
    }
    let tokens = tokenize(text)?;
    if tokens.is_empty() {
        return Err(ParseError { message: "empty expression".into(), column: 1 });
    }
    let mut parser = Parser { tokens, next: 0, end: text.len() };
    let parsed = parser.expression(0, 0)?;
    if parser.next < parser.tokens.len() {
        return Err(parser.error("unexpected text after the expression"));
    }
    Ok(parsed.expr)
}

/// What stands before an operand: `-`, `*`, `(int)`…
enum Prefix {
    Operator(UnaryOp),
    Cast(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(name: &str) -> Box<Expr> {
        Box::new(Expr::Identifier(name.into()))
    }

    #[test]
    fn precedence_and_postfix_chains() {
        assert_eq!(
            parse("a + b * 2 == c").unwrap(),
            Expr::Binary(
                BinaryOp::Eq,
                Box::new(Expr::Binary(
                    BinaryOp::Add,
                    id("a"),
                    Box::new(Expr::Binary(BinaryOp::Mul, id("b"), Box::new(Expr::Int(2))))
                )),
                id("c")
            )
        );
        assert_eq!(
            parse("p->next->value").unwrap(),
            Expr::Member {
                base: Box::new(Expr::Member { base: id("p"), member: "next".into(), through_pointer: true }),
                member: "value".into(),
                through_pointer: true
            }
        );
        assert_eq!(
            parse("*&m[1][2]").unwrap(),
            Expr::Unary(
                UnaryOp::Deref,
                Box::new(Expr::Unary(
                    UnaryOp::AddressOf,
                    Box::new(Expr::Index(
                        Box::new(Expr::Index(id("m"), Box::new(Expr::Int(1)))),
                        Box::new(Expr::Int(2))
                    ))
                ))
            )
        );
    }

    #[test]
    fn casts_literals_and_parentheses() {
        assert_eq!(parse("(unsigned char) x").unwrap(), Expr::Cast("unsigned char".into(), id("x")));
        assert_eq!(parse("(x)").unwrap(), Expr::Identifier("x".into()), "a variable in parentheses is not a cast");
        assert_eq!(parse("0x1F").unwrap(), Expr::Int(31));
        assert_eq!(parse("'a'").unwrap(), Expr::Char(b'a'));
        assert_eq!(parse("1.5").unwrap(), Expr::Float(1.5));
        assert_eq!(parse("2.5E-3").unwrap(), Expr::Float(2.5e-3));
        assert_eq!(parse("1e-300").unwrap(), Expr::Float(1e-300));
        assert_eq!(parse("1e+3").unwrap(), Expr::Float(1000.0));
        assert_eq!(
            parse("0x1e-3").unwrap(),
            Expr::Binary(BinaryOp::Sub, Box::new(Expr::Int(30)), Box::new(Expr::Int(3)))
        );
        assert_eq!(parse("n >= 3 && !done").unwrap().clone(), parse("(n >= 3) && (!done)").unwrap());
    }

    #[test]
    fn string_literals_take_the_character_escapes() {
        assert_eq!(
            parse(r#"name == "a\"b\\c\n""#).unwrap(),
            Expr::Binary(BinaryOp::Eq, id("name"), Box::new(Expr::Str(b"a\"b\\c\n".to_vec())))
        );
        assert_eq!(parse(r#""""#).unwrap(), Expr::Str(Vec::new()));
        assert!(parse(r#"s == "open"#).unwrap_err().message.contains("unterminated"));
        assert!(parse(r#"s == "ends in \"#).unwrap_err().message.contains("unterminated"));
    }

    #[test]
    fn a_method_call_takes_no_arguments_and_binds_as_a_member() {
        let len = |base| Expr::Method { base, method: "len".into() };
        assert_eq!(parse("v.len()").unwrap(), len(id("v")));
        assert_eq!(
            parse("s.items.len() > 2").unwrap(),
            Expr::Binary(
                BinaryOp::Gt,
                Box::new(len(Box::new(Expr::Member { base: id("s"), member: "items".into(), through_pointer: false }))),
                Box::new(Expr::Int(2))
            )
        );
        assert!(parse("v.len(1)").unwrap_err().message.contains("no arguments"));
        assert!(parse("p->len()").is_err(), "C's `->` names a member, not a method");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        for text in [
            format!("{}1{}", "(".repeat(20_000), ")".repeat(20_000)),
            format!("{}x", "-".repeat(100_000)),
            format!("{}x", "- ".repeat(30_000)),
            format!("{}1", "1+".repeat(1_000_000)),
            format!("{}0{}", "a[".repeat(5_000), "]".repeat(5_000)),
            format!("x{}", ".m".repeat(5_000)),
            format!("{}x", "(int)".repeat(5_000)),
        ] {
            let error = parse(&text).unwrap_err();
            assert!(
                error.message.contains("levels deep") || error.message.contains("longer than"),
                "{}",
                error.message
            );
        }
        // Deep but within bounds still parses, and `+` prefixes cost nothing.
        assert!(parse(&format!("{}1{}", "(".repeat(50), ")".repeat(50))).is_ok());
        assert!(parse(&format!("{}x", "+".repeat(500))).is_ok());
        assert_eq!(
            parse("(int)-x").unwrap(),
            Expr::Cast("int".into(), Box::new(Expr::Unary(UnaryOp::Negate, id("x"))))
        );
        assert_eq!(
            parse("-(char)x").unwrap(),
            Expr::Unary(UnaryOp::Negate, Box::new(Expr::Cast("char".into(), id("x"))))
        );
    }

    #[test]
    fn errors_say_where() {
        assert_eq!(parse("a +").unwrap_err().column, 4);
        assert!(parse("a @ b").unwrap_err().message.contains('@'));
        assert!(parse("f(").is_err());
        assert!(parse("").is_err());
        assert!(parse("a b").unwrap_err().message.contains("after the expression"));
        // Found by the fuzzer: a lone `$` once never advanced the tokenizer.
        assert!(parse("$+1").is_ok(), "ends, whatever `$` means");
        assert_eq!(parse("$local3").unwrap(), Expr::Identifier("$local3".into()));
    }
}
