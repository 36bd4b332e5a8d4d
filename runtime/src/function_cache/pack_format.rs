//! The function cache's files. A writer (one per process) appends compiled
//! functions to a pair of files named by when and by whom it was created:
//!
//! - `<stamp>.pack`: the values, back to back;
//! - `<stamp>.index`: one entry per value, appended after the value is
//!   flushed, so an entry never points at bytes not yet written:
//!   `[key length: u8][key][offset: u64][length: u32][crc32: u32]`, little
//!   endian.
//!
//! A reader takes every whole entry of every index; a torn last entry (a
//! writer killed mid-write) ends that index. The checksum turns a value cut
//! short or damaged on disk into a miss, never into wrong machine code.

/// Where a value lies in its pack, and its checksum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ValueSpan {
    pub offset: u64,
    pub length: u32,
    pub crc32: u32,
}

/// Keys are Cranelift's cache-key hashes (32 bytes); anything longer than a
/// length byte can say is not stored.
pub(crate) const MAX_KEY_LENGTH: usize = u8::MAX as usize;

const FIXED_PART: usize = 8 + 4 + 4;

/// Appends the index entry of `key` to `out`. `key` must be at most
/// [`MAX_KEY_LENGTH`] bytes.
pub(crate) fn encode_entry(key: &[u8], span: ValueSpan, out: &mut Vec<u8>) {
    out.push(key.len() as u8);
    out.extend_from_slice(key);
    out.extend_from_slice(&span.offset.to_le_bytes());
    out.extend_from_slice(&span.length.to_le_bytes());
    out.extend_from_slice(&span.crc32.to_le_bytes());
}

/// Every whole entry of an index file's bytes, in order.
pub(crate) fn decode_entries(mut bytes: &[u8]) -> Vec<(Box<[u8]>, ValueSpan)> {
    let mut entries = Vec::new();
    while let Some((&key_length, rest)) = bytes.split_first() {
        let key_length = key_length as usize;
        if rest.len() < key_length + FIXED_PART {
            break;
        }
        let (key, rest) = rest.split_at(key_length);
        let (fixed, rest) = rest.split_at(FIXED_PART);
        let (offset, fixed) = fixed.split_at(8);
        let (length, crc32) = fixed.split_at(4);
        let span = ValueSpan {
            offset: u64::from_le_bytes(bytes_of(offset)),
            length: u32::from_le_bytes(bytes_of(length)),
            crc32: u32::from_le_bytes(bytes_of(crc32)),
        };
        entries.push((key.into(), span));
        bytes = rest;
    }
    entries
}

/// `N` bytes from a slice that has them.
fn bytes_of<const N: usize>(slice: &[u8]) -> [u8; N] {
    let mut bytes = [0; N];
    bytes.copy_from_slice(slice);
    bytes
}

/// The checksum stored with each value.
pub(crate) fn checksum(value: &[u8]) -> u32 {
    crc32fast::hash(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_read_back_and_a_torn_last_entry_is_left_out() {
        let first = ValueSpan { offset: 0, length: 5, crc32: 0xdead_beef };
        let second = ValueSpan { offset: 5, length: 70_000, crc32: 7 };
        let mut bytes = Vec::new();
        encode_entry(&[1; 32], first, &mut bytes);
        encode_entry(b"k", second, &mut bytes);
        let whole = decode_entries(&bytes);
        assert_eq!(whole, vec![(vec![1; 32].into(), first), (b"k".to_vec().into(), second)]);
        for cut in 1..(1 + 1 + FIXED_PART) {
            let torn = decode_entries(&bytes[..bytes.len() - cut]);
            assert_eq!(torn, vec![(vec![1; 32].into(), first)], "cut {cut}");
        }
    }

    #[test]
    fn the_checksum_tells_a_changed_value() {
        assert_ne!(checksum(b"compiled code"), checksum(b"compiled cod"));
        assert_ne!(checksum(b"compiled code"), checksum(b"compiled codf"));
    }
}
