//! Plain PDF documents: a title on every page, lines of text and simple
//! tables, broken into A4 pages. Contracts and creator statements use it.
//!
//! Text is set in the base-14 Helvetica fonts (no font files to embed) and
//! written uncompressed, so the words of a document can be found in its
//! bytes. Helvetica speaks WinAnsi: characters outside it print as `?`.

use pdf_writer::{Content, Name, Pdf, Rect, Ref, Str};

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const LEFT: f32 = 50.0;
const RIGHT: f32 = PAGE_W - 45.0;
/// Baseline of the first body line under the page title.
const TOP: f32 = 786.0;
/// The lowest baseline a line may have.
const BOTTOM: f32 = 72.0;
const TEXT_SIZE: f32 = 10.0;
const TEXT_LEADING: f32 = 14.0;
const TABLE_SIZE: f32 = 8.0;
const TABLE_LEADING: f32 = 11.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Font {
    Regular,
    Bold,
}

impl Font {
    fn name(self) -> Name<'static> {
        match self {
            Font::Regular => Name(b"F1"),
            Font::Bold => Name(b"F2"),
        }
    }
}

struct Run {
    x: f32,
    y: f32,
    font: Font,
    size: f32,
    text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A table column: header, width in points and alignment.
#[derive(Debug, Clone)]
pub struct Column {
    pub header: String,
    pub width: f32,
    pub align: Align,
}

impl Column {
    pub fn left(header: &str, width: f32) -> Column {
        Column {
            header: header.to_string(),
            width,
            align: Align::Left,
        }
    }

    pub fn right(header: &str, width: f32) -> Column {
        Column {
            header: header.to_string(),
            width,
            align: Align::Right,
        }
    }
}

/// A document being laid out top to bottom.
pub struct Document {
    title: String,
    pages: Vec<Vec<Run>>,
    y: f32,
}

impl Document {
    pub fn new(title: &str) -> Document {
        Document {
            title: title.to_string(),
            pages: Vec::new(),
            y: TOP,
        }
    }

    /// Room for one more baseline `leading` below the last one, else a new page.
    fn advance(&mut self, leading: f32) -> f32 {
        if self.pages.is_empty() || self.y - leading < BOTTOM {
            self.pages.push(Vec::new());
            self.y = TOP;
        } else {
            self.y -= leading;
        }
        self.y
    }

    fn put(&mut self, x: f32, y: f32, font: Font, size: f32, text: String) {
        if let Some(page) = self.pages.last_mut() {
            page.push(Run {
                x,
                y,
                font,
                size,
                text,
            });
        }
    }

    /// One line of body text, as is (no wrapping).
    pub fn line(&mut self, text: &str) {
        let y = self.first_or_next(TEXT_LEADING);
        self.put(LEFT, y, Font::Regular, TEXT_SIZE, text.to_string());
    }

    /// One line of bold body text.
    pub fn heading(&mut self, text: &str) {
        let y = self.first_or_next(TEXT_LEADING);
        self.put(LEFT, y, Font::Bold, TEXT_SIZE, text.to_string());
    }

    /// Text wrapped to the page width, explicit line breaks kept.
    pub fn paragraph(&mut self, text: &str) {
        for l in wrap(text, 92) {
            self.line(&l);
        }
    }

    /// An empty line.
    pub fn blank(&mut self) {
        self.line("");
    }

    /// Continue on a new page.
    pub fn page_break(&mut self) {
        self.pages.push(Vec::new());
    }

    /// The first line of a page sits at `TOP`, every other one a leading lower.
    fn first_or_next(&mut self, leading: f32) -> f32 {
        if self.pages.last().is_some_and(|p| p.is_empty()) {
            self.y = TOP;
            return TOP;
        }
        self.advance(leading)
    }

    /// A table with its header row; the header repeats on every page it spans.
    /// Cells too wide for their column are cut with an ellipsis.
    pub fn table(&mut self, columns: &[Column], rows: &[Vec<String>]) {
        let headers: Vec<String> = columns.iter().map(|c| c.header.clone()).collect();
        self.table_row(columns, &headers, Font::Bold);
        for row in rows {
            let before = self.pages.len();
            let y = self.first_or_next(TABLE_LEADING);
            if self.pages.len() != before {
                // The row moved to a new page: header first, then the row.
                self.cells(columns, &headers, Font::Bold, y);
                let y = self.advance(TABLE_LEADING);
                self.cells(columns, row, Font::Regular, y);
            } else {
                self.cells(columns, row, Font::Regular, y);
            }
        }
    }

    fn table_row(&mut self, columns: &[Column], cells: &[String], font: Font) {
        let y = self.first_or_next(TABLE_LEADING);
        self.cells(columns, cells, font, y);
    }

    fn cells(&mut self, columns: &[Column], cells: &[String], font: Font, y: f32) {
        let mut x = LEFT;
        for (c, text) in columns.iter().zip(cells) {
            let room = c.width - 4.0;
            let text = fit(text, room, TABLE_SIZE);
            let at = match c.align {
                Align::Left => x,
                Align::Right => x + room - width(&text, TABLE_SIZE),
            };
            self.put(at, y, font, TABLE_SIZE, text);
            x += c.width;
            if x > RIGHT {
                break;
            }
        }
    }

