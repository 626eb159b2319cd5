//! Commands over the pure engines: what-if tools, checks and evaluations.
//! They read files, call the engine, and print text or `--json`.

use super::read_file;
use anyhow::{bail, Context};
use chorus_qualify::ranking::auroc_low_score_is_positive;
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
    // (platform, handle) → kind ("authentic", "bought_followers", "engagement_pod", …).
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
        let kind = match row.get(4) {
            Some(k) if !k.is_empty() => k.to_string(),
            _ => label.to_string(),
        };
        truth.insert((platform.to_string(), handle.to_string()), kind);
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
    let reports = chorus_qualify::ranking::score_population(&records);
    let mut scored: Vec<(f64, String)> = Vec::new();
    for (r, rep) in records.iter().zip(&reports) {
        if let Some(kind) = truth.get(&(r.platform.to_string(), r.handle.clone())) {
            scored.push((rep.score, kind.clone()));
        }
    }
    if scored.is_empty() {
        bail!(
            "no creator in {} has a label in {}",
            creators.display(),
            labels.display()
        );
    }
    let authentic = |k: &str| k == "authentic";
    let all: Vec<(f64, bool)> = scored.iter().map(|(s, k)| (*s, !authentic(k))).collect();
    let auroc = auroc_low_score_is_positive(&all);
    let positives = all.iter().filter(|(_, b)| *b).count();
    // Per inauthentic kind: AUROC against the authentic creators alone, and
    // where its members rank (percentile of the score among everyone; low = caught).
    let mut sorted: Vec<f64> = scored.iter().map(|x| x.0).collect();
    sorted.sort_by(f64::total_cmp);
    let percentile = |s: f64| sorted.partition_point(|x| *x < s) as f64 / sorted.len() as f64;
    let mut kinds: Vec<&str> = scored
        .iter()
        .map(|x| x.1.as_str())
        .filter(|k| !authentic(k))
        .collect();
    kinds.sort();
    kinds.dedup();
    let mut per_kind = serde_json::Map::new();
    for k in kinds {
        let v: Vec<(f64, bool)> = scored
            .iter()
            .filter(|x| x.1 == k || authentic(&x.1))
            .map(|x| (x.0, x.1 == k))
            .collect();
        let mut ranks: Vec<f64> = scored
            .iter()
            .filter(|x| x.1 == k)
            .map(|x| percentile(x.0))
            .collect();
        ranks.sort_by(f64::total_cmp);
        let q = |p: f64| chorus_qualify::score::quantile(&ranks, p);
        per_kind.insert(
            k.to_string(),
            serde_json::json!({
                "creators": ranks.len(),
                "auroc_vs_authentic": auroc_low_score_is_positive(&v),
                "rank_percentile_median": q(0.5),
                "rank_percentile_p90": q(0.9),
                "rank_percentile_max": q(1.0),
            }),
        );
    }
    if json {
        print_json(&serde_json::json!({
            "creators": scored.len(), "inauthentic": positives, "auroc": auroc, "target": 0.95,
            "kinds": per_kind,
        }))?;
    } else {
        println!(
            "creators {}  inauthentic {}  AUROC {:.4} (target ≥ 0.95)",
            scored.len(),
            positives,
            auroc
        );
        println!(
            "  kind                n  AUROC vs authentic  rank percentile (median / p90 / max)"
        );
        for (k, v) in &per_kind {
            let f = |key: &str| v[key].as_f64().unwrap_or(f64::NAN);
            println!(
                "  {k:<18} {:>3}  {:>18.4}  {:.3} / {:.3} / {:.3}",
                v["creators"].as_u64().unwrap_or(0),
                f("auroc_vs_authentic"),
                f("rank_percentile_median"),
                f("rank_percentile_p90"),
                f("rank_percentile_max"),
            );
        }
    }
    Ok(())
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
