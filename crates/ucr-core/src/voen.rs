//! VÖEN, the Azerbaijani taxpayer identification number.
//!
//! Ten digits. The ninth is a check digit: the weighted sum of the first eight digits with the
//! weights 4, 1, 8, 6, 2, 7, 5, 3, modulo 11 (a remainder of 10 yields no valid number). The
//! tenth tells a legal person (1) from a natural person (2).

use crate::problem::Code;

/// Weights of the first eight digits in the check-digit sum.
const WEIGHTS: [u32; 8] = [4, 1, 8, 6, 2, 7, 5, 3];

/// Checks a VÖEN; `Err` carries the code and message of the first thing wrong.
pub fn check(voen: &str) -> Result<(), (Code, String)> {
    let digits: Vec<u32> = voen.chars().filter_map(|c| c.to_digit(10)).collect();
    if voen.len() != 10 || digits.len() != 10 {
        return Err((Code::Format, "a VÖEN has exactly 10 digits".into()));
    }
    let sum: u32 = WEIGHTS.iter().zip(&digits).map(|(w, d)| w * d).sum();
    let check = sum % 11;
    if check == 10 {
        return Err((
            Code::Checksum,
            "no valid VÖEN starts with these eight digits (their check sum is 10 modulo 11)".into(),
        ));
    }
    if digits[8] != check {
        return Err((
            Code::Checksum,
            format!("check digit is {}, expected {check}", digits[8]),
        ));
    }
    if !matches!(digits[9], 1 | 2) {
        return Err((
            Code::Format,
            "the last digit of a VÖEN is 1 (legal person) or 2 (natural person)".into(),
        ));
    }
    Ok(())
}
