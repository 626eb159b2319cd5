//! Scenario files with their expected `--json` output, shared with the CLI's
//! end-to-end tests. Embedded at compile time: the crate does no file I/O.

use chorus_attribution::scenario::explain;
use serde_json::Value;

fn check(scenario: &str, expected: &str) {
    let expected: Value = serde_json::from_str(expected).expect("expected output is JSON");
    let got = explain(scenario)
        .expect("fixture is a valid scenario")
        .to_json();
    assert_eq!(got, expected);
}

#[test]
fn spec_example() {
    check(
        include_str!("fixtures/spec_example.json"),
        include_str!("fixtures/spec_example.expected.json"),
    );
}

/// Linear split, self-referral on code and on history, a bot click falling
/// through, a 7-day campaign, a duplicate, refunds past the amount and an
/// unknown refund.
#[test]
fn multi_device() {
    check(
        include_str!("fixtures/multi_device.json"),
        include_str!("fixtures/multi_device.expected.json"),
    );
}
