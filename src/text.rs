//! Text for people: text that came from outside (Cin7, a project file, a server's error body)
//! made safe to show (control characters, among them the ESC that starts ANSI and OSC terminal
//! escapes and the BEL that ends them, and the Unicode controls that reorder text on screen are
//! removed), counts with their thousands separated, and lists written as a sentence says them.

use std::borrow::Cow;

/// Characters that must never reach a terminal or the window from outside.
fn unsafe_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` without control characters; line breaks and tabs become spaces.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .filter_map(|c| match c {
                '\n' | '\r' | '\t' => Some(' '),
                c if unsafe_char(c) => None,
                c => Some(c),
            })
            .collect(),
    )
}

/// Makes a string printable in place.
pub fn make_printable(text: &mut String) {
    if let Cow::Owned(clean) = printable(text) {
        *text = clean;
    }
}

/// At most `max` characters of `text`, with an ellipsis where it was cut.
pub fn shortened(text: &str, max: usize) -> String {
    let mut short: String = text.chars().take(max).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

/// A count with its thousands separated: "12,345".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// "a", "a and b", "a, b and c" (with `and`, or another conjunction such as `or`).
pub fn joined(words: &[String], conjunction: &str) -> String {
    match words.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} {conjunction} {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_bells_are_removed() {
        assert_eq!(printable("Mug"), Cow::Borrowed("Mug"));
        assert_eq!(
            printable("\u{1b}[31mred\u{1b}[0m \u{1b}]0;title\u{7}ok"),
            "[31mred[0m ]0;titleok"
        );
        assert_eq!(printable("two\nlines\tand\u{202E}txt"), "two lines andtxt");
        assert_eq!(printable("\u{9b}2J"), "2J", "the 8-bit CSI");
        let mut s = String::from("a\u{7}b");
        make_printable(&mut s);
        assert_eq!(s, "ab");
        assert_eq!(shortened("abcdef", 3), "abc…");
        assert_eq!(shortened("abc", 3), "abc");
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(150_000), "150,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn lists_read_as_a_sentence() {
        let words = |w: &[&str]| w.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>();
        assert_eq!(joined(&words(&[]), "and"), "");
        assert_eq!(joined(&words(&["9"]), "or"), "9");
        assert_eq!(joined(&words(&["9", "12"]), "or"), "9 or 12");
        assert_eq!(joined(&words(&["a", "b", "c"]), "and"), "a, b and c");
    }
}
