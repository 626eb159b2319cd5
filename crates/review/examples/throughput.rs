//! Captions checked per second on one core against a full brief:
//! `cargo run --release -p chorus-review --example throughput [N]`.
//! The figure `chorus bench review` reports comes from the same loop.

use std::time::Instant;

const BRIEF: &str = r##"{
  "required_hashtags": ["#trailrunning", "#TrailCoAlpine"],
  "required_mentions": "@trailco",
  "promo_code": "MAYA15",
  "tracking_link": "https://go.trailco.com/maya15",
  "key_message": "grip you can trust on wet rock",
  "talking_points": ["waterproof membrane keeps feet dry", "upper made from recycled bottles"],
  "prohibited": ["injury-proof", "guaranteed", "cure", "clinically proven"],
  "competitors": ["Salomon", "@hoka", "Nike", "La Sportiva"],
  "due": "2024-06-14T17:00:00Z"
}"##;

const CAPTIONS: &[&str] = &[
    "#ad Wet granite, zero slips 🪨 The @trailco Alpine grips like glue and I finally trust it on wet rock. The waterproof membrane kept my feet dry through three creek crossings, and the upper is made from recycled bottles ♻️ Use MAYA15 for 15% off → go.trailco.com/maya15\n\n#trailrunning #TrailCoAlpine #mountainlife",
    "Wet granite, zero slips. I GUARANTEE you won't slip, better than my old Salomon pair. Code maya150 / go.trailco.com/maya20?utm_source=ig\n.\n.\n#trailrunning #mountainlife #runnersofinstagram #trailrun #ultrarunning #skyrunning #mountainrunning #runhappy #trailrunner #instarunner #runningcommunity #alpine #dolomites #wetrock #trailshoes #ad",
];

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let brief = chorus_review::parse_brief(BRIEF).expect("brief");
    let compiled = chorus_review::compile(&brief);
    let at = "2024-06-12T09:30:00Z".parse().ok();
    let start = Instant::now();
    let mut failed = 0;
    for i in 0..n {
        let report = compiled.check(CAPTIONS[i % CAPTIONS.len()], at);
        failed += usize::from(!report.passed());
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{n} captions in {:.3} s: {:.0} checks_per_s ({failed} failed verdicts)",
        secs,
        n as f64 / secs
    );
}
