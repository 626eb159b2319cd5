//! A small built-in brand-safety scan: profanity, slurs, drugs, weapons.
//!
//! It only warns: context decides (a harm-reduction charity may say
//! "fentanyl"), and the full scan of a creator's history belongs to the
//! qualify engine. The lexicon leaves out everyday words that are only
//! sometimes unsafe, so a clean caption never gets a warning.

use super::{quoted, span};
use crate::lexicon;
use crate::report::{Check, CheckId, Status};
use crate::text::Caption;

pub(crate) fn check(cap: &Caption) -> Check {
    let words = lexicon::unsafe_words();
    let mut evidence = Vec::new();
    let mut found = Vec::new();
    for t in cap.tokens.iter().filter(|t| t.is_term()) {
        if let Some(group) = words.get(&t.folded) {
            let s = span(cap, t.start, t.end);
            found.push(format!(
                "{} ({group})",
                quoted(std::slice::from_ref(&s.text))
            ));
            evidence.push(s);
        }
    }
    let (status, message) = if found.is_empty() {
        (
            Status::Pass,
            "no words from the brand-safety lexicon".to_string(),
        )
    } else {
        (
            Status::Warn,
            format!(
                "possibly unsafe for the brand: {}; review the context",
                found.join(", ")
            ),
        )
    };
    Check {
        id: CheckId::BrandSafety,
        status,
        evidence,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warns_on_lexicon_words_only() {
        let c = check(&Caption::analyze(
            "Massage gun + espresso shot = best f*cking morning",
        ));
        assert_eq!(c.status, Status::Pass);
        let c = check(&Caption::analyze("this shit is FUCKING good"));
        assert_eq!(c.status, Status::Warn);
        assert_eq!(c.evidence.len(), 2);
        assert!(
            c.message.contains("\"FUCKING\" (profanity)"),
            "{}",
            c.message
        );
    }
}
