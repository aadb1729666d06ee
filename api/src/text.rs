//! What a human-readable field (a game's name and description, an asset's name) may hold: any
//! script and emoji, but no control characters, no code points Unicode has not assigned, and no
//! bidirectional overrides (which make a name read differently from what it holds). A multi-line
//! field may hold line breaks and tabs.

use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use crate::error::ApiError;

/// Whether `value` may hold line breaks and tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    One,
    Many,
}

/// Refuses `value` for `field` with a 422 naming the first character that is not allowed.
pub fn check_human_text(field: &str, value: &str, lines: Lines) -> Result<(), ApiError> {
    for (at, c) in value.chars().enumerate() {
        let why = if c.is_control() {
            if lines == Lines::Many && matches!(c, '\n' | '\r' | '\t') {
                continue;
            }
            "a control character"
        } else if matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') {
            "a bidirectional override"
        } else if c.general_category() == GeneralCategory::Unassigned {
            "a code point Unicode has not assigned"
        } else {
            continue;
        };
        return Err(ApiError::invalid(format!(
            "{field} holds {why} (U+{:04X}) at character {}; use printable text",
            c as u32,
            at + 1
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_script_and_emoji_pass_controls_do_not() {
        for ok in [
            "Space Race",
            "Über Schach",
            "لعبة الكلمات",
            "漢字ゲーム",
            "🎲 Dice 👩‍👩‍👧",
            "한국어",
        ] {
            check_human_text("name", ok, Lines::One).unwrap();
        }
        for bad in [
            "a\0b",
            "\u{1b}[31mred",
            "tab\there",
            "rtl\u{202E}gpj.exe",
            "\u{0378}",
        ] {
            let e = check_human_text("name", bad, Lines::One).unwrap_err();
            assert!(e.to_string().starts_with("name holds "), "{bad:?}: {e}");
        }
        check_human_text("description", "two\nlines\tand a tab", Lines::Many).unwrap();
        assert!(check_human_text("description", "bell\u{7}", Lines::Many).is_err());
    }
}
