//! Normalisation applied to input before any rule is checked: texts are trimmed and put in
//! Unicode NFC with the look-alike `ǝ` (U+01DD, turned e) read as the Azerbaijani `ə` (U+0259),
//! and Cyrillic letters that look Latin inside otherwise Latin words read as their Latin twins;
//! phone numbers become E.164, postal codes `AZdddd`, state-list numbers take one form.

use std::borrow::Cow;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// Trims, applies NFC and replaces the turned e (U+01DD / U+018E) by schwa (U+0259 / U+018F),
/// then reads look-alike Cyrillic letters inside Latin words as Latin ([`look_alikes`]).
pub fn text(s: &str) -> String {
    text_cow(s).into_owned()
}

/// [`text`], borrowing a text that is already in that form.
fn text_cow(s: &str) -> Cow<'_, str> {
    match unicode_cow(s) {
        Cow::Borrowed(b) => look_alikes_cow(b),
        Cow::Owned(o) => Cow::Owned(look_alikes_cow(&o).into_owned()),
    }
}

/// Trims, applies NFC and replaces the turned e (U+01DD / U+018E) by schwa (U+0259 / U+018F).
pub fn unicode(s: &str) -> String {
    unicode_cow(s).into_owned()
}

/// [`unicode`], borrowing a text that is already in that form (as most are, and every stored
/// one).
fn unicode_cow(s: &str) -> Cow<'_, str> {
    let s = s.trim();
    if !s.contains(['\u{01DD}', '\u{018E}']) && is_nfc_quick(s.chars()) == IsNormalized::Yes {
        return Cow::Borrowed(s);
    }
    let composed: String = s
        .chars()
        .map(|c| match c {
            '\u{01DD}' => '\u{0259}',
            '\u{018E}' => '\u{018F}',
            c => c,
        })
        .nfc()
        .collect();
    Cow::Owned(composed)
}

/// The Latin twin of a Cyrillic letter that looks the same (as typed on a Russian or
/// Azerbaijani Cyrillic keyboard layout).
fn latin_twin(c: char) -> Option<char> {
    Some(match c {
        'а' => 'a',
        'е' => 'e',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'у' => 'y',
        'х' => 'x',
        'і' => 'i',
        'ј' => 'j',
        'һ' => 'h',
        'ѕ' => 's',
        'ә' => 'ə',
        'А' => 'A',
        'В' => 'B',
        'Е' => 'E',
        'К' => 'K',
        'М' => 'M',
        'Н' => 'H',
        'О' => 'O',
        'Р' => 'P',
        'С' => 'C',
        'Т' => 'T',
        'У' => 'Y',
        'Х' => 'X',
        'І' => 'I',
        'Ј' => 'J',
        'Һ' => 'H',
        'Ѕ' => 'S',
        'Ә' => 'Ə',
        _ => return None,
    })
}

/// Whether a letter is of the Latin script (the blocks Azerbaijani and its neighbours use,
/// `ə` included).
fn is_latin(c: char) -> bool {
    c.is_ascii_alphabetic()
        || (c.is_alphabetic()
            && matches!(c, '\u{00C0}'..='\u{024F}' | '\u{0250}'..='\u{02AF}' | '\u{1E00}'..='\u{1EFF}'))
}

/// Reads look-alike Cyrillic letters (`а е о р с у х і ј һ ә` and capitals such as `А В Е К
/// М Н О Р С Т Х`) as their Latin twins inside a word whose other letters are all Latin and
/// which has at least one. A word written wholly in Cyrillic is left alone.
pub fn look_alikes(s: &str) -> String {
    look_alikes_cow(s).into_owned()
}

/// [`look_alikes`], borrowing a text that has none.
fn look_alikes_cow(s: &str) -> Cow<'_, str> {
    // Every look-alike is in the Cyrillic block.
    let cyrillic = |c: char| ('\u{0400}'..='\u{04FF}').contains(&c);
    if !s.chars().any(|c| cyrillic(c) && latin_twin(c).is_some()) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let mut latin = false;
        let mut foreign = false;
        for c in word.chars().filter(|c| c.is_alphabetic()) {
            if is_latin(c) {
                latin = true;
            } else if latin_twin(c).is_none() {
                foreign = true;
            }
        }
        if latin && !foreign {
            out.extend(word.chars().map(|c| latin_twin(c).unwrap_or(c)));
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in s.chars() {
        // Combining marks stay with their letter.
        if c.is_alphabetic() || ('\u{0300}'..='\u{036F}').contains(&c) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    Cow::Owned(out)
}

/// The dashes people type for a hyphen: en dash, em dash, figure dash, minus sign, the
/// Unicode hyphens.
pub const DASHES: [char; 6] = [
    '\u{2010}', '\u{2011}', '\u{2012}', '\u{2013}', '\u{2014}', '\u{2212}',
];

/// The forms a number of the state list of immovable monuments takes, as a message says them.
pub const STATE_LIST_FORMS: &str =
    "2, 2.1, 93-2 or 4996-15 (a part of an item), or several separated by commas (71, 70, 73)";

/// The numbers of the state list of immovable monuments one entry is filed under, from the way
/// the list writes them: `2`, `2.1`, `93-2`, `4996-15`, with the hyphen also typed as a dash
/// (`26—33`), several separated by commas (`71, 70, 73, 69`). Each is digits in groups joined
/// by `.` or `-`; dashes become `-`. `Err` quotes the part that is not such a number.
pub fn state_list_numbers(s: &str) -> Result<Vec<String>, String> {
    let mut numbers = Vec::new();
    for part in s.split(',') {
        let n: String = part
            .trim()
            .chars()
            .map(|c| if DASHES.contains(&c) { '-' } else { c })
            .collect();
        let well_formed = n
            .split(['.', '-'])
            .all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()));
        if !well_formed {
            return Err(part.trim().to_string());
        }
        numbers.push(n);
    }
    Ok(numbers)
}

