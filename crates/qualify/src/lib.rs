//! Qualify: is a creator's audience real, and is their past content safe?
//!
//! Three pure engines and one I/O module:
//! - [`classifier`]: sorts follower-sample profiles into real / influencer /
//!   mass_follower / suspicious with a boosted-tree model learned from public
//!   labeled data and embedded in the binary ([`embedded_model`]).
//! - [`score`]: the explained 0–100 audience-quality score of one account.
//! - [`safety`]: the GARM brand-safety scan of captions and hashtags.
//! - [`ranking`]: how well the score ranks known inauthentic accounts (AUROC).
//! - [`rule`]: a campaign's qualification rule (min score, no floor finding).
//! - [`data`]: readers for the labeled datasets, used only by training and
//!   evaluation ([`train`], [`evaluate`], [`eval_safety`]).

pub mod classifier;
pub mod data;
pub mod eval;
pub mod features;
pub mod gbdt;
pub mod ranking;
pub mod rule;
pub mod safety;
pub mod score;

pub use classifier::{
    classify, classify_batch, embedded_model, train, Classification, Label, Model,
};
pub use eval::{evaluate, EvalReport};
pub use safety::{eval_safety, scan_posts, Finding, SafetyEvalReport, SafetyOptions};
pub use score::{
    learn_er_bands, score_account, AccountInput, ErBands, QualityReport, ScoreContext,
};

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {msg}")]
    Parse { path: PathBuf, msg: String },
    #[error("follower model: {0}")]
    Model(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
