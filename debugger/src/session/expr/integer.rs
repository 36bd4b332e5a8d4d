//! Integers as C computes them: every value has one of the four types left
//! after integer promotion (`int`, `unsigned int`, `long long`, `unsigned
//! long long`; on wasm32 `long` is 32 bits), and arithmetic follows the usual
//! arithmetic conversions, wrapping at the type's width. So `a ^ b` of two
//! `uint32_t` is an `unsigned int`, and `-1 < 0u` is false, as in C.

/// A promoted C integer type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IntType {
    pub signed: bool,
    /// 32 or 64.
    pub bits: u32,
}

impl IntType {
    pub const INT: IntType = IntType { signed: true, bits: 32 };
    pub const UINT: IntType = IntType { signed: false, bits: 32 };
    pub const LONG_LONG: IntType = IntType { signed: true, bits: 64 };
    pub const ULONG_LONG: IntType = IntType { signed: false, bits: 64 };

    /// The type a value of `size` bytes is promoted to: anything narrower
    /// than `int` becomes `int`.
    pub fn promoted(size: u64, signed: bool) -> Self {
        match size {
            0..=3 => IntType::INT,
            4 => IntType { signed, bits: 32 },
            _ => IntType { signed, bits: 64 },
        }
    }

    /// The common type of a binary operation's operands.
    pub fn common(a: IntType, b: IntType) -> Self {
        let bits = a.bits.max(b.bits);
        // Unsigned wins among operands of the result's width; a narrower
        // unsigned operand fits in the wider signed type.
        let unsigned = [a, b].iter().any(|t| t.bits == bits && !t.signed);
        IntType { signed: !unsigned, bits }
    }

    pub fn name(self) -> &'static str {
        match (self.signed, self.bits) {
            (true, 32) => "int",
            (false, 32) => "unsigned int",
            (true, _) => "long long",
            (false, _) => "unsigned long long",
        }
    }
}

/// An integer value of a promoted type; `value` is its mathematical value,
/// always within the type's range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Integer {
    pub value: i128,
    pub ty: IntType,
}

impl Integer {
    /// `value` converted to `ty`, wrapping as C does.
    pub fn new(value: i128, ty: IntType) -> Self {
        let (min, max) = if ty.signed {
            (-(1i128 << (ty.bits - 1)), (1i128 << (ty.bits - 1)) - 1)
        } else {
            (0, (1i128 << ty.bits) - 1)
        };
        // Most values fit: no division on the path conditions take.
        if (min..=max).contains(&value) {
            return Integer { value, ty };
        }
        let modulus = 1i128 << ty.bits;
        let mut wrapped = value.rem_euclid(modulus);
        if ty.signed && wrapped >= modulus / 2 {
            wrapped -= modulus;
        }
        Integer { value: wrapped, ty }
    }

    pub fn int(value: i128) -> Self {
        Integer::new(value, IntType::INT)
    }

    /// A literal: `int` when it fits, else `long long`, else `unsigned
    /// long long`.
    pub fn literal(value: u64) -> Self {
        let ty = if i32::try_from(value).is_ok() {
            IntType::INT
        } else if i64::try_from(value).is_ok() {
            IntType::LONG_LONG
        } else {
            IntType::ULONG_LONG
        };
        Integer::new(i128::from(value), ty)
    }

    /// This value converted to `ty`.
    pub fn to(self, ty: IntType) -> Self {
        Integer::new(self.value, ty)
    }

    pub fn is_zero(self) -> bool {
        self.value == 0
    }
}

impl std::fmt::Display for Integer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_follow_c() {
        assert_eq!(IntType::common(IntType::UINT, IntType::INT), IntType::UINT);
        assert_eq!(IntType::common(IntType::UINT, IntType::LONG_LONG), IntType::LONG_LONG);
        assert_eq!(IntType::common(IntType::ULONG_LONG, IntType::INT), IntType::ULONG_LONG);
        assert_eq!(IntType::promoted(1, false), IntType::INT, "unsigned char promotes to int");
        assert_eq!(IntType::promoted(4, false), IntType::UINT);
        assert_eq!(Integer::int(-1).to(IntType::UINT).value, 4_294_967_295);
        assert_eq!(Integer::new(i128::from(u32::MAX) + 1, IntType::UINT).value, 0);
        assert_eq!(Integer::new(i128::from(i32::MAX) + 1, IntType::INT).value, i128::from(i32::MIN));
        assert_eq!(Integer::literal(3_000_000_000).ty, IntType::LONG_LONG);
    }
}
