#![cfg(feature = "server")]
//! Every input a fuzzer found a failure with (fuzz/regressions/<target>/), replayed through the
//! fuzz target's own body (fuzz/harness.rs). A finding is fixed when its file passes here.
//! Every target has its directory (a .gitkeep where it has no finding yet): a missing one fails,
//! so a renamed target or directory cannot turn its replay into a test of nothing. (The lean
//! engine's target replays its directory in fuzz/run.sh, as a corpus of its fuzz run.)
#[path = "../fuzz/harness.rs"]
mod harness;

const REGRESSIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/regressions");

/// Replays the target's findings; returns how many there were.
fn replay(target: &str, body: fn(&[u8])) -> usize {
    let dir = std::fs::read_dir(format!("{REGRESSIONS}/{target}"))
        .unwrap_or_else(|e| panic!("fuzz/regressions/{target} is missing ({e}): every fuzz target has one"));
    let mut replayed = 0;
    for entry in dir {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|n| n == ".gitkeep") {
            continue;
        }
        body(&std::fs::read(&path).unwrap());
        replayed += 1;
    }
    replayed
}

#[test]
fn client_engine() {
    assert!(replay("client_engine", harness::client_engine) > 0, "its findings are kept");
}

#[test]
fn server_engine() {
    assert!(replay("server_engine", harness::server_engine) > 0, "its findings are kept");
}

#[test]
fn session_bytes() {
    assert!(replay("session_bytes", harness::session_bytes) > 0, "its findings are kept");
}

#[test]
fn pem_der() {
    replay("pem_der", harness::pem_der);
}

#[test]
fn hostname() {
    replay("hostname", harness::hostname);
}

#[test]
fn every_fuzz_target_has_a_regressions_directory() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut targets = 0;
    for dir in ["fuzz/fuzz_targets", "fuzz/lean/fuzz_targets"] {
        for entry in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let target = name.strip_suffix(".rs").unwrap();
            assert!(
                std::path::Path::new(&format!("{REGRESSIONS}/{target}")).is_dir(),
                "fuzz/regressions/{target} is missing"
            );
            targets += 1;
        }
    }
    assert_eq!(targets, 6, "a target was added or removed: replay it here");
}

#[test]
fn the_seeds_pass_too() {
    let seeds = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/seeds");
    type Body = fn(&[u8]);
    let targets: [(&str, Body); 5] = [
        ("client_engine", harness::client_engine),
        ("server_engine", harness::server_engine),
        ("session_bytes", harness::session_bytes),
        ("pem_der", harness::pem_der),
        ("hostname", harness::hostname),
    ];
    for (target, body) in targets {
        let dir = std::fs::read_dir(format!("{seeds}/{target}")).unwrap();
        let n = dir.map(|e| body(&std::fs::read(e.unwrap().path()).unwrap())).count();
        assert!(n > 0, "no seeds for {target}");
    }
}
