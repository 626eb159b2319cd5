//! One module per check. Each takes the analysed caption and the compiled
//! part of the brief it needs, and returns one [`Check`](crate::Check).

pub(crate) mod deadline;
pub(crate) mod disclosure;
pub(crate) mod link_code;
pub(crate) mod safety;
pub(crate) mod tags;
pub(crate) mod talking;
pub(crate) mod terms;

use crate::report::Span;
use crate::text::Caption;

/// The evidence span for a char range of the caption.
pub(crate) fn span(cap: &Caption, start: usize, end: usize) -> Span {
    Span {
        start,
        end,
        text: cap.slice(start, end).to_string(),
    }
}

/// `"x"` quoted for messages.
pub(crate) fn quoted(items: &[String]) -> String {
    items
        .iter()
        .map(|s| format!("\"{s}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "1 hashtag" / "2 hashtags".
pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}
