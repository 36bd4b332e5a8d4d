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
    Punct(&'static str),
}

/// The base types a cast may name.
const CAST_TYPES: &[&str] = &[
    "char", "signed char", "unsigned char", "short", "unsigned short", "int", "unsigned", "unsigned int", "long",
    "unsigned long", "long long", "unsigned long long", "float", "double", "bool", "_Bool",
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
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b':') {
                i += 1;
            }
            tokens.push((Token::Identifier(text[start..i].to_owned()), start));
        } else if c.is_ascii_digit() {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                i += 1;
            }
            let literal = text[start..i].trim_end_matches(['u', 'U', 'l', 'L']);
            let token = if let Some(hex) = literal.strip_prefix("0x").or_else(|| literal.strip_prefix("0X")) {
                Token::Int(u64::from_str_radix(hex, 16).map_err(|_| error("bad hex literal", start))?)
            } else if literal.contains('.') || literal.contains('e') {
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

struct Parser {
    tokens: Vec<(Token, usize)>,
    next: usize,
    end: usize,
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
        let Some(Token::Punct(p)) = self.peek() else { return None };
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

    fn expression(&mut self, min_precedence: u8) -> Result<Expr, ParseError> {
        let mut left = self.unary()?;
        while let Some(op) = self.binary_op().filter(|op| op.precedence() >= min_precedence) {
            self.next += 1;
            let right = self.expression(op.precedence() + 1)?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        let op = match self.peek() {
            Some(Token::Punct("-")) => Some(UnaryOp::Negate),
            Some(Token::Punct("!")) => Some(UnaryOp::Not),
            Some(Token::Punct("~")) => Some(UnaryOp::BitNot),
            Some(Token::Punct("*")) => Some(UnaryOp::Deref),
            Some(Token::Punct("&")) => Some(UnaryOp::AddressOf),
            Some(Token::Punct("+")) => {
                self.next += 1;
                return self.unary();
            }
            _ => None,
        };
        if let Some(op) = op {
            self.next += 1;
            return Ok(Expr::Unary(op, Box::new(self.unary()?)));
        }
        if let Some(cast) = self.cast_type() {
            return Ok(Expr::Cast(cast, Box::new(self.unary()?)));
        }
        self.postfix()
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

    fn postfix(&mut self) -> Result<Expr, ParseError> {
        let mut expr = self.primary()?;
        loop {
            if self.eat(".") || self.peek() == Some(&Token::Punct("->")) {
                let through_pointer = self.eat("->");
                let Some(Token::Identifier(member)) = self.peek().cloned() else {
                    return Err(self.error("expected a member name"));
                };
                self.next += 1;
                expr = Expr::Member { base: Box::new(expr), member, through_pointer };
            } else if self.eat("[") {
                let index = self.expression(0)?;
                self.expect("]")?;
                expr = Expr::Index(Box::new(expr), Box::new(index));
            } else {
                return Ok(expr);
            }
        }
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        let token = self.peek().cloned().ok_or_else(|| self.error("expected a value"))?;
        self.next += 1;
        match token {
            Token::Identifier(name) => Ok(Expr::Identifier(name)),
            Token::Int(v) => Ok(Expr::Int(v)),
            Token::Float(v) => Ok(Expr::Float(v)),
            Token::Char(c) => Ok(Expr::Char(c)),
            Token::Punct("(") => {
                let inner = self.expression(0)?;
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
    let tokens = tokenize(text)?;
    if tokens.is_empty() {
        return Err(ParseError { message: "empty expression".into(), column: 1 });
    }
    let mut parser = Parser { tokens, next: 0, end: text.len() };
    let expr = parser.expression(0)?;
    if parser.next < parser.tokens.len() {
        return Err(parser.error("unexpected text after the expression"));
    }
    Ok(expr)
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
                Box::new(Expr::Binary(BinaryOp::Add, id("a"), Box::new(Expr::Binary(BinaryOp::Mul, id("b"), Box::new(Expr::Int(2)))))),
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
        assert_eq!(parse("*&m[1][2]").unwrap(), Expr::Unary(UnaryOp::Deref, Box::new(Expr::Unary(UnaryOp::AddressOf, Box::new(Expr::Index(Box::new(Expr::Index(id("m"), Box::new(Expr::Int(1)))), Box::new(Expr::Int(2))))))));
    }

    #[test]
    fn casts_literals_and_parentheses() {
        assert_eq!(parse("(unsigned char) x").unwrap(), Expr::Cast("unsigned char".into(), id("x")));
        assert_eq!(parse("(x)").unwrap(), Expr::Identifier("x".into()), "a variable in parentheses is not a cast");
        assert_eq!(parse("0x1F").unwrap(), Expr::Int(31));
        assert_eq!(parse("'a'").unwrap(), Expr::Char(b'a'));
        assert_eq!(parse("1.5").unwrap(), Expr::Float(1.5));
        assert_eq!(parse("n >= 3 && !done").unwrap().clone(), parse("(n >= 3) && (!done)").unwrap());
    }

    #[test]
    fn errors_say_where() {
        assert_eq!(parse("a +").unwrap_err().column, 4);
        assert!(parse("a $ b").unwrap_err().message.contains('$'));
        assert!(parse("f(").is_err());
        assert!(parse("").is_err());
        assert!(parse("a b").unwrap_err().message.contains("after the expression"));
    }
}
