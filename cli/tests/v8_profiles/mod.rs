//! What the V8 profiling tests check in a speedscope file: the bundled
//! example's functions placed at their definitions, and heavy_work's share
//! of the work (three times light_work's, by construction).

use wasmscope_test_support::{definition_line, repo_root};

/// Asserts both functions are at their definition in hotspots.c, and that
/// heavy_work has 75% ± 5 points of the two's self time.
pub fn check_hotspots_profile(profile: &serde_json::Value) {
    let frames = profile["shared"]["frames"].as_array().unwrap();
    let source = repo_root().join("examples/hotspots/hotspots.c");
    let index_of = |name: &str| frames.iter().position(|f| f["name"] == name).unwrap_or_else(|| panic!("no {name}"));
    for name in ["heavy_work", "light_work"] {
        let frame = &frames[index_of(name)];
        assert!(frame["file"].as_str().unwrap().ends_with("examples/hotspots/hotspots.c"), "{frame}");
        assert_eq!(frame["line"], definition_line(&source, name), "{name} at its definition: {frame}");
    }
    let (heavy, light) = (index_of("heavy_work"), index_of("light_work"));
    let (mut heavy_ms, mut light_ms) = (0.0, 0.0);
    let samples = profile["profiles"][0]["samples"].as_array().unwrap();
    let weights = profile["profiles"][0]["weights"].as_array().unwrap();
    for (stack, weight) in samples.iter().zip(weights) {
        let leaf = stack.as_array().unwrap().last().and_then(serde_json::Value::as_u64).unwrap() as usize;
        if leaf == heavy {
            heavy_ms += weight.as_f64().unwrap();
        } else if leaf == light {
            light_ms += weight.as_f64().unwrap();
        }
    }
    let share = heavy_ms / (heavy_ms + light_ms);
    assert!((share - 0.75).abs() <= 0.05, "heavy_work's share of the work: {share:.3}");
}
