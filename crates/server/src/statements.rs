//! A creator's statement as a PDF: who and when, then per currency the
//! totals, every line and the payouts. The content is
//! [`chorus_settlement::statement`]'s; this only lays it out.

use crate::pdf::{Column, Document};
use chorus_settlement::engine::Time;
use chorus_settlement::statement::{Section, Statement};
use chrono::SecondsFormat;

fn amount(minor: i64, s: &Section) -> String {
    s.currency.major(minor).to_string()
}

fn time(t: Time) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// The statement of `creator_name` with `org_name`, as PDF bytes.
pub fn statement_pdf(statement: &Statement, org_name: &str, creator_name: &str) -> Vec<u8> {
    let mut doc = Document::new(&format!("Statement — {creator_name} — {org_name}"));
    doc.heading(&format!("Earnings statement for {creator_name}"));
    doc.line(&format!("From: {org_name}"));
    doc.line(&format!("Creator id: {}", statement.creator));
    doc.line(&format!("As of: {}", time(statement.as_of)));
    doc.line(&match statement.period_start {
        Some(t) => format!(
            "Period: after the payout run of {} up to the date above",
            time(t)
        ),
        None => "Period: from the first line up to the date above".to_string(),
    });
    if statement.sections.is_empty() {
        doc.blank();
        doc.line("Nothing earned yet.");
    }
    for s in &statement.sections {
        let c = s.currency.code();
        doc.blank();
        doc.heading(c);
        doc.line(&format!(
            "Opening balance owed {} {c}  +  earned in period {} {c}  -  paid in period {} {c}  =  closing balance owed {} {c}",
            amount(s.opening, s),
            amount(s.earned, s),
            amount(s.paid_in_period, s),
            amount(s.closing, s)
        ));
        doc.line(&format!(
            "Pending (on hold) {} {c}   Payable {} {c}   Paid to date {} {c}",
            amount(s.pending, s),
            amount(s.payable, s),
            amount(s.paid, s)
        ));
        doc.blank();
        let columns = [
            Column::left("Date", 52.0),
            Column::left("Campaign", 62.0),
            Column::left("Kind", 52.0),
            Column::left("Reference", 60.0),
            Column::right("Order", 58.0),
            Column::right("FX", 34.0),
            Column::left("Tier", 34.0),
            Column::right(&format!("Amount {c}"), 58.0),
            Column::left("Status", 46.0),
            Column::left("Paid in", 44.0),
        ];
        let rows: Vec<Vec<String>> = s
            .lines
            .iter()
            .map(|l| {
                vec![
                    l.at.map(|t| t.date_naive().to_string()).unwrap_or_default(),
                    l.campaign.clone(),
                    l.kind.as_str().to_string(),
                    l.reference.clone(),
                    l.order_amount
                        .map(|m| format!("{} {}", m.to_decimal(), m.currency))
                        .unwrap_or_default(),
                    l.fx_rate.map(|r| r.to_string()).unwrap_or_default(),
                    l.tier
                        .as_ref()
                        .map(|(n, v)| format!("{n}: {v}"))
                        .unwrap_or_default(),
                    amount(l.amount, s),
                    l.state.as_str().replace('_', " "),
                    l.paid_in.clone().unwrap_or_default(),
                ]
            })
            .collect();
        doc.table(&columns, &rows);
        let notes: Vec<String> = s
            .lines
            .iter()
            .filter(|l| !l.note.is_empty() && l.at.is_some())
            .map(|l| format!("{} {}: {}", l.kind.as_str(), l.reference, l.note))
            .collect();
        if !notes.is_empty() {
            doc.blank();
            doc.heading("How the amounts came about");
            for n in notes {
                doc.paragraph(&n);
            }
        }
        doc.blank();
        if s.payouts.is_empty() {
            doc.line("No payouts yet in this currency.");
        } else {
            let rows: Vec<Vec<String>> = s
                .payouts
                .iter()
                .map(|p| vec![p.run.clone(), time(p.as_of), amount(p.amount, s)])
                .collect();
            doc.table(
                &[
                    Column::left("Payout run", 120.0),
                    Column::left("As of", 140.0),
                    Column::right(&format!("Paid {c}"), 80.0),
                ],
                &rows,
            );
        }
    }
    doc.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chorus_settlement::{explain, statement};

    fn settlement(orders: usize) -> chorus_settlement::Settlement {
        let orders: Vec<String> = (0..orders)
            .map(|i| {
                format!(
                    r#"{{"order_id": "ORD-{i:05}", "creator": "maya", "campaign": "spring",
                        "at": "2026-03-{:02}T10:00:00Z", "amount": "{}.00", "currency": "USD"}}"#,
                    1 + i % 28,
                    20 + i % 50
                )
            })
            .collect();
        let text = include_str!("../../settlement/tests/fixtures/spec_example.json").replace(
            r#""orders": ["#,
            &format!(
                r#""orders": [{}"#,
                orders.iter().map(|o| format!("{o},")).collect::<String>()
            ),
        );
        explain(&text).unwrap().settlement
    }

    #[test]
    fn statement_pdf_names_every_line_and_spans_pages() {
        let s = settlement(150);
        let st = statement::build(&s, "maya", s.as_of.unwrap());
        let pdf = statement_pdf(&st, "Acme Running", "Maya Lopez");
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        let lines = &st.sections[0].lines;
        assert_eq!(
            lines.len(),
            150 + 4,
            "150 orders, order 1001, its reversal, two milestones"
        );
        for l in lines {
            assert!(
                text.contains(&format!("({})", l.reference)),
                "{}",
                l.reference
            );
        }
        let pages: usize = text
            .split("/Count ")
            .nth(1)
            .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert!(pages > 1, "a long statement spans pages, got {pages}");
        assert!(text.contains("Maya Lopez") && text.contains("Acme Running"));
        let paid = crate::pdf::win_ansi(&format!(
            "Paid to date {} USD",
            amount(st.sections[0].paid, &st.sections[0])
        ));
        assert!(pdf.windows(paid.len()).any(|w| w == paid.as_slice()));
    }

    #[test]
    fn short_statement_is_one_page() {
        let s = settlement(0);
        let st = statement::build(&s, "maya", s.as_of.unwrap());
        let pdf = statement_pdf(&st, "Acme", "Maya");
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/Count 1"));
        assert!(text.contains("(1001)") && text.contains("(signed)") && text.contains("(2026-04)"));
    }
}
