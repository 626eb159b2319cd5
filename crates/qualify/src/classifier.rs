//! Follower classifier: sorts each follower-sample profile into `real`,
//! `influencer`, `mass_follower` or `suspicious`, the way HypeAuditor-style
//! audience reports do. Only `suspicious` is learned (from instafake and
//! purba); the other three are reach rules on follower/following counts.

use crate::features::{profile_vector, ProfileFields, PROFILE_FEATURES};
use crate::gbdt::{self, Booster, Params};
use crate::{Error, Result};
use chorus_core::creator::FollowerProfile;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::OnceLock;

/// Above this many followers (with few followings) a follower is an influencer.
pub const INFLUENCER_MIN_FOLLOWERS: u64 = 5_000;
/// Above this many followings an account is a mass follower: its feed is too
/// crowded for any one creator's post to reach it.
pub const MASS_FOLLOWER_MIN_FOLLOWING: u64 = 1_500;

/// How much each instafake row weighs in the shipped model's training set.
/// Purba has 36x more rows but no username or privacy fields; without the
/// weight the trees would spend nearly all their splits on purba's patterns.
pub const INSTAFAKE_WEIGHT: f64 = 8.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    Real,
    Influencer,
    MassFollower,
    Suspicious,
}

impl Label {
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Real => "real",
            Label::Influencer => "influencer",
            Label::MassFollower => "mass_follower",
            Label::Suspicious => "suspicious",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    pub label: Label,
    pub p_suspicious: f64,
}

/// Where a model's training rows came from, stored in the model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainedOn {
    pub dataset: String,
    pub rows: usize,
    pub fake: usize,
    pub weight: f64,
}

/// The fake/bot/spam model plus everything needed to use and audit it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub format: u32,
    pub features: Vec<String>,
    /// `p_suspicious` at or above this is labeled `suspicious`.
    pub threshold: f64,
    pub seed: u64,
    pub params: Params,
    pub trained_on: Vec<TrainedOn>,
    pub booster: Booster,
}

impl Model {
    pub fn to_json_string(&self) -> String {
        serde_json::to_string(self).expect("a model always serializes")
    }

    pub fn from_json_str(s: &str) -> Result<Model> {
        let m: Model = serde_json::from_str(s).map_err(|e| Error::Model(e.to_string()))?;
        if m.features != PROFILE_FEATURES || m.booster.n_features != PROFILE_FEATURES.len() {
            return Err(Error::Model(
                "feature list differs from this build's; retrain the model".into(),
            ));
        }
        Ok(m)
    }

    pub fn p_suspicious(&self, fields: &ProfileFields) -> f64 {
        self.booster.predict_proba(&fields.to_vector())
    }
}

/// The model committed at `crates/qualify/model/follower-model.json`.
pub fn embedded_model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        Model::from_json_str(include_str!("../model/follower-model.json"))
            .expect("the committed follower model matches this build")
    })
}

/// Rule order: suspicious first, then the reach classes, else real.
pub fn classify(model: &Model, p: &FollowerProfile) -> Classification {
    label_of(model, p, model.booster.predict_proba(&profile_vector(p)))
}

/// [`classify`] for a whole follower sample at once: the same labels and
/// probabilities, computed with one feature buffer and the batch walk of
/// [`Booster::predict_proba_batch`] instead of one allocation and one pass
/// over every tree per profile.
pub fn classify_batch(model: &Model, profiles: &[FollowerProfile]) -> Vec<Classification> {
    let mut rows = Vec::with_capacity(profiles.len() * PROFILE_FEATURES.len());
    for p in profiles {
        ProfileFields::from_profile(p).push_vector(&mut rows);
    }
    let probs = model.booster.predict_proba_batch(&rows);
    profiles
        .iter()
        .zip(probs)
        .map(|(p, prob)| label_of(model, p, prob))
        .collect()
}

fn label_of(model: &Model, p: &FollowerProfile, p_suspicious: f64) -> Classification {
    let label = if p_suspicious >= model.threshold {
        Label::Suspicious
    } else if p.followers.is_some_and(|f| f > INFLUENCER_MIN_FOLLOWERS)
        && p.following.is_some_and(|f| f < MASS_FOLLOWER_MIN_FOLLOWING)
    {
        Label::Influencer
    } else if p.following.is_some_and(|f| f > MASS_FOLLOWER_MIN_FOLLOWING) {
        Label::MassFollower
    } else {
        Label::Real
    };
    Classification {
        label,
        p_suspicious,
    }
}

/// Training parameters of the shipped model (chosen by 5-fold CV).
pub fn profile_params() -> Params {
    Params::default()
}

/// One labeled, weighted training row.
pub struct Example {
    pub x: Vec<f64>,
    pub fake: bool,
    pub weight: f64,
}

/// Pure part of training: fit a booster on examples.
pub fn fit_examples(ex: &[Example], p: &Params, seed: u64) -> Booster {
    let rows: Vec<Vec<f64>> = ex.iter().map(|e| e.x.clone()).collect();
    let y: Vec<f64> = ex.iter().map(|e| e.fake as u8 as f64).collect();
    let w: Vec<f64> = ex.iter().map(|e| e.weight).collect();
    gbdt::fit(&rows, &y, Some(&w), p, seed)
}

/// Profile-field examples of both datasets (purba: 2-class, `r` vs the rest).
pub fn profile_examples(
    insta: &[crate::data::LabeledProfile],
    purba: &[crate::data::PurbaRow],
) -> Vec<Example> {
    let i = insta.iter().map(|r| Example {
        x: r.fields.to_vector(),
        fake: r.fake,
        weight: INSTAFAKE_WEIGHT,
    });
    let p = purba.iter().map(|r| Example {
        x: r.fields.to_vector(),
        fake: r.fake(),
        weight: 1.0,
    });
    i.chain(p).collect()
}

/// Train the shipped model on instafake + purba from `data_dir`; the same
/// data and seed always give the same file.
pub fn train(data_dir: &Path, seed: u64) -> Result<Model> {
    let insta = crate::data::load_instafake(data_dir)?;
    let purba = crate::data::load_purba(data_dir)?;
    let params = profile_params();
    let booster = fit_examples(&profile_examples(&insta, &purba), &params, seed);
    let trained_on = vec![
        TrainedOn {
            dataset: "instafake".into(),
            rows: insta.len(),
            fake: insta.iter().filter(|r| r.fake).count(),
            weight: INSTAFAKE_WEIGHT,
        },
        TrainedOn {
            dataset: "purba-4class".into(),
            rows: purba.len(),
            fake: purba.iter().filter(|r| r.fake()).count(),
            weight: 1.0,
        },
    ];
    Ok(Model {
        format: 1,
        features: PROFILE_FEATURES.iter().map(|s| s.to_string()).collect(),
        threshold: 0.5,
        seed,
        params,
        trained_on,
        booster,
    })
}