    /// The PDF bytes; every page carries "title — page i of n".
    pub fn finish(mut self) -> Vec<u8> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let catalog = Ref::new(1);
        let tree = Ref::new(2);
        let regular = Ref::new(3);
        let bold = Ref::new(4);
        let mut pdf = Pdf::new();
        pdf.catalog(catalog).pages(tree);
        let total = self.pages.len();
        let mut page_ids = Vec::with_capacity(total);
        for (i, runs) in self.pages.iter().enumerate() {
            let page_id = Ref::new(5 + 2 * i as i32);
            let content_id = Ref::new(6 + 2 * i as i32);
            page_ids.push(page_id);
            let mut page = pdf.page(page_id);
            page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
            page.parent(tree);
            page.contents(content_id);
            let mut res = page.resources();
            let mut fonts = res.fonts();
            fonts.pair(Font::Regular.name(), regular);
            fonts.pair(Font::Bold.name(), bold);
            drop(fonts);
            drop(res);
            drop(page);
            let mut c = Content::new();
            let header = format!("{} — page {} of {total}", self.title, i + 1);
            text(&mut c, LEFT, 810.0, Font::Bold, 9.0, &header);
            for r in runs {
                text(&mut c, r.x, r.y, r.font, r.size, &r.text);
            }
            pdf.stream(content_id, &c.finish());
        }
        pdf.pages(tree).kids(page_ids).count(total as i32);
        pdf.type1_font(regular)
            .base_font(Name(b"Helvetica"))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
        pdf.type1_font(bold)
            .base_font(Name(b"Helvetica-Bold"))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
        pdf.finish()
    }
}

fn text(c: &mut Content, x: f32, y: f32, font: Font, size: f32, s: &str) {
    if s.is_empty() {
        return;
    }
    c.begin_text();
    c.set_font(font.name(), size);
    c.next_line(x, y);
    c.show(Str(&win_ansi(s)));
    c.end_text();
}

/// Map to WinAnsi what it has; replace the rest.
pub fn win_ansi(line: &str) -> Vec<u8> {
    line.chars()
        .map(|c| match c {
            '—' => 0x97,
            '–' => 0x96,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '…' => 0x85,
            '€' => 0x80,
            '×' => 0xD7,
            c if (c as u32) < 0x7F && (c as u32) >= 0x20 => c as u8,
            c if (0xA0..=0xFF).contains(&(c as u32)) => c as u32 as u8,
            _ => b'?',
        })
        .collect()
}

/// Width of text in points, from Helvetica's advance widths (exact for
/// digits and punctuation, close for letters).
pub fn width(s: &str, size: f32) -> f32 {
    let units: u32 = s
        .chars()
        .map(|c| match c {
            '0'..='9' | '$' | '_' => 556,
            ' ' | '.' | ',' | ':' | ';' | '!' | '/' | '\\' | 'i' | 'j' | 'l' | 'I' | '\'' => 278,
            '-' | '(' | ')' | 'f' | 't' | 'r' => 333,
            '%' | 'm' | 'M' => 889,
            'w' | 'W' | '@' => 944,
            'A'..='Z' => 667,
            _ => 556,
        })
        .sum();
    units as f32 * size / 1000.0
}

/// `s`, or as much of it as fits in `room` points followed by an ellipsis.
fn fit(s: &str, room: f32, size: f32) -> String {
    if width(s, size) <= room {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        out.push(c);
        if width(&out, size) + width("…", size) > room {
            out.pop();
            break;
        }
    }
    out.push('…');
    out
}

/// Wrap to at most `width` characters per line, keeping explicit breaks
/// and each paragraph's indentation.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    for para in text.lines() {
        let indent: String = para.chars().take_while(|c| *c == ' ').collect();
        let mut line = String::new();
        for word in para.split_whitespace() {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                out.push(std::mem::take(&mut line));
                line.push_str(&indent);
            } else if !line.is_empty() {
                line.push(' ');
            } else {
                line.push_str(&indent);
            }
            line.push_str(word);
        }
        out.push(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(pdf: &[u8]) -> String {
        let s = String::from_utf8_lossy(pdf);
        let at = s.find("/Count ").unwrap();
        s[at + 7..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect()
    }

    #[test]
    fn lines_fill_pages_of_52() {
        let mut d = Document::new("T");
        for i in 0..104 {
            d.line(&format!("line {i}"));
        }
        assert_eq!(count(&d.finish()), "2");
        let mut d = Document::new("T");
        for i in 0..105 {
            d.line(&format!("line {i}"));
        }
        let pdf = d.finish();
        assert_eq!(count(&pdf), "3");
        assert!(String::from_utf8_lossy(&pdf).contains("(line 104)"));
    }

    #[test]
    fn tables_repeat_their_header_and_cut_long_cells() {
        let mut d = Document::new("T");
        let cols = [Column::left("Ref", 60.0), Column::right("Amount", 60.0)];
        let rows: Vec<Vec<String>> = (0..200)
            .map(|i| vec![format!("R{i:03} and a long tail"), format!("{i}.00")])
            .collect();
        d.table(&cols, &rows);
        let pdf = d.finish();
        let s = String::from_utf8_lossy(&pdf);
        let pages: usize = count(&pdf).parse().unwrap();
        assert!(pages >= 3, "200 rows of 11 pt span pages");
        assert_eq!(
            s.matches("(Amount)").count(),
            pages,
            "a header on every page"
        );
        assert!(s.contains("(199.00)"));
        assert!(!s.contains("long tail"), "cells are cut to their column");
    }

    #[test]
    fn right_aligned_numbers_end_at_the_column_edge() {
        assert_eq!(width("10.00", 10.0), (4.0 * 556.0 + 278.0) * 10.0 / 1000.0);
        assert_eq!(fit("short", 100.0, 8.0), "short");
        assert!(fit("a very long reference indeed", 40.0, 8.0).ends_with('…'));
    }
}
