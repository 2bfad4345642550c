//! Run-time backend selection for unfold.
//!
//! Burn 0.22 tensors carry no backend type: the [`Device`] a tensor lives on routes every
//! operation. This crate is the one place that knows which Burn backends were compiled into
//! the binary (cargo features `ndarray`, `flex`, `wgpu`, `cuda`), turns a `--backend` name
//! into a [`Device`] (or, with the `remote` feature, connects to a server, see [`remote`]),
//! checks that the device actually works before any training starts, and describes it for
//! manifests and `unfold info`. It also owns the process-wide settings of the backends: the
//! CPU backends' thread count ([`threads`]) and the GPU backends' kernel cache
//! ([`kernel_cache`]). Everything else in unfold takes a `&Device` and never names a backend.
//!
//! ```
//! use unfold_device::{Backend, select_device};
//!
//! let backend: Backend = "ndarray".parse().unwrap();
//! let selected = select_device(backend, 0).unwrap();
//! assert_eq!(selected.backend, Backend::Ndarray);
//! ```
#![warn(missing_docs)]

pub mod kernel_cache;
pub mod panics;
#[cfg(feature = "remote")]
pub mod remote;

/// Seconds connecting to a remote server may take unless told otherwise (`--remote-timeout`).
pub const DEFAULT_REMOTE_TIMEOUT_SECS: u64 = 20;
pub mod threads;

use std::fmt;
use std::str::FromStr;

use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

/// A Burn backend unfold knows how to drive.
///
/// Every variant exists in every build, so a name can always be parsed; whether the backend
/// was compiled in is a run-time question answered by [`Backend::is_compiled`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// Burn's `ndarray` CPU backend (the reference CPU backend, used by the tests).
    Ndarray,
    /// Burn's `flex` CPU backend (pure Rust, faster than `ndarray` on small models).
    Flex,
    /// Burn's `wgpu` backend: Vulkan, Metal or DX12 GPUs (or a software Vulkan driver).
    Wgpu,
    /// Burn's `cuda` backend: NVIDIA GPUs, CUDA loaded at run time.
    Cuda,
    /// Burn's remote backend: the device of an `unfold serve` server, over WebSocket.
    Remote,
}

impl Backend {
    /// Every backend, in the order `unfold info` lists them.
    pub const ALL: [Backend; 5] = [
        Backend::Ndarray,
        Backend::Flex,
        Backend::Wgpu,
        Backend::Cuda,
        Backend::Remote,
    ];

    /// The name used on the command line and in results (`ndarray`, `flex`, `wgpu`, `cuda`,
    /// `remote`).
    pub fn name(self) -> &'static str {
        match self {
            Backend::Ndarray => "ndarray",
            Backend::Flex => "flex",
            Backend::Wgpu => "wgpu",
            Backend::Cuda => "cuda",
            Backend::Remote => "remote",
        }
    }

    /// The cargo feature of the `unfold` package that compiles this backend in.
    pub fn cargo_feature(self) -> &'static str {
        self.name()
    }

    /// Whether this backend was compiled into the running binary.
    pub fn is_compiled(self) -> bool {
        match self {
            Backend::Ndarray => cfg!(feature = "ndarray"),
            Backend::Flex => cfg!(feature = "flex"),
            Backend::Wgpu => cfg!(feature = "wgpu"),
            Backend::Cuda => cfg!(feature = "cuda"),
            Backend::Remote => cfg!(feature = "remote"),
        }
    }

    /// The backends compiled into this binary.
    pub fn compiled() -> Vec<Backend> {
        Backend::ALL
            .into_iter()
            .filter(|b| b.is_compiled())
            .collect()
    }

    /// The CPU backend used when none is asked for: `flex` if compiled, else `ndarray`.
    pub fn default_cpu() -> Option<Backend> {
        [Backend::Flex, Backend::Ndarray]
            .into_iter()
            .find(|b| b.is_compiled())
    }

    /// Whether this backend runs on the host CPU.
    pub fn is_cpu(self) -> bool {
        matches!(self, Backend::Ndarray | Backend::Flex)
    }

    /// How this binary's `cuda` backend compiles kernels: with NVRTC from CUDA C++ under the
    /// `cuda-cpp` feature, otherwise through cubecl-cuda's default LLVM backend. `None` for the
    /// other backends, which have one compiler each.
    pub fn kernel_compiler(self) -> Option<&'static str> {
        match self {
            Backend::Cuda if cfg!(feature = "cuda-cpp") => Some("NVRTC (CUDA C++)"),
            Backend::Cuda => Some("LLVM (PTX)"),
            _ => None,
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

impl FromStr for Backend {
    type Err = DeviceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Backend::ALL
            .into_iter()
            .find(|b| b.name() == wanted)
            .ok_or_else(|| DeviceError::UnknownBackend {
                given: s.to_string(),
                suggestion: closest(
                    &wanted,
                    Backend::ALL
                        .iter()
                        .map(|b| b.name())
                        .collect::<Vec<_>>()
                        .as_slice(),
                )
                .map(str::to_string),
            })
    }
}

