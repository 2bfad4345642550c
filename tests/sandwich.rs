//! Notebook 003 end to end on the quick profile: the results contract and the notebook's
//! conclusion (bread only stays far below the sandwich).

use unfold::device::{Backend, select_device};
use unfold::experiments::sandwich::{SandwichConfig, run};
use unfold::experiments::{Profile, RunContext};

#[test]
fn quick_run_shows_bread_only_is_no_sandwich() {
    let out = std::env::temp_dir().join(format!("unfold-test-sandwich-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let selected = select_device(Backend::Flex, 0).unwrap();
    let mut ctx = RunContext::new(&selected, 12345, Profile::Quick, &out);
    ctx.progress = false;
    let outcome = run(&SandwichConfig::for_profile(Profile::Quick), &ctx).unwrap();

    let text = std::fs::read_to_string(out.join("sandwich/metrics.json")).unwrap();
    let m: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(m["experiment"], "sandwich");
    assert_eq!(m["status"], "ok");
    let acc = |model: &str| m["runs"][model]["test_accuracy"].as_f64().unwrap();
    for model in ["DeepLinear", "MLP", "MLPemb", "MLPdeep"] {
        assert!(
            m["runs"][model]["final_loss"].as_f64().unwrap().is_finite(),
            "{model}"
        );
        assert_eq!(
            m["runs"][model]["curves"]["epoch"][1], 10,
            "logged every 10 epochs"
        );
    }
    assert_eq!(
        m["runs"]["MLP"]["parameters"],
        (2 * 10 + 10) + (10 * 10 + 10) + (10 * 3 + 3)
    );

    let (bread, sandwich) = (acc("DeepLinear"), acc("MLP"));
    assert!(bread < 0.7, "bread only separated three spirals: {bread}");
    assert!(
        sandwich > bread + 0.25,
        "sandwich {sandwich} vs bread {bread}"
    );

    for stem in [
        "data",
        "bread_vs_sandwich",
        "regions",
        "embeddings",
        "curves",
    ] {
        assert!(
            out.join(format!("sandwich/{stem}.png")).is_file(),
            "{stem}.png"
        );
        assert!(
            out.join(format!("sandwich/{stem}.svg")).is_file(),
            "{stem}.svg"
        );
    }
    // Seven figures and the animation of MLPemb over training (a frame every 15 epochs of
    // 150, and the final state).
    assert_eq!(outcome.figures.len(), 8);
    let file = std::fs::File::open(out.join("sandwich/mlpemb_training.gif")).unwrap();
    let mut decoder = gif::DecodeOptions::new().read_info(file).unwrap();
    let mut frames = 0;
    while decoder.read_next_frame().unwrap().is_some() {
        frames += 1;
    }
    assert_eq!(frames, 11);
    std::fs::remove_dir_all(&out).unwrap();
}
