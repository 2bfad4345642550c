//! Device-agnostic Burn models for the unfold notebooks.
//!
//! The notebooks' networks are all multi-layer perceptrons that differ in their widths and in
//! the non-linearity between layers, so there is one configurable [`Mlp`] and the notebooks'
//! named models are presets of it ([`Spirals3dModel`]). Burn has no forward hooks, so
//! [`Mlp::forward_hidden`] returns every hidden representation beside the logits: the
//! "coordinate transformations" the notebooks ask students to look at.
//!
//! The labs that build networks by hand get [`scratch`] (a linear layer, activations and MSE
//! written with plain tensor operations) and [`blocks`] (lab 2's sequential `Net` of them, its
//! Burn-module twin [`TwoLayerNet`] with `layer1`/`layer2`, [`OneLayerNet::reset_params`], and
//! [`compare`], an element-wise `allclose`).
//!
//! Models take a `&Device` when built and never name a backend.
//!
//! ```
//! use unfold_models::{Spirals3dModel};
//! use burn::tensor::{Device, Tensor};
//!
//! # #[allow(deprecated)]
//! let device = Device::ndarray();
//! let model = Spirals3dModel::ReluHidden.config().init(&device);
//! let x = Tensor::<2>::zeros([5, 3], &device);
//! let out = model.forward_hidden(x);
//! assert_eq!(out.logits.dims(), [5, 1]);
//! assert_eq!(out.hidden[0].dims(), [5, 3]); // after layer 1 (+ ReLU)
//! assert_eq!(out.hidden[1].dims(), [5, 2]); // after the 2-unit layer (+ ReLU)
//! ```
#![warn(missing_docs)]

pub mod blocks;
pub mod ffnet;
pub mod logreg;
mod mlp;
mod presets;
pub mod saved;
pub mod scratch;

pub use blocks::{
    Comparison, Layer, LinearValues, Net, OneLayerNet, Tolerance, TwoLayerNet, compare,
    torch_default_init,
};
pub use ffnet::{BatchedFFNet, FFNet, FFNetForward, calc_gradients};
pub use logreg::{SoftmaxGradients, SoftmaxRegression};
pub use mlp::{Activation, LayerInit, Mlp, MlpConfig, MlpOutput};
pub use presets::{SandwichModel, Spirals3dModel, VanishingModel};
pub use saved::{SavedModelError, load_mlp, save_mlp, saved_model_files};
pub use scratch::{Init, ScratchLinear};
