//! Runs the client's certificate verifier over the x509-limbo server path-validation vectors in
//! tests/data/x509-limbo (copied from ../shared/data, with their license) and compares with rustls-webpki's published results. Skips what the
//! upstream rustls harness skips (max-chain-depth, CLIENT cases, cases that set
//! signature_algorithms or key_usage).
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::RootCertStore;
use serde_json::Value;
use ussl::verify::ServerVerifier;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/x509-limbo");

/// Cases where we differ from rustls-webpki 0.101.7's published result. All three are a root
/// with a critical extension (AKI, SKI, unknown): 0.101.7's harness parsed trust anchors with
/// full certificate checks and refused them; rustls-webpki 0.103 (what rustls 0.23 uses) takes a
/// trust anchor's subject, key and name constraints only and ignores its other extensions, as
/// RFC 5280 section 6.1.1 allows (the anchor is trusted as configured). Any other difference
/// fails the test.
const KNOWN_DIFFERENCES: &[&str] =
    &["rfc5280::aki::critical-aki", "rfc5280::ski::critical-ski", "rfc5280::unknown-critical-extension-root"];

/// Our score when this test was written; a lower one is a regression.
const EXPECTED_PASSES: usize = 87;

fn pem(s: &Value) -> CertificateDer<'static> {
    CertificateDer::from_pem_slice(s.as_str().unwrap().as_bytes()).unwrap()
}

/// Seconds since 1970 of an RFC 3339 UTC time such as "2023-11-28T00:00:00Z".
fn rfc3339(s: &str) -> u64 {
    let n = |a: usize, b: usize| s[a..b].parse::<i64>().unwrap();
    let (y, m, d) = (n(0, 4), n(5, 7), n(8, 10));
    let (hh, mm, ss) = (n(11, 13), n(14, 16), n(17, 19));
    // Days from civil, after Howard Hinnant.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146097 + doe - 719468;
    (days * 86400 + hh * 3600 + mm * 60 + ss) as u64
}

#[test]
fn x509_limbo_server_cases() {
    let text =
        std::fs::read_to_string(format!("{DATA}/limbo.json")).expect("the x509-limbo vectors are in the repository");
    let limbo: Value = serde_json::from_str(&text).unwrap();
    let theirs: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{DATA}/rustls-webpki-results.json")).unwrap()).unwrap();
    let webpki: HashMap<String, String> = theirs["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap().to_string(), r["actual_result"].as_str().unwrap().to_string()))
        .collect();

    let (mut pass, mut fail, mut skipped) = (0, 0, 0);
    let mut differences = Vec::new();
    for case in limbo["testcases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let features: Vec<&str> =
            case["features"].as_array().map(|f| f.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
        if case["validation_kind"] != "SERVER"
            || features.contains(&"max-chain-depth")
            || !case["signature_algorithms"].is_null()
            || !case["key_usage"].is_null()
        {
            skipped += 1;
            continue;
        }
        let mut roots = RootCertStore::empty();
        for c in case["trusted_certs"].as_array().unwrap() {
            let _ = roots.add(pem(c));
        }
        let intermediates: Vec<_> = case["untrusted_intermediates"].as_array().unwrap().iter().map(pem).collect();
        let leaf = pem(&case["peer_certificate"]);
        let name_value = case["expected_peer_name"]["value"].as_str().unwrap();
        let name = ServerName::try_from(name_value.to_string()).unwrap();
        let now = match case["validation_time"].as_str() {
            Some(t) => UnixTime::since_unix_epoch(Duration::from_secs(rfc3339(t))),
            None => {
                UnixTime::since_unix_epoch(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap())
            }
        };
        let verifier = ServerVerifier::new(Some(Arc::new(roots)), true);
        let ours = match verifier.verify_chain_and_name(&leaf, &intermediates, &name, now) {
            Ok(()) => "SUCCESS",
            Err(_) => "FAILURE",
        };
        if ours == case["expected_result"].as_str().unwrap() {
            pass += 1;
        } else {
            fail += 1;
        }
        if let Some(theirs) = webpki.get(id) {
            if theirs != ours {
                differences.push(format!(
                    "{id}: ours {ours}, rustls-webpki 0.101.7 {theirs}, expected {}",
                    case["expected_result"]
                ));
            }
        }
    }
    println!("x509-limbo: {pass} pass, {fail} fail, {skipped} skipped of {}", pass + fail + skipped);
    for d in &differences {
        println!("  differs from rustls-webpki: {d}");
    }
    let unexplained: Vec<_> =
        differences.iter().filter(|d| !KNOWN_DIFFERENCES.iter().any(|k| d.starts_with(&format!("{k}:")))).collect();
    assert!(unexplained.is_empty(), "unexplained differences from rustls-webpki: {unexplained:#?}");
    assert!(pass >= EXPECTED_PASSES, "score fell below {EXPECTED_PASSES}: {pass}");
}

/// The compact built-in root set (feature `roots`, roots/compact) against the real chains of
/// x509-limbo's "online" cases (akamai.com, amazon.com, google.com, ...): each case whose root is
/// one of ours verifies with our set alone, at the case's time, for its name.
#[cfg(all(feature = "roots", not(feature = "roots-mozilla")))]
#[test]
fn online_chains_verify_against_the_built_in_roots() {
    let text = std::fs::read_to_string(format!("{DATA}/limbo.json")).unwrap();
    let limbo: Value = serde_json::from_str(&text).unwrap();
    let mut anchors = ussl::anchors::Anchors::default();
    ussl::roots::add_to(&mut anchors).unwrap();
    let roots = Arc::new(RootCertStore { roots: anchors.anchors });
    let ours = anchors.pinned;
    let (mut verified, mut others) = (Vec::new(), Vec::new());
    for case in limbo["testcases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        if !id.starts_with("online::") {
            continue;
        }
        if !case["trusted_certs"].as_array().unwrap().iter().any(|c| ours.contains(&pem(c))) {
            others.push(id);
            continue;
        }
        let intermediates: Vec<_> = case["untrusted_intermediates"].as_array().unwrap().iter().map(pem).collect();
        let name = ServerName::try_from(case["expected_peer_name"]["value"].as_str().unwrap().to_string()).unwrap();
        let now = UnixTime::since_unix_epoch(Duration::from_secs(rfc3339(case["validation_time"].as_str().unwrap())));
        let verifier = ServerVerifier::new(Some(roots.clone()), true);
        let result = verifier.verify_chain_and_name(&pem(&case["peer_certificate"]), &intermediates, &name, now);
        assert!(result.is_ok(), "{id}: {result:?}");
        verified.push(id);
    }
    println!("verified with the built-in roots: {verified:?}; roots not in the set: {others:?}");
    assert!(verified.len() >= 13, "{verified:?}");
}
