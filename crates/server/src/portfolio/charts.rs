//! Inline-SVG bar charts for the dashboard: no script, no external assets.

/// Escape text for SVG/HTML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Horizontal bars, one per (label, value, value text); negative values grow
/// left of the axis in a warning colour.
pub fn hbars(title: &str, items: &[(String, f64, String)]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let row = 22.0;
    let (w, label_w) = (640.0, 180.0);
    let h = row * items.len() as f64 + 8.0;
    let max = items
        .iter()
        .map(|(_, v, _)| v.abs())
        .fold(0.0_f64, f64::max);
    let has_neg = items.iter().any(|(_, v, _)| *v < 0.0);
    let span = w - label_w - 90.0;
    let zero = if has_neg {
        label_w + span / 2.0
    } else {
        label_w
    };
    let scale = if max > 0.0 {
        if has_neg {
            span / 2.0 / max
        } else {
            span / max
        }
    } else {
        0.0
    };
    let mut s = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" width=\"100%\" role=\"img\" aria-label=\"{}\">",
        esc(title)
    );
    for (i, (label, v, text)) in items.iter().enumerate() {
        let y = i as f64 * row + 4.0;
        let len = v.abs() * scale;
        let x = if *v < 0.0 { zero - len } else { zero };
        let fill = if *v < 0.0 { "#d92d20" } else { "#5b3cc4" };
        s.push_str(&format!(
            "<text x=\"0\" y=\"{:.1}\" font-size=\"12\">{}</text>\
             <rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{len:.1}\" height=\"{:.1}\" fill=\"{fill}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"#667085\">{}</text>",
            y + 14.0,
            esc(label),
            row - 8.0,
            zero.max(x + len) + 6.0,
            y + 14.0,
            esc(text)
        ));
    }
    s.push_str("</svg>");
    s
}

/// Planned vs delivered, one pair of bars per metric, each pair scaled to its
/// larger value (metrics have different units).
pub fn paired(title: &str, items: &[(String, f64, f64)]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let (w, label_w, row) = (640.0, 140.0, 40.0);
    let h = row * items.len() as f64 + 8.0;
    let span = w - label_w - 120.0;
    let mut s = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" width=\"100%\" role=\"img\" aria-label=\"{}\">",
        esc(title)
    );
    for (i, (label, planned, got)) in items.iter().enumerate() {
        let y = i as f64 * row + 4.0;
        let max = planned.max(*got);
        let k = if max > 0.0 { span / max } else { 0.0 };
        s.push_str(&format!(
            "<text x=\"0\" y=\"{:.1}\" font-size=\"12\">{}</text>\
             <rect x=\"{label_w}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"14\" fill=\"#d0d5dd\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#667085\">planned {:.0}</text>\
             <rect x=\"{label_w}\" y=\"{:.1}\" width=\"{:.1}\" height=\"14\" fill=\"#5b3cc4\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#667085\">delivered {:.0}</text>",
            y + 20.0,
            esc(label),
            planned * k,
            label_w + planned * k + 6.0,
            y + 11.0,
            planned,
            y + 16.0,
            got * k,
            label_w + got * k + 6.0,
            y + 27.0,
            got
        ));
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_escape_labels_and_scale_to_the_largest() {
        let svg = hbars(
            "t",
            &[
                ("<a>".into(), 2.0, "2".into()),
                ("b".into(), 1.0, "1".into()),
            ],
        );
        assert!(svg.contains("&lt;a&gt;") && !svg.contains("<a>"));
        assert!(svg.contains("width=\"370.0\"") && svg.contains("width=\"185.0\""));
        assert!(paired("p", &[]).is_empty());
    }
}
