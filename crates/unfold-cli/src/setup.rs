//! The one setup path from the command line to a [`RunContext`]: the backend parsed and the
//! auto rule applied once, devices opened once and reused, for single runs and
//! `reproduce-all` alike.

use std::path::PathBuf;

use clap::Args;
use clap::builder::TypedValueParser;
use unfold_device::{Backend, SelectedDevice, select_device};
use unfold_experiments::seeds::SeedChoice;
use unfold_experiments::{ExperimentInfo, Profile, RunContext};

/// The values `--backend` takes.
pub const BACKEND_VALUES: [&str; 6] = ["auto", "ndarray", "flex", "wgpu", "cuda", "remote"];

/// `--backend`: a fixed backend, or `auto` (a device per experiment, by model size).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendChoice {
    /// Every experiment on this backend.
    Fixed(Backend),
    /// The CPU for small models, a hardware GPU for large ones.
    Auto,
}

/// A closed set of names as a clap value parser: `--help` lists them, and anything else is a
/// one-line error that suggests the closest name.
#[derive(Debug, Clone)]
pub struct OneOf {
    what: &'static str,
    names: Vec<&'static str>,
}

impl OneOf {
    /// Names of `what` (`backend`, `profile`, `experiment`).
    pub fn new(what: &'static str, names: impl IntoIterator<Item = &'static str>) -> Self {
        Self {
            what,
            names: names.into_iter().collect(),
        }
    }
}

impl TypedValueParser for OneOf {
    type Value = &'static str;

    fn parse_ref(
        &self,
        _cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<&'static str, clap::Error> {
        let given = value.to_string_lossy();
        let wanted = given.trim().to_ascii_lowercase();
        if let Some(name) = self.names.iter().find(|n| n.eq_ignore_ascii_case(&wanted)) {
            return Ok(name);
        }
        let hint = unfold_device::closest(&wanted, &self.names)
            .map(|s| format!(" (did you mean '{s}'?)"))
            .unwrap_or_default();
        Err(clap::Error::raw(
            clap::error::ErrorKind::InvalidValue,
            format!(
                "unknown {} '{given}'{hint}; use one of: {}\n",
                self.what,
                self.names.join(", ")
            ),
        ))
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            self.names.iter().map(clap::builder::PossibleValue::new),
        ))
    }
}

/// Parses `--backend`.
pub fn backend_parser() -> impl TypedValueParser<Value = BackendChoice> {
    OneOf::new("backend", BACKEND_VALUES).map(|name| match name {
        "auto" => BackendChoice::Auto,
        other => BackendChoice::Fixed(other.parse().expect("one of BACKEND_VALUES")),
    })
}

/// Parses `--profile`.
pub fn profile_parser() -> impl TypedValueParser<Value = Profile> {
    OneOf::new("profile", ["full", "quick"])
        .map(|name| name.parse::<Profile>().expect("full or quick"))
}

/// Parses an experiment's name (`--only`, `--skip`, `unfold config`).
pub fn experiment_parser() -> OneOf {
    OneOf::new("experiment", unfold_experiments::registry::names())
}

/// Where the servers of `--backend remote` are.
#[derive(Debug, Args, Clone)]
pub struct RemoteArgs {
    /// With `--backend remote` (implied when given): the server started by `unfold serve`, as
    /// ws://HOST:PORT. Give several (repeat the flag or separate with commas) to spread a
    /// study's independent runs over them, one run per server at a time.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "ws://HOST:PORT",
        env = "UNFOLD_REMOTE"
    )]
    pub remote: Vec<String>,
    /// The token the servers were started with (`unfold serve --token`).
    #[arg(
        long,
        value_name = "TOKEN",
        env = "UNFOLD_REMOTE_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
    /// Seconds connecting to a server may take (TCP, handshake, session, self-test). Once
    /// connected, a long operation is never cut off, but a server that leaves the liveness
    /// check (repeated this often) unanswered this long ends the run with an error.
    #[arg(
        long,
        value_name = "SECS",
        env = "UNFOLD_REMOTE_TIMEOUT",
        default_value_t = unfold_device::DEFAULT_REMOTE_TIMEOUT_SECS as f64,
        value_parser = crate::data::seconds_parser
    )]
    pub remote_timeout: f64,
}

