//! Running the XOR experiment: the grid (with checkpoints for `--resume`), the gradient check,
//! task 1 and the worked backprop example, and the figures.

use std::collections::BTreeMap;

use anyhow::Context;

use super::grid::{DimensionPlan, run_name, train_dimension};
use super::{GradientCheck, GridCell, NAME, Task1, XorConfig, figures, task1, train_and_compare};
use crate::RunContext;
use crate::backprop;
use crate::experiment::RunRecord;
use crate::results::RunMetrics;
use crate::runs::{Checkpoints, spread};

/// Trains the grid, runs the checks, records everything the report needs and draws the
/// figures.
pub(super) fn run(
    config: &XorConfig,
    ctx: &RunContext,
    record: &mut RunRecord,
) -> anyhow::Result<()> {
    // One job per dimension: its runs train as one computation (or one after another), are
    // saved as they finish (`--resume` reuses a dimension whose runs are all saved), and with
    // several devices the dimensions spread over them.
    let plans: Vec<DimensionPlan> = config
        .dims
        .iter()
        .map(|&d| DimensionPlan::new(config, ctx.seed, d))
        .collect();
    let mut checkpoints = Checkpoints::new(ctx, NAME, config)?;
    let mut finished: BTreeMap<usize, Vec<RunMetrics>> = BTreeMap::new();
    for plan in &plans {
        if let Some(saved) = checkpoints.load_all(&plan.run_names()) {
            unfold_train::say!("  · d={} — resumed from an earlier run", plan.d);
            finished.insert(plan.d, saved);
        }
    }
    let jobs: Vec<&DimensionPlan> = plans
        .iter()
        .filter(|p| !finished.contains_key(&p.d))
        .collect();
    let trained = spread(
        ctx,
        &jobs,
        (),
        |_| Ok(()),
        |ctx, _, plan| {
            let runs = train_dimension(config, ctx, plan)?;
            for (name, m) in plan.run_names().iter().zip(&runs) {
                checkpoints.save(name, m)?;
            }
            Ok(runs)
        },
    )
    .context(crate::runs::RESUMABLE)?;
    for (plan, runs) in jobs.iter().zip(trained) {
        finished.insert(plan.d, runs);
    }
    if checkpoints.resumed > 0 {
        record.extra("resumed_runs", checkpoints.resumed)?;
    }

    let mut cells = Vec::new();
    let mut curves: BTreeMap<usize, Vec<(usize, RunMetrics)>> = BTreeMap::new();
    for plan in &plans {
        let d = plan.d;
        let runs = &finished[&d];
        for &hidden in &plan.sizes {
            let mut cell = GridCell {
                d,
                hidden,
                parameters: d * hidden + 2 * hidden + 1,
                runs: 0,
                converged: 0,
                all_correct: 0,
                final_losses: Vec::new(),
            };
            for (&(_, rep, _), m) in plan
                .runs
                .iter()
                .zip(runs)
                .filter(|((h, _, _), _)| *h == hidden)
            {
                let converged = m.final_loss.is_some_and(|l| l < config.converged_below);
                cell.runs += 1;
                cell.converged += usize::from(converged);
                cell.all_correct += usize::from(m.train_accuracy == Some(1.0));
                cell.final_losses.push(m.final_loss);
                record.add_run(&run_name(d, hidden, rep), m.clone());
                curves.entry(d).or_default().push((hidden, m.clone()));
            }
            cells.push(cell);
        }
    }

    let check = train_and_compare(config, config.compare_epochs, ctx.seed, &ctx.device);
    let task1 = task1(&ctx.device);
    let worksheet = backprop::example_worksheet(&ctx.device)?;
    record.extra("grid", &cells)?;
    record.extra("gradient_check", &check)?;
    record.extra("task1", &task1)?;
    record.extra("backprop_example", worksheet.to_json())?;

    let dir = record.dir.clone();
    let png = figures::loss_curves(config, &curves, &dir)?;
    record.figure(
        png,
        "MSE on all 2^d points during training, one colour per hidden size",
    );
    let png = figures::convergence(config, &cells, &dir)?;
    record.figure(
        png,
        "Share of runs that converge, per hidden size and dimension",
    );
    let png = figures::gradient_check(&check, &dir)?;
    record.figure(
        png,
        "Largest hand-vs-autodiff gradient difference at every step",
    );
    let png = figures::relu_solution(&task1, &ctx.device, &dir)?;
    record.figure(
        png,
        "The ReLU network's decision regions in input and hidden space",
    );
    for line in summary(config, &cells, &check, &task1) {
        record.summary(line);
    }
    Ok(())
}

/// The terminal lines: convergence per dimension, the gradient check, task 1.
fn summary(
    config: &XorConfig,
    cells: &[GridCell],
    check: &GradientCheck,
    t: &Task1,
) -> Vec<String> {
    let mut lines: Vec<String> = config
        .dims
        .iter()
        .map(|&d| {
            let per: Vec<String> = cells
                .iter()
                .filter(|c| c.d == d)
                .map(|c| format!("h{}:{}/{}", c.hidden, c.converged, c.runs))
                .collect();
            format!(
                "d={d} converged (MSE < {}) per hidden size: {}",
                config.converged_below,
                per.join(" ")
            )
        })
        .collect();
    lines.push(format!(
        "gradient check: {} steps × {} parameters, max |hand − autodiff| = {:.2e} ({})",
        check.steps,
        check.parameters,
        check.max_abs_diff,
        if check.passed() { "passed" } else { "FAILED" }
    ));
    lines.push(format!(
        "least-squares linear fit of XOR: w = [{:.4}, {:.4}], MSE {:.4}; with bias MSE {:.4}",
        t.linear.weights[0], t.linear.weights[1], t.linear.mse, t.linear_with_bias.mse
    ));
    let hidden: Vec<String> = t
        .hidden
        .iter()
        .map(|h| format!("({}, {})", h[0], h[1]))
        .collect();
    lines.push(format!(
        "ReLU network: hidden coordinates of (0,0) (0,1) (1,0) (1,1) = {}; outputs {:?}",
        hidden.join(" "),
        t.outputs
    ));
    lines
}
