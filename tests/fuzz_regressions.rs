#![cfg(feature = "server")]
//! Every input a fuzzer found a failure with (fuzz/regressions/<target>/), replayed through the
//! fuzz target's own body (fuzz/harness.rs). A finding is fixed when its file passes here.
#[path = "../fuzz/harness.rs"]
mod harness;

const REGRESSIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/regressions");

fn replay(target: &str, body: fn(&[u8])) {
    let Ok(dir) = std::fs::read_dir(format!("{REGRESSIONS}/{target}")) else { return };
    for entry in dir {
        let path = entry.unwrap().path();
        body(&std::fs::read(&path).unwrap());
    }
}

#[test]
fn client_engine() {
    replay("client_engine", harness::client_engine);
}

#[test]
fn server_engine() {
    replay("server_engine", harness::server_engine);
}

#[test]
fn session_bytes() {
    replay("session_bytes", harness::session_bytes);
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
