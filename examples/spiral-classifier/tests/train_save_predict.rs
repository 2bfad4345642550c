//! The example end to end, as CI runs it: train, save, load in another process, predict.

use std::process::Command;

#[test]
fn trains_saves_and_predicts_in_another_process() {
    let dir = std::env::temp_dir().join(format!("spiral-classifier-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let stem = dir.join("model");
    let train = Command::new(env!("CARGO_BIN_EXE_spiral-classifier"))
        .arg(&stem)
        .arg("600")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&train.stdout);
    assert!(
        train.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&train.stderr)
    );
    let accuracy: f64 = out
        .split("test accuracy ")
        .nth(1)
        .and_then(|s| s.split('%').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no accuracy in {out}"));
    assert!(
        accuracy > 85.0,
        "the deep ReLU network separates the spirals: {out}"
    );

    // The centre of spiral 0's arm and of spiral 1's at the same height.
    let predict = Command::new(env!("CARGO_BIN_EXE_predict"))
        .arg(&stem)
        .args(["1,0,0", "-1,0,0"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&predict.stdout);
    assert!(
        predict.status.success(),
        "{}",
        String::from_utf8_lossy(&predict.stderr)
    );
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        text.lines()
            .all(|l| l.ends_with("spiral 0") || l.ends_with("spiral 1"))
    );

    let missing = Command::new(env!("CARGO_BIN_EXE_predict"))
        .arg(dir.join("nothing"))
        .arg("1,2,3")
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nothing.json"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_library_predicts_like_the_model() {
    let device = burn::tensor::Device::flex();
    let trained = spiral_classifier::train(&device, 50, 1);
    let classes = spiral_classifier::predict(&trained.model, &[[0.0, 0.0, 0.0]; 3], &device);
    assert_eq!(classes.len(), 3);
    assert!(
        classes.windows(2).all(|w| w[0] == w[1]),
        "same point, same class"
    );
}
