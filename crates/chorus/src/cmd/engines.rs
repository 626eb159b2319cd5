//! Commands over the pure engines: what-if tools, checks and evaluations.
//! They read files, call the engine, and print text or `--json`.

use super::read_file;
use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn print_json(v: &serde_json::Value) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

#[derive(Subcommand)]
pub enum AttributeCmd {
    /// Attribute the orders of a self-contained scenario file (shared/formats/attribution-scenario.md).
    Explain {
        #[arg(long)]
        scenario: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Re-attribute stored orders of an organization (deterministic).
    Rerun(super::tracking::RerunArgs),
}

/// Read a scenario, run an engine on it, print JSON or text.
fn explain_scenario<T>(
    scenario: &Path,
    json: bool,
    run: impl FnOnce(&str) -> Result<T, String>,
    to_json: impl FnOnce(&T) -> serde_json::Value,
    to_text: impl FnOnce(&T) -> String,
) -> anyhow::Result<ExitCode> {
    let text = read_file(scenario)?;
    let out = run(&text).map_err(|e| anyhow::anyhow!("{}: {e}", scenario.display()))?;
    if json {
        print_json(&to_json(&out))?;
    } else {
        print!("{}", to_text(&out));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn attribute(c: AttributeCmd) -> anyhow::Result<ExitCode> {
    let AttributeCmd::Explain { scenario, json } = c else {
        unreachable!("rerun is dispatched with the store")
    };
    use chorus_attribution::scenario::{explain, Explanation};
    explain_scenario(
        &scenario,
        json,
        |t| explain(t).map_err(|e| e.to_string()),
        Explanation::to_json,
        Explanation::to_text,
    )
}

#[derive(Subcommand)]
pub enum SettleCmd {
    /// Settle the deals of a self-contained scenario file (shared/formats/settlement-scenario.md).
    Explain {
        #[arg(long)]
        scenario: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

pub fn settle(c: SettleCmd) -> anyhow::Result<ExitCode> {
    let SettleCmd::Explain { scenario, json } = c;
    use chorus_settlement::scenario::{explain, Explanation};
    explain_scenario(
        &scenario,
        json,
        |t| explain(t).map_err(|e| e.to_string()),
        Explanation::to_json,
        Explanation::to_text,
    )
}

#[derive(Subcommand)]
pub enum ReviewCmd {
    /// Check a caption against a brief (README: "Brief format").
    Check {
        #[arg(long)]
        brief: PathBuf,
        /// The caption text file (`-` for standard input).
        #[arg(long)]
        caption: PathBuf,
        #[arg(long)]
        json: bool,
        /// Exit with status 1 when the verdict is fail.
        #[arg(long)]
        strict: bool,
    },
}

pub fn review(c: ReviewCmd) -> anyhow::Result<ExitCode> {
    let ReviewCmd::Check {
        brief,
        caption,
        json,
        strict,
    } = c;
    let brief_text = read_file(&brief)?;
    let b = chorus_review::parse_brief(&brief_text)
        .map_err(|e| anyhow::anyhow!("{}: {e}", brief.display()))?;
    let caption_text = if caption.as_os_str() == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)?;
        s
    } else {
        read_file(&caption)?
    };
    // A caption file usually ends with one newline the creator never typed.
    let caption_text = caption_text.strip_suffix('\n').unwrap_or(&caption_text);
    let caption_text = caption_text.strip_suffix('\r').unwrap_or(caption_text);
    let submitted = b.submitted_at.or_else(|| b.due.map(|_| chrono::Utc::now()));
    let report = chorus_review::check_at(&b, caption_text, submitted);
    if json {
        print_json(&report.to_json())?;
    } else {
        let style = if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
            chorus_review::Highlight::Ansi
        } else {
            chorus_review::Highlight::Brackets
        };
        print!("{}", report.render_text(style));
    }
    Ok(if strict && !report.passed() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[derive(Subcommand)]
pub enum QualifyCmd {
    /// Train the follower classifier on the labeled datasets and write the model file.
    Train(DataArgs),
    /// 5-fold cross-validated accuracy of the follower classifier beside published figures.
    Eval(DataArgs),
    /// Classify follower profiles (NDJSON, the follower-sample schema), one line out per line in.
    Classify {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Precision/recall of the brand-safety scan on davidson-hate-offensive.
    EvalSafety(DataArgs),
    /// AUROC of the audience-quality score for finding generated inauthentic creators.
    EvalGenerated {
        /// Labels written by `chorus generate creators --labels`.
        #[arg(long)]
        labels: PathBuf,
        /// The creators NDJSON generated with those labels.
        #[arg(long)]
        creators: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
pub struct DataArgs {
    /// Folder with instafake/, purba-4class/ and davidson-hate-offensive/.
    #[arg(long, default_value = "../shared/data")]
    pub data: PathBuf,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Where `train` writes the model.
    #[arg(long, default_value = "crates/qualify/model/follower-model.json")]
    pub out: PathBuf,
    #[arg(long)]
    pub json: bool,
}

fn check_data_dir(p: &Path) -> anyhow::Result<()> {
    if !p.is_dir() {
        bail!(
            "data folder {} not found; pass --data PATH (see shared/data/README.md)",
            p.display()
        );
    }
    Ok(())
}

pub fn qualify(c: QualifyCmd) -> anyhow::Result<ExitCode> {
    match c {
        QualifyCmd::Train(a) => {
            check_data_dir(&a.data)?;
            let model = chorus_qualify::train(&a.data, a.seed)?;
            std::fs::write(&a.out, model.to_json_string())
                .with_context(|| format!("writing {}", a.out.display()))?;
            println!(
                "model written to {} (seed {}); rebuild chorus to embed it",
                a.out.display(),
                a.seed
            );
        }
        QualifyCmd::Eval(a) => {
            check_data_dir(&a.data)?;
            let r = chorus_qualify::evaluate(&a.data, a.seed)?;
            if a.json {
                print_json(&r.to_json())?;
            } else {
                print!("{}", r.to_text());
            }
        }
        QualifyCmd::EvalSafety(a) => {
            check_data_dir(&a.data)?;
            let r = chorus_qualify::eval_safety(&a.data)?;
            if a.json {
                print_json(&r.to_json())?;
            } else {
                print!("{}", r.to_text());
            }
        }
        QualifyCmd::Classify { file, json } => classify(&file, json)?,
        QualifyCmd::EvalGenerated {
            labels,
            creators,
            json,
        } => eval_generated(&labels, &creators, json)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn classify(file: &Path, json: bool) -> anyhow::Result<()> {
    let f = std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
    let model = chorus_qualify::embedded_model();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let de = &mut serde_json::Deserializer::from_str(&line);
        let p: chorus_core::creator::FollowerProfile = serde_path_to_error::deserialize(de)
            .map_err(|e| {
                anyhow::anyhow!("{}:{}: {}: {}", file.display(), i + 1, e.path(), e.inner())
            })?;
        let c = chorus_qualify::classify(model, &p);
        if json {
            serde_json::to_writer(
                &mut out,
                &serde_json::json!({"label": c.label.as_str(), "p_suspicious": c.p_suspicious}),
            )?;
            std::io::Write::write_all(&mut out, b"\n")?;
        } else {
            std::io::Write::write_fmt(
                &mut out,
                format_args!("{}\t{:.3}\n", c.label.as_str(), c.p_suspicious),
            )?;
        }
    }
    std::io::Write::flush(&mut out)?;
    Ok(())
}

fn eval_generated(labels: &Path, creators: &Path, json: bool) -> anyhow::Result<()> {
    let mut truth = std::collections::HashMap::new();
    let mut rdr =
        csv::Reader::from_path(labels).with_context(|| format!("opening {}", labels.display()))?;
    for row in rdr.records() {
        let row = row?;
        let (platform, handle, label) = (
            row.get(0).unwrap_or(""),
            row.get(1).unwrap_or(""),
            row.get(3).unwrap_or(""),
        );
        truth.insert(
            (platform.to_string(), handle.to_string()),
            label == "inauthentic",
        );
    }
    let f =
        std::fs::File::open(creators).with_context(|| format!("opening {}", creators.display()))?;
    let mut records = Vec::new();
    for (line, row) in chorus_core::import::ndjson_rows(std::io::BufReader::new(f)).enumerate() {
        match row {
            Ok((_, r)) => records.push(r),
            Err(e) => bail!("{}: line {}: {}", creators.display(), line + 1, e[0]),
        }
    }
    let bands = chorus_qualify::learn_er_bands(records.iter().filter_map(|r| {
        chorus_core::engagement_rate(r.followers, &r.posts).map(|er| (r.followers, er))
    }));
    let ctx = chorus_qualify::ScoreContext::new(bands);
    let mut scored: Vec<(f64, bool)> = Vec::new();
    for r in &records {
        let Some(&bad) = truth.get(&(r.platform.to_string(), r.handle.clone())) else {
            continue;
        };
        let rep =
            chorus_qualify::score_account(&chorus_qualify::AccountInput::from_record(r), &ctx);
        scored.push((rep.score, bad));
    }
    if scored.is_empty() {
        bail!(
            "no creator in {} has a label in {}",
            creators.display(),
            labels.display()
        );
    }
    let auroc = auroc_low_score_is_positive(&scored);
    let positives = scored.iter().filter(|(_, b)| *b).count();
    if json {
        print_json(
            &serde_json::json!({"creators": scored.len(), "inauthentic": positives, "auroc": auroc, "target": 0.95}),
        )?;
    } else {
        println!(
            "creators {}  inauthentic {}  AUROC {:.4} (target ≥ 0.95)",
            scored.len(),
            positives,
            auroc
        );
    }
    Ok(())
}

/// Probability that a random inauthentic creator scores below a random
/// authentic one (ties count half): the AUROC of "low score = inauthentic".
pub fn auroc_low_score_is_positive(scored: &[(f64, bool)]) -> f64 {
    let mut v: Vec<_> = scored.to_vec();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (pos, neg) = (
        v.iter().filter(|x| x.1).count() as f64,
        v.iter().filter(|x| !x.1).count() as f64,
    );
    if pos == 0.0 || neg == 0.0 {
        return f64::NAN;
    }
    // Rank-sum over groups of equal scores, ranking by descending "positiveness" (ascending score).
    let (mut i, mut rank_sum) = (0, 0.0);
    while i < v.len() {
        let mut j = i;
        while j < v.len() && v[j].0 == v[i].0 {
            j += 1;
        }
        let avg_rank = (i + j + 1) as f64 / 2.0; // ranks i+1..=j
        rank_sum += avg_rank * v[i..j].iter().filter(|x| x.1).count() as f64;
        i = j;
    }
    // Positives should have LOW ranks here: AUROC = 1 - U/(pos*neg).
    let u = rank_sum - pos * (pos + 1.0) / 2.0;
    1.0 - u / (pos * neg)
}

#[derive(Subcommand)]
pub enum SimulateCmd {
    /// Shoppers who see posts, click on several devices and buy weeks later, with ground truth.
    Journeys {
        #[arg(long, default_value_t = 10_000)]
        shoppers: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        json: bool,
    },
}

pub fn simulate(c: SimulateCmd) -> anyhow::Result<ExitCode> {
    let SimulateCmd::Journeys {
        shoppers,
        seed,
        json,
    } = c;
    let r = chorus_attribution::simulate::simulate(shoppers, seed);
    if json {
        print_json(&r.to_json())?;
    } else {
        print!("{}", r.to_text());
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::auroc_low_score_is_positive as auroc;

    #[test]
    fn auroc_is_one_when_every_positive_scores_lowest() {
        assert_eq!(
            auroc(&[(10.0, true), (20.0, true), (80.0, false), (90.0, false)]),
            1.0
        );
        assert_eq!(auroc(&[(10.0, false), (90.0, true)]), 0.0);
        assert_eq!(auroc(&[(50.0, true), (50.0, false)]), 0.5);
    }
}