/// Why a device could not be selected. Every message is one line a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    /// The name matches no backend.
    #[error("unknown backend '{given}'{}; valid backends: ndarray, flex, wgpu, cuda, remote", suggestion_text(.suggestion))]
    UnknownBackend {
        /// What the user typed.
        given: String,
        /// The closest valid name, if any is close.
        suggestion: Option<String>,
    },
    /// The backend exists but this binary was built without it.
    #[error(
        "backend '{backend}' is not compiled into this binary (compiled: {compiled}); rebuild with `cargo build --release --features {backend}`"
    )]
    NotCompiled {
        /// The backend asked for.
        backend: Backend,
        /// The compiled backends, comma-separated.
        compiled: String,
    },
    /// The backend is compiled in but has no working device on this machine.
    #[error("backend '{backend}' has no usable device{}: {reason}; {hint}", index_text(*.index))]
    Unavailable {
        /// The backend asked for.
        backend: Backend,
        /// The device index asked for, where it applies.
        index: Option<usize>,
        /// What went wrong when the device was tried.
        reason: String,
        /// What the user can do about it.
        hint: &'static str,
    },
    /// A remote server could not be reached, refused the session, or cannot be served.
    #[error("remote server {address}: {reason}; {hint}")]
    Remote {
        /// The server's address (or the address a server was to listen on).
        address: String,
        /// What happened.
        reason: String,
        /// What the user can do about it.
        hint: &'static str,
    },
}

fn suggestion_text(s: &Option<String>) -> String {
    s.as_ref()
        .map(|s| format!(" (did you mean '{s}'?)"))
        .unwrap_or_default()
}

fn index_text(index: Option<usize>) -> String {
    index.map(|i| format!(" at index {i}")).unwrap_or_default()
}

