//! Appending short byte strings to an output buffer without a call to `memcpy`.
//!
//! Keys and most str values are a few bytes long; a copy of unknown length compiles to a
//! call into libc that costs more than the copy. A copy of a constant length compiles to
//! a few moves, so each length up to 16 gets its own arm.

/// Append `bytes` to `out`.
#[inline(always)]
pub(crate) fn extend_short(out: &mut Vec<u8>, bytes: &[u8]) {
    macro_rules! arms {
        ($($n:literal)*) => {
            match bytes.len() {
                0 => {}
                $($n => {
                    if let Ok(a) = <&[u8; $n]>::try_from(bytes) {
                        out.extend_from_slice(a);
                    }
                })*
                _ => out.extend_from_slice(bytes),
            }
        };
    }
    arms!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_length_is_appended_whole() {
        let text: Vec<u8> = (0..=255u8).collect();
        for n in 0..=48 {
            let mut out = b"head".to_vec();
            extend_short(&mut out, text.get(..n).unwrap_or_default());
            assert_eq!(out.get(..4), Some(&b"head"[..]));
            assert_eq!(out.get(4..), text.get(..n), "length {n}");
        }
    }

    #[test]
    fn non_ascii_bytes_are_copied_as_they_are() {
        let mut out = Vec::new();
        extend_short(&mut out, "é€😀".as_bytes());
        assert_eq!(out, "é€😀".as_bytes());
    }
}
