//! Checks a caption against a brief and prints the text report:
//! `cargo run -p chorus-review --example check_caption -- BRIEF.json CAPTION.txt [--json]`.
//! The real CLI is `chorus review check`; this is for poking at the engine.

use std::io::Read;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(brief), Some(caption)) = (args.first(), args.get(1)) else {
        eprintln!("usage: check_caption BRIEF.json CAPTION.txt|- [--json]");
        std::process::exit(2);
    };
    let brief = std::fs::read_to_string(brief).expect("read brief");
    let caption = if caption == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).expect("read stdin");
        s
    } else {
        std::fs::read_to_string(caption).expect("read caption")
    };
    let brief = match chorus_review::parse_brief(&brief) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let report = chorus_review::check(&brief, caption.trim_end());
    if args.iter().any(|a| a == "--json") {
        println!(
            "{}",
            serde_json::to_string_pretty(&report.to_json()).unwrap()
        );
    } else {
        print!("{}", report.to_text());
    }
}
