//! Word diff between two versions of a caption, to show a reviewer what
//! changed from one review round to the next.
//!
//! Words are whitespace-separated, so punctuation stays with its word
//! ("dry," vs "dry!" is a change) and a re-wrapped line is not. Each op
//! carries a run of consecutive words as written, inner whitespace kept.

use serde::{Deserialize, Serialize};
use similar::{capture_diff_slices, Algorithm, DiffTag};

/// One run of words: unchanged, added in the new version, or removed from the old.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", content = "text", rename_all = "lowercase")]
pub enum DiffOp {
    Equal(String),
    Insert(String),
    Delete(String),
}

/// The words of `text` with their byte ranges.
fn words(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

/// The text from the first to the last of some words.
fn run(text: &str, ws: &[(usize, usize)], range: std::ops::Range<usize>) -> String {
    text[ws[range.start].0..ws[range.end - 1].1].to_string()
}

/// Diffs two texts word by word (Myers' algorithm, via `similar`). A
/// replacement comes out as a `Delete` followed by an `Insert`.
pub fn word_diff(old: &str, new: &str) -> Vec<DiffOp> {
    let (ow, nw) = (words(old), words(new));
    let old_words: Vec<&str> = ow.iter().map(|&(s, e)| &old[s..e]).collect();
    let new_words: Vec<&str> = nw.iter().map(|&(s, e)| &new[s..e]).collect();
    let mut out = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, &old_words, &new_words) {
        let (tag, o, n) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => out.push(DiffOp::Equal(run(new, &nw, n))),
            DiffTag::Delete => out.push(DiffOp::Delete(run(old, &ow, o))),
            DiffTag::Insert => out.push(DiffOp::Insert(run(new, &nw, n))),
            DiffTag::Replace => {
                out.push(DiffOp::Delete(run(old, &ow, o)));
                out.push(DiffOp::Insert(run(new, &nw, n)));
            }
        }
    }
    out
}

/// How much of two texts is the same, word for word: twice the words the
/// diff keeps, over the words of both, as a whole percent (rounded down).
/// 100 for identical texts (and for two empty ones), 0 for nothing shared.
pub fn similarity_percent(old: &str, new: &str) -> u32 {
    let total = old.split_whitespace().count() + new.split_whitespace().count();
    if total == 0 {
        return 100;
    }
    let kept: usize = word_diff(old, new)
        .iter()
        .map(|op| match op {
            DiffOp::Equal(t) => t.split_whitespace().count(),
            _ => 0,
        })
        .sum();
    (200 * kept / total) as u32
}

/// `git diff --word-diff` style: `[-removed-]{+added+}`, for terminals and logs.
pub fn render(ops: &[DiffOp]) -> String {
    let parts: Vec<String> = ops
        .iter()
        .map(|op| match op {
            DiffOp::Equal(t) => t.clone(),
            DiffOp::Delete(t) => format!("[-{t}-]"),
            DiffOp::Insert(t) => format!("{{+{t}+}}"),
        })
        .collect();
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn replacement_insert_and_delete() {
        let ops = word_diff(
            "New shoes cure sore feet! #trailrunning",
            "#ad New shoes soothe sore feet! #trailrunning @trailco",
        );
        assert_eq!(
            ops,
            vec![
                DiffOp::Insert("#ad".into()),
                DiffOp::Equal("New shoes".into()),
                DiffOp::Delete("cure".into()),
                DiffOp::Insert("soothe".into()),
                DiffOp::Equal("sore feet! #trailrunning".into()),
                DiffOp::Insert("@trailco".into()),
            ]
        );
        assert_eq!(
            render(&ops),
            "{+#ad+} New shoes [-cure-] {+soothe+} sore feet! #trailrunning {+@trailco+}"
        );
    }

    #[test]
    fn identical_and_empty() {
        assert_eq!(word_diff("a  b", "a b"), vec![DiffOp::Equal("a b".into())]);
        assert!(word_diff("", "  ").is_empty());
        assert_eq!(word_diff("", "x"), vec![DiffOp::Insert("x".into())]);
    }

    #[test]
    fn serializes_with_op_tag() {
        let json = serde_json::to_string(&DiffOp::Delete("cure".into())).unwrap();
        assert_eq!(json, r#"{"op":"delete","text":"cure"}"#);
    }

    #[test]
    fn similarity_counts_kept_words() {
        assert_eq!(similarity_percent("a b c d", "a b c d"), 100);
        assert_eq!(similarity_percent("", ""), 100);
        assert_eq!(similarity_percent("a b c d", "e f g h"), 0);
        // 3 of 4 words kept on each side: 2 × 3 / 8.
        assert_eq!(similarity_percent("a b c d", "a b c x"), 75);
    }

    fn joined(ops: &[DiffOp], keep_new: bool) -> Vec<String> {
        ops.iter()
            .filter_map(|op| match op {
                DiffOp::Equal(t) => Some(t),
                DiffOp::Insert(t) if keep_new => Some(t),
                DiffOp::Delete(t) if !keep_new => Some(t),
                _ => None,
            })
            .flat_map(|t| t.split_whitespace().map(str::to_string))
            .collect()
    }

    proptest! {
        /// Equal + Insert rebuilds the new words, Equal + Delete the old ones.
        #[test]
        fn ops_rebuild_both_versions(old in "[a-c #\n]{0,40}", new in "[a-c #\n]{0,40}") {
            let ops = word_diff(&old, &new);
            let old_words: Vec<String> = old.split_whitespace().map(str::to_string).collect();
            let new_words: Vec<String> = new.split_whitespace().map(str::to_string).collect();
            prop_assert_eq!(joined(&ops, false), old_words);
            prop_assert_eq!(joined(&ops, true), new_words);
        }
    }
}
