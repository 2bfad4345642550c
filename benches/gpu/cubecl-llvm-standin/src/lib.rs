//! Offline stand-in for `cubecl-llvm` 0.11.3 (see Cargo.toml for why it exists).
//!
//! Only the items `cubecl-cuda` 0.11.3 names are here, with the real crate's paths and
//! signatures. Data types and queries stay usable, because cubecl-cuda's NVRTC path touches
//! them too (it computes a PTX version for every device and keeps the LLVM variant of its
//! compiler enum); everything that would lower a kernel through LLVM panics with [`UNAVAILABLE`].

use core::fmt;

use cubecl_core::ir::attributes::BufferIOAttr;
use cubecl_core::ir::nvidia::SmArch;
use cubecl_core::prelude::KernelDefinition;
use cubecl_core::{CompilationError, Compiler};

/// What every LLVM entry point says when reached: the binary was built for NVRTC only.
pub const UNAVAILABLE: &str = "cubecl-llvm stand-in: this CUDA build has no LLVM kernel \
    compiler (built offline for unfold's GPU kit); it compiles kernels with NVRTC only, so it \
    must be built with cubecl-cuda's `cpp` feature (unfold's `cuda-cpp` feature)";

fn unavailable() -> ! {
    panic!("{UNAVAILABLE}")
}

/// Where the LLVM backend would emit code (the real crate's `target::LlvmTarget`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LlvmTarget {
    /// Host code through LLVM's JIT.
    #[default]
    Cpu,
    /// PTX for NVIDIA GPUs.
    Nvptx,
}

/// The LLVM kernel compiler: constructible, but compiling with it panics.
#[derive(Clone, Debug, Default)]
pub struct PlironCompiler {
    /// The target it would emit for.
    pub target: LlvmTarget,
}

/// Options of the LLVM kernel compiler, with the fields cubecl-cuda fills in.
#[derive(Clone, Debug, Default)]
pub struct PlironOptions {
    /// An AMD architecture in the real crate (a type this stand-in does not compile in); the
    /// CUDA runtime always passes `None`.
    pub arch: Option<()>,
    /// The NVIDIA architecture to compile for.
    pub sm_arch: Option<SmArch>,
    /// The PTX version to emit.
    pub ptx_version: Option<nvptx::ptx_version::PtxVersion>,
    /// Whether scalars and metadata travel in the kernel parameter block.
    pub grid_constants: bool,
}

/// A compiled PTX module, as the LLVM backend would hand it to the CUDA runtime.
#[derive(Clone, Debug)]
pub struct NvptxModule {
    /// NUL-terminated PTX assembly.
    pub ptx: Vec<core::ffi::c_char>,
    /// Kernel entry point symbol.
    pub entrypoint: String,
    /// IR for logging and cache keys.
    pub ir: String,
    /// Shared memory required per launch, in bytes.
    pub shared_memory_size: usize,
    /// Buffer access modes in binding order.
    pub io: Vec<BufferIOAttr>,
}

/// What the LLVM compiler produces. Non-exhaustive like the real one is in effect (it also has
/// JIT and AMD variants), so cubecl-cuda's catch-all arm stays meaningful.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum PlironArtifact {
    /// PTX for the CUDA driver.
    NvptxCode(NvptxModule),
}

impl fmt::Display for PlironArtifact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlironArtifact::NvptxCode(module) => f.write_str(&module.ir),
        }
    }
}

impl Compiler for PlironCompiler {
    type Representation = PlironArtifact;
    type CompilationOptions = PlironOptions;

    fn compile(
        &mut self,
        _kernel: KernelDefinition,
        _options: &Self::CompilationOptions,
    ) -> Result<Self::Representation, CompilationError> {
        unavailable()
    }

    fn extension(&self) -> &'static str {
        unavailable()
    }

    fn lang_tag(&self) -> &'static str {
        unavailable()
    }
}

/// NVPTX-specific items.
pub mod nvptx {
    /// The PTX ISA version for a driver.
    pub mod ptx_version {
        use core::fmt;

        /// A PTX ISA version (8.7 is `87`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct PtxVersion(u32);

        impl PtxVersion {
            /// Always `None` ("LLVM's default"): cubecl-cuda asks for every device, whichever
            /// compiler is in use, and only the LLVM backend reads the answer, so answering
            /// rather than panicking keeps the NVRTC path working.
            pub fn for_driver(_driver: i32) -> Option<Self> {
                None
            }
        }

        impl fmt::Display for PtxVersion {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "ptx{}", self.0)
            }
        }
    }
}

/// Items shared by the LLVM GPU targets.
pub mod shared {
    /// Narrowing a device's advertised features to what the LLVM backend lowers.
    pub mod lowered_features {
        use cubecl_core::ir::DeviceProperties;

        /// The GPU target whose lowering the features are narrowed for.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum GpuTarget {
            /// NVIDIA PTX.
            Nvptx,
        }

        /// Panics: cubecl-cuda calls it only when LLVM compiles its kernels.
        pub fn restrict_features(_props: &mut DeviceProperties, _target: GpuTarget) {
            crate::unavailable()
        }
    }
}