/// Where and how experiments run: the options every experiment command and `reproduce-all`
/// share.
#[derive(Debug, Args, Clone)]
pub struct RunArgs {
    /// Backend to run on: a CPU backend, a GPU one, remote (a server started by `unfold
    /// serve`, see --remote), or auto (a device per experiment: the CPU for small models, a
    /// hardware GPU from 100,000 parameters). Default: the fastest compiled CPU backend for one
    /// experiment, auto for reproduce-all.
    #[arg(long, short = 'b', value_parser = backend_parser())]
    pub backend: Option<BackendChoice>,
    /// Device index for GPU backends (see `unfold info`).
    #[arg(long, default_value_t = 0)]
    pub device: usize,
    /// Seed for data, splits, initialization and shuffling (default: the notebook's seed, or
    /// the `seed` of --config / --set).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Run under several seeds and combine them (means, spread, 95% intervals, in how many
    /// seeds each answer holds): a count (`--seeds 5`: the seed and the four after it) or a
    /// list (`--seeds 1,2,7`). Each seed's results go to `<experiment>/seed-<s>/`.
    #[arg(long, value_name = "N|LIST", value_parser = clap::builder::ValueParser::new(|s: &str| s.parse::<SeedChoice>()))]
    pub seeds: Option<SeedChoice>,
    /// `full` = the notebook's exact settings; `quick` = the same pipeline shrunk for smoke
    /// tests (default: full, or the profile recorded in a `--config metrics.json`).
    #[arg(long, value_parser = profile_parser())]
    pub profile: Option<Profile>,
    /// Results folder; each experiment writes to `<out>/<experiment>/`.
    #[arg(long, default_value = "results")]
    pub out: PathBuf,
    /// Folder holding `mnist/` and `fashion-mnist/` (default: ./data, then the per-user data
    /// dir that `unfold data fetch` fills, then Debian's /usr/share/datasets/fashion-mnist;
    /// see `unfold data where`).
    #[arg(long, value_name = "DIR", env = unfold_data::DATA_ENV)]
    pub data_dir: Option<PathBuf>,
    /// Save the trained models (spirals3d, sandwich) under `<out>/<experiment>/models/` as Burn
    /// records with their configuration, for `unfold_models::load_mlp`.
    #[arg(long)]
    pub save_model: bool,
    /// Go on with a long study (mnist, xor) that was interrupted: runs it already finished
    /// (saved under `<out>/<experiment>/runs/`) are reused, not trained again. Each saved run
    /// is checked first (schema version, settings, checksum, possible values); a bad one is
    /// trained again, with a warning.
    #[arg(long)]
    pub resume: bool,
    #[command(flatten)]
    pub remote: RemoteArgs,
}

impl RemoteArgs {
    /// The connect and liveness deadline, `--remote-timeout`.
    pub fn deadline(&self) -> std::time::Duration {
        std::time::Duration::from_secs_f64(self.remote_timeout)
    }
}

/// The devices of one invocation: the backend choice made once, each device opened once.
pub struct Setup {
    /// What `--backend` asked for.
    pub choice: BackendChoice,
    index: usize,
    remote: RemoteArgs,
    opened: Vec<SelectedDevice>,
    /// With several `--remote` servers, the devices of all but the first.
    pub workers: Vec<SelectedDevice>,
}

impl Setup {
    /// The backend asked for; without `--backend`, `remote` when `--remote` names a server,
    /// else `default` (`auto` for reproduce-all, the fastest CPU backend for one experiment).
    /// A fixed backend's device is opened now, so a wrong one fails before any work.
    pub fn new(args: &RunArgs, default: BackendChoice) -> anyhow::Result<Self> {
        let choice = match args.backend {
            Some(choice) => choice,
            None if !args.remote.remote.is_empty() => BackendChoice::Fixed(Backend::Remote),
            None => default,
        };
        if !args.remote.remote.is_empty() && choice != BackendChoice::Fixed(Backend::Remote) {
            eprintln!("unfold: --remote/$UNFOLD_REMOTE is ignored: the backend is not `remote`");
        }
        let mut setup = Self {
            choice,
            index: args.device,
            remote: args.remote.clone(),
            opened: Vec::new(),
            workers: Vec::new(),
        };
        if let BackendChoice::Fixed(backend) = choice {
            let device = setup.open(backend)?;
            if !crate::logging::quiet() {
                eprintln!("unfold: backend {backend} — {}", device.description);
            }
            setup.workers = extra_workers(backend, args.device, &args.remote)?;
        }
        Ok(setup)
    }

    /// The fastest compiled CPU backend, for commands that run one experiment.
    pub fn cpu_default() -> anyhow::Result<BackendChoice> {
        Backend::default_cpu()
            .map(BackendChoice::Fixed)
            .ok_or_else(|| {
                anyhow::anyhow!("no CPU backend compiled in; pass --backend wgpu or cuda")
            })
    }

