//! `predict STEM x,y,z [x,y,z …]`: loads a model saved by `spiral-classifier` (or by
//! `unfold spirals3d --save-model`) and prints the spiral each point belongs to.

use std::path::PathBuf;
use std::process::ExitCode;

use burn::tensor::Device;

fn parse_point(text: &str) -> Result<[f32; 3], String> {
    let values: Vec<f32> = text
        .split(',')
        .map(|v| {
            v.trim()
                .parse::<f32>()
                .map_err(|e| format!("'{text}': {e}"))
        })
        .collect::<Result<_, _>>()?;
    values
        .try_into()
        .map_err(|_| format!("'{text}': a point is three numbers x,y,z"))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((stem, points)) = args.split_first() else {
        eprintln!("usage: predict STEM x,y,z [x,y,z …]");
        return ExitCode::FAILURE;
    };
    let points: Vec<[f32; 3]> = match points.iter().map(|p| parse_point(p)).collect() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let device = Device::flex();
    let (model, config) = match unfold_models::load_mlp(&PathBuf::from(stem), &device) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if config.widths.first() != Some(&3) {
        eprintln!(
            "error: {stem} takes {:?} inputs, not 3-D points",
            config.widths.first()
        );
        return ExitCode::FAILURE;
    }
    for (point, class) in points
        .iter()
        .zip(spiral_classifier::predict(&model, &points, &device))
    {
        println!("{point:?} → spiral {class}");
    }
    ExitCode::SUCCESS
}
