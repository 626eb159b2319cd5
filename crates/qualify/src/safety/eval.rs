//! Measures the brand-safety scanner on davidson-hate-offensive: a tweet is
//! predicted "unsafe" when the scanner raises a `hate_obscenity` or `adult`
//! finding (the GARM categories that davidson's hate and offensive labels
//! describe), and compared with the label (classes 0, 1 = unsafe; 2 =
//! neither). The scanner is not trained, so every row is a test row. Only
//! counts leave this module: the dataset's text is never printed.

use super::{scan_text, Category};
use crate::data::{load_davidson, DavidsonRow};
use crate::eval::Confusion;
use crate::Result;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Davidson et al. 2017, 3-class weighted F1 on their held-out split.
pub const DAVIDSON_PUBLISHED_WEIGHTED_F1: f64 = 0.90;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SafetyMetrics {
    pub accuracy: f64,
    /// Of the "unsafe" class.
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// F1 of both classes weighted by their support.
    pub weighted_f1: f64,
    pub published_weighted_f1: f64,
    pub n: usize,
    pub unsafe_n: usize,
    /// How the figures were obtained, in words.
    pub method: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SafetyEvalReport {
    pub davidson: SafetyMetrics,
}

fn predicts_unsafe(text: &str) -> bool {
    scan_text(text)
        .iter()
        .any(|h| matches!(h.category, Category::HateObscenity | Category::Adult))
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    }
}

pub fn eval_safety(data_dir: &Path) -> Result<SafetyEvalReport> {
    Ok(eval_safety_rows(&load_davidson(data_dir)?))
}

/// The pure part of [`eval_safety`].
pub fn eval_safety_rows(rows: &[DavidsonRow]) -> SafetyEvalReport {
    let mut c = Confusion::default();
    for r in rows {
        c.add(predicts_unsafe(&r.text), r.unsafe_text());
    }
    let m = c.metrics(0);
    // The "neither" class seen as positive, for the weighted F1.
    let neither = Confusion {
        tp: c.tn,
        fp: c.fn_,
        tn: c.tp,
        fn_: c.fp,
    }
    .metrics(0);
    let (pos, neg) = ((c.tp + c.fn_) as f64, (c.tn + c.fp) as f64);
    let weighted_f1 = if m.n == 0 {
        0.0
    } else {
        (f1(m.precision, m.recall) * pos + f1(neither.precision, neither.recall) * neg) / m.n as f64
    };
    SafetyEvalReport {
        davidson: SafetyMetrics {
            accuracy: m.accuracy,
            precision: m.precision,
            recall: m.recall,
            f1: m.f1,
            weighted_f1,
            published_weighted_f1: DAVIDSON_PUBLISHED_WEIGHTED_F1,
            n: m.n,
            unsafe_n: c.tp + c.fn_,
            method: "built-in lexicon scanner as shipped (no training); unsafe = any hate_obscenity or adult finding; all rows are test rows; published figure is 3-class on a 10% held-out split".into(),
        },
    }
}

impl SafetyEvalReport {
    /// `{"davidson-hate-offensive": {...}}`, keyed by dataset folder.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "davidson-hate-offensive": self.davidson })
    }

    pub fn to_text(&self) -> String {
        let d = &self.davidson;
        format!(
            "{:<26} {:>6} {:>8} {:>9} {:>7} {:>6} {:>11} {:>10}\n\
             {:<26} {:>6} {:>8.4} {:>9.4} {:>7.4} {:>6.4} {:>11.4} {:>10.2}\n\
             unsafe (hate or offensive) is positive; {}\n",
            "dataset",
            "n",
            "accuracy",
            "precision",
            "recall",
            "f1",
            "weighted_f1",
            "published",
            "davidson-hate-offensive",
            d.n,
            d.accuracy,
            d.precision,
            d.recall,
            d.f1,
            d.weighted_f1,
            d.published_weighted_f1,
            d.method
        )
    }
}