    /// Opens `backend`'s device, or reuses it when already open.
    fn open(&mut self, backend: Backend) -> Result<SelectedDevice, unfold_device::DeviceError> {
        if let Some(d) = self.opened.iter().find(|d| d.backend == backend) {
            return Ok(d.clone());
        }
        let index = if backend.is_cpu() { 0 } else { self.index };
        let device = open_device(backend, index, &self.remote)?;
        self.opened.push(device.clone());
        Ok(device)
    }

    /// The device for `info`, with the reason when `auto` chose it.
    pub fn device_for(
        &mut self,
        info: &ExperimentInfo,
    ) -> anyhow::Result<(SelectedDevice, Option<String>)> {
        match self.choice {
            BackendChoice::Fixed(backend) => Ok((self.open(backend)?, None)),
            BackendChoice::Auto => {
                let choice =
                    unfold_device::choose_auto_with(info.largest_model_params, |b| self.open(b))?;
                Ok((choice.selected, Some(choice.reason)))
            }
        }
    }

    /// The context for running `info` with `seed` under `profile`.
    pub fn context(
        &mut self,
        args: &RunArgs,
        info: &ExperimentInfo,
        seed: u64,
        profile: Profile,
    ) -> anyhow::Result<(RunContext, Option<String>)> {
        let seeds = match &args.seeds {
            Some(choice) => choice.resolve(seed).map_err(anyhow::Error::msg)?,
            None => Vec::new(),
        };
        let (device, reason) = self.device_for(info)?;
        let ctx = RunContext::new(&device, seed, profile, args.out.clone())
            .with_seeds(seeds)
            .with_data_dir(crate::data::explicit_data_dir(args.data_dir.clone()))
            .with_save_models(args.save_model)
            .with_resume(args.resume)
            .with_workers(self.workers.clone());
        Ok((ctx, reason))
    }

    /// The backend's name for the page (`auto` or the fixed one).
    pub fn backend_name(&self) -> String {
        match self.choice {
            BackendChoice::Fixed(b) => b.name().into(),
            BackendChoice::Auto => "auto".into(),
        }
    }

    /// The run as the folder's page and manifest describe it: the backend and every device
    /// used, the profile, when it started (RFC 3339) and how long it has taken since `started`.
    pub fn run_summary(
        &self,
        profile: Profile,
        started_at: String,
        started: std::time::Instant,
    ) -> unfold_experiments::index::RunSummary {
        unfold_experiments::index::RunSummary {
            backend: self.backend_name(),
            device: self.devices_described(),
            profile,
            started: started_at,
            wall_seconds: started.elapsed().as_secs_f64(),
        }
    }

    /// Every device used, described, for the page.
    pub fn devices_described(&self) -> String {
        self.opened
            .iter()
            .chain(&self.workers)
            .map(|d| d.description.clone())
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

/// Opens `backend`'s device `index`; for `remote`, connects to the first `--remote` server.
pub fn open_device(
    backend: Backend,
    index: usize,
    remote: &RemoteArgs,
) -> Result<SelectedDevice, unfold_device::DeviceError> {
    #[cfg(feature = "remote")]
    if backend == Backend::Remote {
        let Some(first) = remote.remote.first() else {
            return Err(unfold_device::DeviceError::Unavailable {
                backend,
                index: None,
                reason: "no server given".into(),
                hint: "pass --remote ws://HOST:PORT (a server started with `unfold serve`)",
            });
        };
        return unfold_device::remote::connect_within(
            first,
            remote.token.as_deref(),
            index,
            remote.deadline(),
        );
    }
    let _ = remote;
    select_device(backend, index)
}

/// With several `--remote` servers, the devices of all but the first: a study's independent
/// runs go to them too, one run per server at a time.
fn extra_workers(
    backend: Backend,
    index: usize,
    remote: &RemoteArgs,
) -> anyhow::Result<Vec<SelectedDevice>> {
    #[cfg(feature = "remote")]
    if backend == Backend::Remote {
        let workers = remote
            .remote
            .iter()
            .skip(1)
            .map(|address| {
                unfold_device::remote::connect_within(
                    address,
                    remote.token.as_deref(),
                    index,
                    remote.deadline(),
                )
                .map_err(anyhow::Error::from)
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        for worker in workers.iter().filter(|_| !crate::logging::quiet()) {
            eprintln!("unfold: also running on {}", worker.description);
        }
        return Ok(workers);
    }
    let _ = (backend, index, remote);
    Ok(Vec::new())
}
