//! Saving a trained [`Mlp`] and loading it back, with Burn's record format.
//!
//! A saved model is two files side by side: `<stem>.bpk`, the parameters as a Burn record
//! (burnpack, written by [`Module::into_record`]), and `<stem>.json`, the [`MlpConfig`] that
//! rebuilds the architecture. [`load_mlp`] needs only the stem and a device, on any backend.
//!
//! ```
//! use burn::tensor::Device;
//! use unfold_models::{Spirals3dModel, load_mlp, save_mlp};
//!
//! let device = Device::flex();
//! let config = Spirals3dModel::DeepRelu.config();
//! let model = config.init(&device);
//! let stem = std::env::temp_dir().join(format!("unfold-doc-model-{}", std::process::id()));
//! save_mlp(&model, &config, &stem)?; // writes <stem>.bpk and <stem>.json
//! let (loaded, loaded_config) = load_mlp(&stem, &device)?;
//! assert_eq!(loaded_config, config);
//! assert_eq!(loaded.widths(), vec![3, 16, 16, 2, 1]);
//! # std::fs::remove_file(stem.with_extension("bpk"))?;
//! # std::fs::remove_file(stem.with_extension("json"))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::{Path, PathBuf};

use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::Device;

use crate::{Mlp, MlpConfig};

/// Why a model could not be saved or loaded.
#[derive(Debug)]
pub enum SavedModelError {
    /// A file could not be read or written.
    Io(PathBuf, std::io::Error),
    /// The configuration file is not a valid `MlpConfig`.
    Config(PathBuf, String),
    /// The parameter record is unreadable or does not fit the configuration.
    Record(PathBuf, String),
}

impl std::fmt::Display for SavedModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Io(p, e) => write!(f, "{}: {e}", p.display()),
            Self::Config(p, e) => write!(f, "{}: not a model configuration: {e}", p.display()),
            Self::Record(p, e) => write!(f, "{}: {e}", p.display()),
        }
    }
}

impl std::error::Error for SavedModelError {}

/// The two files of a saved model: `(<stem>.bpk, <stem>.json)`.
pub fn saved_model_files(stem: &Path) -> (PathBuf, PathBuf) {
    (stem.with_extension("bpk"), stem.with_extension("json"))
}

/// Saves `model` (built from `config`) as `<stem>.bpk` and `<stem>.json`. Each file is written
/// to a temporary name first and renamed, so an interrupted save leaves no half file.
///
/// # Errors
/// When a file cannot be written.
pub fn save_mlp(model: &Mlp, config: &MlpConfig, stem: &Path) -> Result<(), SavedModelError> {
    let (record_path, config_path) = saved_model_files(stem);
    let text = serde_json::to_string_pretty(config)
        .map_err(|e| SavedModelError::Config(config_path.clone(), e.to_string()))?;
    unfold_io::write_atomic(&config_path, text.as_bytes())
        .map_err(|e| SavedModelError::Io(config_path.clone(), e))?;
    // Burn's recorder writes by path: it gets a temporary one, renamed once complete.
    let mut record_error = None;
    let written = unfold_io::write_atomic_via_path(&record_path, |tmp| {
        model.clone().into_record().save(tmp).map_err(|e| {
            let message = e.to_string();
            record_error = Some(message.clone());
            std::io::Error::other(message)
        })
    });
    match (written, record_error) {
        (Ok(()), _) => Ok(()),
        (Err(_), Some(message)) => Err(SavedModelError::Record(record_path, message)),
        (Err(e), None) => Err(SavedModelError::Io(record_path, e)),
    }
}

/// Loads a model saved by [`save_mlp`] onto `device`.
///
/// # Errors
/// When a file is missing or unreadable, the configuration is invalid, or the record does not
/// match the configuration's shapes.
pub fn load_mlp(stem: &Path, device: &Device) -> Result<(Mlp, MlpConfig), SavedModelError> {
    let (record_path, config_path) = saved_model_files(stem);
    // A model's configuration is a few hundred bytes; anything far larger is not one.
    let text = unfold_guard::read_bounded_text(&config_path, 1 << 20).map_err(|e| {
        SavedModelError::Io(config_path.clone(), std::io::Error::other(e.to_string()))
    })?;
    let config: MlpConfig = serde_json::from_str(&text)
        .map_err(|e| SavedModelError::Config(config_path.clone(), e.to_string()))?;
    config
        .validate()
        .map_err(|e| SavedModelError::Config(config_path.clone(), e))?;
    if !record_path.is_file() {
        return Err(SavedModelError::Io(
            record_path,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        ));
    }
    let record = ModuleRecord::load(&record_path)
        .map_err(|e| SavedModelError::Record(record_path.clone(), e.to_string()))?;
    let model = config
        .init(device)
        .try_load_record(record)
        .map_err(|e| SavedModelError::Record(record_path, e.to_string()))?;
    Ok((model, config))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Activation;
    use burn::tensor::{Distribution, Tensor};

    fn device() -> Device {
        Device::flex()
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("unfold-saved-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_saved_model_predicts_the_same_after_loading() {
        let device = device();
        let dir = scratch("round-trip");
        let config = MlpConfig::new(vec![3, 5, 2], Activation::Relu).with_batch_norm(true);
        let model = config.init(&device);
        let stem = dir.join("model");
        save_mlp(&model, &config, &stem).unwrap();
        assert!(dir.join("model.bpk").is_file() && dir.join("model.json").is_file());
        let (loaded, loaded_config) = load_mlp(&stem, &device).unwrap();
        assert_eq!(loaded_config, config);
        let x = Tensor::<2>::random([4, 3], Distribution::Normal(0.0, 1.0), &device);
        loaded
            .forward(x.clone())
            .into_data()
            .assert_approx_eq::<f32>(&model.forward(x).into_data(), Default::default());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn missing_or_mismatched_files_are_clear_errors() {
        let device = device();
        let dir = scratch("errors");
        let err = load_mlp(&dir.join("nothing"), &device)
            .unwrap_err()
            .to_string();
        assert!(err.contains("nothing.json"), "{err}");
        let config = MlpConfig::new(vec![3, 5, 2], Activation::Relu);
        save_mlp(&config.init(&device), &config, &dir.join("m")).unwrap();
        // A configuration whose shapes do not match the record.
        let other = MlpConfig::new(vec![3, 7, 2], Activation::Relu);
        std::fs::write(dir.join("m.json"), serde_json::to_string(&other).unwrap()).unwrap();
        let err = load_mlp(&dir.join("m"), &device).unwrap_err().to_string();
        assert!(err.contains("m.bpk"), "{err}");
        std::fs::write(dir.join("m.json"), "{not json").unwrap();
        let err = load_mlp(&dir.join("m"), &device).unwrap_err().to_string();
        assert!(err.contains("not a model configuration"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