/// The closest candidate to `given` by edit distance, if it is close enough to be a likely typo.
pub fn closest<'a>(given: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (edit_distance(given, c), *c))
        .filter(|(d, c)| *d <= (c.len() / 2).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance between two strings (by characters).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// A device that has been checked to work, with what a manifest needs to know about it.
#[derive(Debug, Clone)]
pub struct SelectedDevice {
    /// The backend it belongs to.
    pub backend: Backend,
    /// The Burn device (without autodiff; call `.clone().autodiff()` for training).
    pub device: Device,
    /// A human-readable description: adapter or GPU name where the backend reports one.
    pub description: String,
}

/// Turns a backend and device index into a working [`Device`].
///
/// The device is exercised with a tiny computation before it is returned, so a machine without
/// a usable GPU gets a clear [`DeviceError::Unavailable`] here rather than a panic half-way
/// through an experiment.
pub fn select_device(backend: Backend, index: usize) -> Result<SelectedDevice, DeviceError> {
    if !backend.is_compiled() {
        return Err(DeviceError::NotCompiled {
            backend,
            compiled: Backend::compiled()
                .iter()
                .map(|b| b.name())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let device = make_device(backend, index)?;
    probe(backend, &device, index)?;
    let description = describe(backend, &device);
    Ok(SelectedDevice {
        backend,
        device,
        description,
    })
}

#[allow(unused_variables)]
fn make_device(backend: Backend, index: usize) -> Result<Device, DeviceError> {
    let cpu_index_check = |backend| {
        if index == 0 {
            Ok(())
        } else {
            Err(DeviceError::Unavailable {
                backend,
                index: Some(index),
                reason: "CPU backends have a single device".into(),
                hint: "drop --device or pass --device 0",
            })
        }
    };
    match backend {
        #[cfg(feature = "ndarray")]
        Backend::Ndarray => {
            cpu_index_check(backend)?;
            #[allow(deprecated)]
            Ok(Device::ndarray())
        }
        #[cfg(feature = "flex")]
        Backend::Flex => {
            cpu_index_check(backend)?;
            Ok(Device::flex())
        }
        #[cfg(feature = "wgpu")]
        Backend::Wgpu => {
            use burn::tensor::DeviceKind;
            let kind = if index == 0 {
                DeviceKind::DefaultDevice
            } else {
                wgpu_kind_by_index(index)?
            };
            Ok(Device::wgpu(kind))
        }
        #[cfg(feature = "cuda")]
        Backend::Cuda => Ok(Device::cuda(index)),
        Backend::Remote => Err(DeviceError::Unavailable {
            backend,
            index: None,
            reason: "a remote device needs the address of its server".into(),
            hint: "pass --remote ws://HOST:PORT (start the server with `unfold serve`)",
        }),
        #[allow(unreachable_patterns)]
        _ => unreachable!("checked by is_compiled"),
    }
}

/// `--device N` for wgpu: the N-th adapter in the order `unfold info` lists them.
#[cfg(feature = "wgpu")]
fn wgpu_kind_by_index(index: usize) -> Result<burn::tensor::DeviceKind, DeviceError> {
    let devices = list_devices(Backend::Wgpu).map_err(|reason| DeviceError::Unavailable {
        backend: Backend::Wgpu,
        index: Some(index),
        reason,
        hint: WGPU_HINT,
    })?;
    let count = devices.len();
    devices
        .into_iter()
        .nth(index)
        .map(|(device, _)| device_kind_of(&device))
        .ok_or(DeviceError::Unavailable {
            backend: Backend::Wgpu,
            index: Some(index),
            reason: format!("only {count} wgpu adapter(s) found"),
            hint: "run `unfold info` to list the adapters",
        })
}

#[cfg(feature = "wgpu")]
fn device_kind_of(device: &Device) -> burn::tensor::DeviceKind {
    use burn::tensor::DeviceKind;
    // Devices listed by `Device::enumerate` print as e.g. `DiscreteGpu(0)`; map back to a kind.
    let text = format!("{device:?}");
    let number = |s: &str| -> usize {
        s.split(|c: char| !c.is_ascii_digit())
            .find(|p| !p.is_empty())
            .and_then(|p| p.parse().ok())
            .unwrap_or(0)
    };
    if let Some(rest) = text.split("DiscreteGpu(").nth(1) {
        DeviceKind::DiscreteGpu(number(rest))
    } else if let Some(rest) = text.split("IntegratedGpu(").nth(1) {
        DeviceKind::IntegratedGpu(number(rest))
    } else if let Some(rest) = text.split("VirtualGpu(").nth(1) {
        DeviceKind::VirtualGpu(number(rest))
    } else if text.contains("Cpu") {
        DeviceKind::Cpu
    } else {
        DeviceKind::DefaultDevice
    }
}

const WGPU_HINT: &str = "install a Vulkan driver (on Debian: `apt-get install mesa-vulkan-drivers` gives a software one) or use --backend ndarray";
const CUDA_HINT: &str = "check the NVIDIA driver, that libcuda/libnvrtc are on LD_LIBRARY_PATH (e.g. /usr/local/cuda/lib64), or use --backend wgpu/ndarray";

/// Runs a tiny computation on the device, turning a panic inside the backend into an error.
fn probe(backend: Backend, device: &Device, index: usize) -> Result<(), DeviceError> {
    let device = device.clone();
    let result = quiet_catch_unwind(move || {
        let x = Tensor::<1>::from_floats([1.0, 2.0, 3.0], &device);
        let sum: f32 = (x.clone() * x).sum().into_scalar();
        sum
    });
    match result {
        Ok(sum) if (sum - 14.0).abs() < 1e-4 => Ok(()),
        Ok(sum) => Err(DeviceError::Unavailable {
            backend,
            index: Some(index),
            reason: format!("a self-test computed 1²+2²+3² = {sum}, not 14"),
            hint: "the driver returned wrong results; try another backend",
        }),
        Err(reason) => Err(DeviceError::Unavailable {
            backend,
            index: Some(index),
            reason,
            hint: match backend {
                Backend::Wgpu => WGPU_HINT,
                Backend::Cuda => CUDA_HINT,
                Backend::Remote => "check the server's terminal",
                _ => "this CPU backend should always work; please report a bug",
            },
        }),
    }
}

/// Runs `f`, converting a panic into the first line of its message without printing the
/// default panic report (see [`panics::catch_panic`] for the location too).
pub fn quiet_catch_unwind<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    panics::catch_panic(f).map_err(|p| p.first_line().to_string())
}

/// A human-readable description of a device: the adapter or GPU name where Burn reports one.
pub fn describe(backend: Backend, device: &Device) -> String {
    match backend {
        Backend::Ndarray | Backend::Flex => {
            let n = threads::cpu_threads();
            let unit = if n == 1 { "thread" } else { "threads" };
            format!("{backend} on the host CPU ({n} {unit})")
        }
        Backend::Wgpu | Backend::Cuda => gpu_name(device).unwrap_or_else(|| format!("{device:?}")),
        Backend::Remote => format!("{device:?}"),
    }
}

#[allow(unused_variables)]
fn gpu_name(device: &Device) -> Option<String> {
    #[cfg(any(feature = "wgpu", feature = "cuda"))]
    {
        let device = device.clone();
        if let Ok(Some(identity)) = quiet_catch_unwind(move || device.identity()) {
            return Some(identity.name);
        }
    }
    None
}

/// `--backend auto` puts a workload on a GPU only when its largest model has at least this
/// many parameters. Below it, training is bound by kernel launches and synchronization, and
/// the CPU backend wins: measured on an H100 machine, the 2→10→10→3 and 3→3→2→1 models ran
/// at about 2,000 steps/s on `ndarray` against about 600 on `wgpu`, while the 784→400→400→10
/// MLP (478k parameters) was faster on the GPU (BENCHMARKS.md).
pub const AUTO_GPU_MIN_PARAMS: usize = 100_000;

/// Whether an adapter name is a software rasterizer (Mesa's llvmpipe/lavapipe, SwiftShader):
/// a `wgpu` device that is really the CPU, and a slow one.
pub fn is_software_adapter(description: &str) -> bool {
    let d = description.to_ascii_lowercase();
    ["llvmpipe", "lavapipe", "swiftshader", "software"]
        .iter()
        .any(|s| d.contains(s))
}

/// The device `--backend auto` picks, and why.
#[derive(Debug, Clone)]
pub struct AutoChoice {
    /// The chosen device.
    pub selected: SelectedDevice,
    /// One line saying why, for the terminal and the manifest.
    pub reason: String,
}

/// Picks the device for a workload whose largest model has `params` parameters: the default
/// CPU backend below [`AUTO_GPU_MIN_PARAMS`]; otherwise `cuda`, then a hardware `wgpu`
/// adapter, then the CPU when neither is usable.
///
/// # Errors
/// When no backend at all is usable (no CPU backend compiled in and no GPU).
pub fn choose_auto(params: usize, index: usize) -> Result<AutoChoice, DeviceError> {
    choose_auto_with(params, |backend| {
        select_device(backend, if backend.is_cpu() { 0 } else { index })
    })
}

/// [`choose_auto`] opening devices through `open` (which may reuse devices already open).
///
/// # Errors
/// When no backend at all is usable (no CPU backend compiled in and no GPU).
pub fn choose_auto_with(
    params: usize,
    mut open: impl FnMut(Backend) -> Result<SelectedDevice, DeviceError>,
) -> Result<AutoChoice, DeviceError> {
    // Without a CPU backend compiled in, selecting flex reports what is compiled.
    let cpu = Backend::default_cpu().unwrap_or(Backend::Flex);
    if params < AUTO_GPU_MIN_PARAMS {
        return Ok(AutoChoice {
            selected: open(cpu)?,
            reason: format!(
                "models of at most {params} parameters are launch-bound, faster on the CPU \
                 (GPU from {AUTO_GPU_MIN_PARAMS} parameters)"
            ),
        });
    }
    let mut tried = Vec::new();
    for backend in [Backend::Cuda, Backend::Wgpu] {
        if !backend.is_compiled() {
            continue;
        }
        match open(backend) {
            Ok(selected) if is_software_adapter(&selected.description) => {
                tried.push(format!("{backend}: {} is software", selected.description));
            }
            Ok(selected) => {
                return Ok(AutoChoice {
                    reason: format!(
                        "{params}-parameter models are compute-bound, faster on a GPU \
                         (GPU from {AUTO_GPU_MIN_PARAMS} parameters)"
                    ),
                    selected,
                });
            }
            Err(e) => tried.push(format!("{backend}: {e}")),
        }
    }
    Ok(AutoChoice {
        selected: open(cpu)?,
        reason: format!(
            "{params}-parameter models would go to a GPU, but none is usable ({})",
            if tried.is_empty() {
                "no GPU backend compiled in".to_string()
            } else {
                tried.join("; ")
            }
        ),
    })
}

/// The devices a backend sees on this machine, each with its description.
///
/// CPU backends have exactly one. GPU backends list every adapter; an error says why none
/// could be listed (no driver, no library).
pub fn list_devices(backend: Backend) -> Result<Vec<(Device, String)>, String> {
    if !backend.is_compiled() {
        return Err("not compiled in".into());
    }
    match backend {
        Backend::Ndarray | Backend::Flex => {
            let device = make_device(backend, 0).map_err(|e| e.to_string())?;
            let description = describe(backend, &device);
            Ok(vec![(device, description)])
        }
        #[cfg(feature = "wgpu")]
        Backend::Wgpu => enumerate(backend, burn::tensor::DeviceType::Wgpu),
        #[cfg(feature = "cuda")]
        Backend::Cuda => enumerate(backend, burn::tensor::DeviceType::Cuda),
        Backend::Remote => {
            Err("served by `unfold serve`; connect with --remote ws://HOST:PORT".into())
        }
        #[allow(unreachable_patterns)]
        _ => Err("not compiled in".into()),
    }
}

#[cfg(any(feature = "wgpu", feature = "cuda"))]
fn enumerate(
    backend: Backend,
    kind: burn::tensor::DeviceType,
) -> Result<Vec<(Device, String)>, String> {
    let devices = quiet_catch_unwind(move || Device::enumerate(kind))?;
    let devices: Vec<Device> = devices.into_iter().collect();
    if devices.is_empty() {
        return Err("no adapter found".into());
    }
    Ok(devices
        .into_iter()
        .map(|d| {
            let description = describe(backend, &d);
            (d, description)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_case_insensitively() {
        assert_eq!("NdArray".parse::<Backend>().unwrap(), Backend::Ndarray);
        assert_eq!(" wgpu ".parse::<Backend>().unwrap(), Backend::Wgpu);
    }

    #[test]
    fn only_cuda_names_its_kernel_compiler() {
        let expected = if cfg!(feature = "cuda-cpp") {
            "NVRTC (CUDA C++)"
        } else {
            "LLVM (PTX)"
        };
        assert_eq!(Backend::Cuda.kernel_compiler(), Some(expected));
        for backend in [
            Backend::Ndarray,
            Backend::Flex,
            Backend::Wgpu,
            Backend::Remote,
        ] {
            assert_eq!(backend.kernel_compiler(), None, "{backend}");
        }
    }

    #[test]
    fn unknown_backend_suggests_the_closest() {
        let err = "wpgu".parse::<Backend>().unwrap_err().to_string();
        assert!(err.contains("did you mean 'wgpu'"), "{err}");
        let err = "tensorflow".parse::<Backend>().unwrap_err().to_string();
        assert!(!err.contains("did you mean"), "{err}");
        assert!(err.contains("valid backends"), "{err}");
    }

    #[test]
    fn edit_distance_basics() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("cuda", "cuda"), 0);
    }

    #[test]
    fn ndarray_device_works_and_cpu_has_one_device() {
        let selected = select_device(Backend::Ndarray, 0).unwrap();
        assert!(selected.description.contains("ndarray"));
        let err = select_device(Backend::Ndarray, 1).unwrap_err().to_string();
        assert!(err.contains("single device"), "{err}");
    }

    #[test]
    fn backend_not_compiled_is_a_clear_error() {
        if let Some(missing) = Backend::ALL.into_iter().find(|b| !b.is_compiled()) {
            let err = select_device(missing, 0).unwrap_err().to_string();
            assert!(err.contains("not compiled"), "{err}");
            assert!(err.contains("--features"), "{err}");
        }
    }

    #[test]
    fn auto_keeps_small_models_on_the_cpu_and_spots_software_gpus() {
        let choice = choose_auto(373, 0).unwrap();
        assert!(choice.selected.backend.is_cpu());
        assert!(choice.reason.contains("launch-bound"), "{}", choice.reason);
        assert!(is_software_adapter("llvmpipe (LLVM 15.0.6, 256 bits)"));
        assert!(!is_software_adapter("NVIDIA H100 80GB HBM3"));
    }
}
