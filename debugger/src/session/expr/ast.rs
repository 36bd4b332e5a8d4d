//! The expression tree.

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Identifier(String),
    Int(u64),
    Float(f64),
    Char(u8),
    /// `"text"`: only compared with a string (`==`, `!=`).
    Str(Vec<u8>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `a.b`, or `a->b` when `through_pointer`.
    Member {
        base: Box<Expr>,
        member: String,
        through_pointer: bool,
    },
    Index(Box<Expr>, Box<Expr>),
    /// `a.len()`: one of the few methods answered from the value itself
    /// (no code of the program runs).
    Method {
        base: Box<Expr>,
        method: String,
    },
    /// `(type) value`, to a base type named by C keywords.
    Cast(String, Box<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Negate,
    Not,
    BitNot,
    Deref,
    AddressOf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Mul,
    Div,
    Rem,
    Add,
    Sub,
    Shl,
    Shr,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    BitAnd,
    BitXor,
    BitOr,
    And,
    Or,
}

impl BinaryOp {
    /// C precedence: higher binds tighter.
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => 10,
            BinaryOp::Add | BinaryOp::Sub => 9,
            BinaryOp::Shl | BinaryOp::Shr => 8,
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => 7,
            BinaryOp::Eq | BinaryOp::Ne => 6,
            BinaryOp::BitAnd => 5,
            BinaryOp::BitXor => 4,
            BinaryOp::BitOr => 3,
            BinaryOp::And => 2,
            BinaryOp::Or => 1,
        }
    }
}