/// One state-list number or several, in the form the register stores: dashes as `-`, several
/// joined by `, `.
pub fn state_list_number(s: &str) -> Result<String, String> {
    state_list_numbers(s).map(|n| n.join(", "))
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
    // Latin transliterations written by English speakers, read in one pass: `sh` `ch` `kh`
    // `gh` as `s` `c` `x` `g`, then `q` `j` `a` as `g` `c` `e`. `after` is the letter before
    // (one of `s c g`, whose `h` is dropped) or the `k` not yet written.
    let mut after: Option<char> = None;
    let text = text_cow(s);
    let lower = text.nfd().flat_map(|c| {
        let mapped = match c {
            'I' | 'İ' | 'ı' => Some('i'),
            'Ə' | 'ə' => Some('e'),
            c if ('\u{0300}'..='\u{036F}').contains(&c) => None,
            c => Some(c),
        };
        mapped.into_iter().flat_map(char::to_lowercase)
    });
    for c in lower {
        match (after.take(), c) {
            (Some('k'), 'h') => out.push('x'),
            (Some(_), 'h') => {}
            (held, c) => {
                if held == Some('k') {
                    out.push('k');
                }
                match c {
                    'k' => after = Some('k'),
                    's' | 'c' | 'g' => {
                        after = Some(c);
                        out.push(c);
                    }
                    'q' => out.push('g'),
                    'j' => out.push('c'),
                    'a' => out.push('e'),
                    c => out.push(c),
                }
            }
        }
    }
    if after == Some('k') {
        out.push('k');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `fold` as it was first written, one replacement after the other: the one-pass `fold`
    /// must give the same key for every text (search indexes hold keys made by either).
    fn fold_in_passes(s: &str) -> String {
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
        out.replace("sh", "s")
            .replace("ch", "c")
            .replace("kh", "x")
            .replace("gh", "g")
            .replace('q', "g")
            .replace('j', "c")
            .replace('a', "e")
    }

    #[test]
    fn fold_in_one_pass_equals_fold_in_passes() {
        // Every string of up to four letters over the letters the passes treat, and texts.
        let letters: Vec<char> = "shckgqjaHSCKGQJAİIıəƏeх ".chars().collect();
        let mut words = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = words
                .iter()
                .flat_map(|w| letters.iter().map(move |l| format!("{w}{l}")))
                .collect();
            words.extend(longer);
        }
        words.extend(
            [
                "Şəki Xan Sarayı",
                "Sheki Khan Palace",
                "Qız qalası",
                "Shaki khhan sshh kkh",
                "Cümə m\u{0430}scidi",
                "Мечеть Джума",
                "Kǝngǝrli",
                "Ağstafa Kənd Kitabxanası No. 1A",
                "  Bakı   Dövlət Kukla Teatrı ",
                "e\u{0301}cole",
            ]
            .map(String::from),
        );
        for w in &words {
            assert_eq!(fold(w), fold_in_passes(w), "{w:?}");
        }
    }

    #[test]
    fn unicode_leaves_normal_texts_as_they_are_and_composes_others() {
        assert_eq!(unicode("  Şəki "), "Şəki");
        assert_eq!(unicode("S\u{0327}e\u{0301}"), "Şé");
        assert_eq!(unicode("\u{01DD}li"), "əli");
    }

    #[test]
    fn turned_e_is_read_as_schwa() {
        assert_eq!(text("  Kǝngǝrli "), "Kəngərli");
        assert_eq!(text("Ǝli"), "Əli");
    }

    #[test]
    fn look_alike_letters_inside_latin_words_are_read_as_latin() {
        // "Məscid" and "Cümə" with a Cyrillic е and а.
        assert_eq!(look_alikes("M\u{0435}scid"), "Mescid");
        assert_eq!(look_alikes("Cüm\u{04D9} m\u{0430}scidi"), "Cümə mascidi");
        // Every letter, on both backends: tests/conformance/search.rs.
        // Russian names and words wholly of look-alikes stay as written.
        assert_eq!(look_alikes("Мечеть Джума"), "Мечеть Джума");
        assert_eq!(look_alikes("Шеки сарай"), "Шеки сарай");
        assert_eq!(look_alikes("Şəki сор"), "Şəki сор");
        // A word with a Cyrillic letter that has no Latin twin is Cyrillic.
        assert_eq!(look_alikes("Бakı"), "Бakı");
        assert_eq!(text(" M\u{0435}scid "), "Mescid");
    }

    #[test]
    fn state_list_numbers_take_one_form() {
        // Every form, as stored: tests/rules.rs; here what an error quotes.
        assert_eq!(
            state_list_numbers(" 71, 26\u{2014}33 "),
            Ok(vec!["71".to_string(), "26-33".to_string()])
        );
        for (given, bad) in [
            ("A-1", "A-1"),
            ("2.", "2."),
            ("-2", "-2"),
            ("2--3", "2--3"),
            ("71, , 70", ""),
            ("71; 70", "71; 70"),
            ("", ""),
        ] {
            assert_eq!(state_list_number(given), Err(bad.to_string()), "{given}");
        }
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
