//! `spiral-classifier [OUT_STEM] [EPOCHS]`: trains the classifier, prints its test accuracy
//! and saves it as `OUT_STEM.bpk` + `OUT_STEM.json` (default `spiral-model`).

use std::path::PathBuf;
use std::process::ExitCode;

use burn::tensor::Device;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let stem = PathBuf::from(args.next().unwrap_or_else(|| "spiral-model".into()));
    let epochs = match args.next().map(|e| e.parse::<usize>()) {
        None => 600,
        Some(Ok(e)) if e > 0 => e,
        Some(_) => {
            eprintln!("error: EPOCHS must be a whole number ≥ 1");
            return ExitCode::FAILURE;
        }
    };
    let device = Device::flex();
    let trained = spiral_classifier::train(&device, epochs, 42);
    println!(
        "trained {} for {epochs} epochs: test accuracy {:.1}%",
        trained.config.describe(),
        trained.test_accuracy * 100.0
    );
    if let Err(e) = unfold_models::save_mlp(&trained.model, &trained.config, &stem) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    println!("saved {}.bpk and {}.json", stem.display(), stem.display());
    ExitCode::SUCCESS
}
