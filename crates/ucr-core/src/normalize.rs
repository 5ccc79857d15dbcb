//! Normalisation applied to input before any rule is checked: texts are trimmed and put in
//! Unicode NFC with the look-alike `ǝ` (U+01DD, turned e) read as the Azerbaijani `ə` (U+0259);
//! phone numbers become E.164, postal codes `AZdddd`.

use unicode_normalization::UnicodeNormalization;

/// Trims, applies NFC and replaces the turned e (U+01DD / U+018E) by schwa (U+0259 / U+018F).
pub fn text(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| match c {
            '\u{01DD}' => '\u{0259}',
            '\u{018E}' => '\u{018F}',
            c => c,
        })
        .nfc()
        .collect()
}

/// Whether the text holds a control character (C0, DEL or C1).
pub fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// An Azerbaijani phone number in E.164 (`+994` and nine digits), from the forms people write:
/// `(012) 493 40 03`, `012 493 40 03`, `+994 12 493 40 03`, `994124934003`, `+994-50-123-45-67`.
/// `None` when it is not an Azerbaijani number.
pub fn phone(s: &str) -> Option<String> {
    let trimmed = s.trim();
    let plus = trimmed.starts_with('+');
    let mut digits = String::new();
    for (i, c) in trimmed.chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if i == 0 => {}
            ' ' | '-' | '(' | ')' | '.' => {}
            _ => return None,
        }
    }
    let national = if plus || (digits.len() == 12 && digits.starts_with("994")) {
        digits.strip_prefix("994")?
    } else if digits.len() == 10 {
        digits.strip_prefix('0')?
    } else {
        return None;
    };
    let first = national.chars().next()?;
    (national.len() == 9 && first != '0').then(|| format!("+994{national}"))
}

/// A postal code as `AZdddd`, from `AZ1000`, `AZ 1000`, `AZ-1000` or `1000` (any case).
pub fn postal_code(s: &str) -> Option<String> {
    let t = s.trim();
    let rest = match t.get(..2) {
        Some(p) if p.eq_ignore_ascii_case("AZ") => t[2..].trim_start_matches([' ', '-']),
        _ => t,
    };
    (rest.len() == 4 && rest.bytes().all(|b| b.is_ascii_digit())).then(|| format!("AZ{rest}"))
}

/// Lower-cases and folds a text the Azerbaijani way for search: `Şəki`, `Seki`, `Sheki` and
/// `Shaki` fold to the same key.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in text(s).nfd() {
        let mapped = match c {
            'I' | 'İ' | 'ı' => 'i',
            'Ə' | 'ə' => 'e',
            c if ('\u{0300}'..='\u{036F}').contains(&c) => continue,
            c => c,
        };
        for l in mapped.to_lowercase() {
            out.push(l);
        }
    }
    // Latin transliterations written by English speakers.
    out.replace("sh", "s")
        .replace("ch", "c")
        .replace("kh", "x")
        .replace("gh", "g")
        .replace('q', "g")
        .replace('j', "c")
        .replace('a', "e")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turned_e_is_read_as_schwa() {
        assert_eq!(text("  Kǝngǝrli "), "Kəngərli");
        assert_eq!(text("Ǝli"), "Əli");
    }

    #[test]
    fn nfc_composes() {
        assert_eq!(text("S\u{0327}"), "Ş");
    }

    #[test]
    fn phones() {
        for s in [
            "(012) 493 40 03",
            "012 493 40 03",
            "+994 12 493 40 03",
            "994124934003",
        ] {
            assert_eq!(phone(s).as_deref(), Some("+994124934003"), "{s}");
        }
        assert_eq!(phone("+994-50-123-45-67").as_deref(), Some("+994501234567"));
        for s in [
            "493 40 03",
            "+7 495 123 45 67",
            "012 493 40 0x",
            "+994 012 493 40 0",
            "",
        ] {
            assert_eq!(phone(s), None, "{s}");
        }
    }

    #[test]
    fn postal_codes() {
        for s in ["AZ1000", "AZ 1000", "AZ-1000", "1000", "az1000"] {
            assert_eq!(postal_code(s).as_deref(), Some("AZ1000"), "{s}");
        }
        assert_eq!(postal_code("AZ 0100").as_deref(), Some("AZ0100"));
        for s in ["AZ100", "AZ10000", "AB1000", "AZ 10a0", ""] {
            assert_eq!(postal_code(s), None, "{s}");
        }
    }

    #[test]
    fn folding_matches_latin_spellings() {
        let key = fold("Şəki");
        for s in ["seki", "Sheki", "Shaki", "ŞƏKİ"] {
            assert_eq!(fold(s), key, "{s}");
        }
        assert_eq!(fold("Quba"), fold("Guba"));
        assert_eq!(fold("Xınalıq"), fold("Khinalig"));
        assert_eq!(fold("Gəncə"), fold("Ganja"));
        assert_eq!(fold("İçərişəhər"), fold("Icherisheher"));
    }
}
