#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod blocks;
pub mod ffnet;
mod linear;
pub mod logreg;
mod mlp;
#[cfg(feature = "flex")]
mod on_flex;
mod presets;
pub mod saved;
pub mod scratch;
mod sigmoid;

pub use blocks::{
    Comparison, Layer, LinearValues, Net, OneLayerNet, Tolerance, TwoLayerNet, compare,
    torch_default_init,
};
pub use ffnet::{BatchedFFNet, FFNet, FFNetForward, calc_gradients};
pub use linear::linear;
pub use logreg::{SoftmaxGradients, SoftmaxRegression};
pub use mlp::{Activation, LayerInit, Mlp, MlpConfig, MlpOutput};
pub use presets::{SandwichModel, Spirals3dModel, VanishingModel};
pub use saved::{SavedModelError, load_mlp, save_mlp, saved_model_files};
pub use scratch::{Init, ScratchLinear};
pub use sigmoid::sigmoid;
