//! How a run starts: one seed ([`crate::runner::run_in`]) or several ([`crate::seeds::run`]),
//! for every [`Experiment`] behind the [`AnyExperiment`] trait object the registry lists.

use std::path::Path;

use serde_json::Value;

use crate::experiment::{AnyExperiment, Experiment, ExperimentInfo, ExperimentOutcome};
use crate::results::{Metrics, Report};
use crate::runner::{read_config, rebuild_report, run_in, validate};
use crate::{Profile, RunContext};

/// Every [`Experiment`] behind a trait object, its settings as a JSON tree.
impl<E: Experiment> AnyExperiment for E {
    fn info(&self) -> &'static ExperimentInfo {
        Experiment::info(self)
    }

    fn config_tree(&self, profile: Profile) -> Value {
        serde_json::to_value(self.config(profile)).expect("settings serialize to JSON")
    }

    fn key_docs(&self) -> &'static [(&'static str, &'static str)] {
        Experiment::key_docs(self)
    }

    fn check_tree(&self, tree: &Value) -> Result<Value, String> {
        let config = read_config(self, tree)?;
        validate(self, &config)?;
        serde_json::to_value(&config).map_err(|e| e.to_string())
    }

    fn run_tree_in(
        &self,
        tree: &Value,
        ctx: &RunContext,
        dir: &Path,
    ) -> anyhow::Result<ExperimentOutcome> {
        let config = read_config(self, tree).map_err(anyhow::Error::msg)?;
        if ctx.several_seeds() {
            crate::seeds::run(self, &config, ctx, dir)
        } else {
            run_in(self, &config, ctx, dir)
        }
    }

    fn rebuild_report(&self, metrics: &Metrics) -> anyhow::Result<Report> {
        rebuild_report(self, metrics)
    }
}
