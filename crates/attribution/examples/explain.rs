//! `cargo run --example explain -- FILE.json [--json]`: the what-if tool
//! without the CLI, for trying scenarios while developing the engine.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: explain FILE.json [--json]");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2);
    });
    match chorus_attribution::scenario::explain(&text) {
        Ok(x) if args.iter().any(|a| a == "--json") => println!("{:#}", x.to_json()),
        Ok(x) => print!("{}", x.to_text()),
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    }
}
