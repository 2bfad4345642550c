//! The notebook's three questions about the grid, answered from its numbers alone.

use super::config::describe_rules;
use super::grid::median;
use super::{GridCell, XorConfig, hidden_sizes};
use crate::results::{Report, percent};

/// Median final MSEs in this range count as the plateau of answering ½ everywhere (MSE 0.25).
const PLATEAU: std::ops::RangeInclusive<f64> = 0.15..=0.35;

/// The smallest hidden size of dimension `d` with at least one converged run, and the smallest
/// whose runs all converged.
fn smallest(cells: &[GridCell], d: usize) -> (Option<&GridCell>, Option<&GridCell>) {
    let of_d = || cells.iter().filter(move |c| c.d == d && c.runs > 0);
    let some = of_d().filter(|c| c.converged > 0).min_by_key(|c| c.hidden);
    let all = of_d()
        .filter(|c| c.converged == c.runs)
        .min_by_key(|c| c.hidden);
    (some, all)
}

/// The notebook's three questions, answered from the grid.
pub(super) fn grid_answers(r: &mut Report, config: &XorConfig, cells: &[GridCell]) {
    let of_d = |d: usize| cells.iter().filter(move |c| c.d == d);
    let converging: Vec<usize> = config
        .dims
        .iter()
        .copied()
        .filter(|&d| of_d(d).any(|c| c.converged > 0))
        .collect();
    let failing: Vec<String> = config
        .dims
        .iter()
        .filter(|d| !converging.contains(d))
        .map(usize::to_string)
        .collect();
    let q1 = if converging.is_empty() {
        format!(
            "None: no run reached MSE < {} in any dimension.",
            config.converged_below
        )
    } else {
        let per: Vec<String> = converging
            .iter()
            .map(|&d| {
                // The best rate, and the smallest size that reaches it.
                let best_rate = of_d(d).map(GridCell::success_rate).fold(0.0, f64::max);
                let best = of_d(d)
                    .filter(|c| c.success_rate() == best_rate)
                    .min_by_key(|c| c.hidden)
                    .expect("d has a converging cell");
                format!(
                    "d = {d} (best: {} hidden units, {}/{} runs)",
                    best.hidden, best.converged, best.runs
                )
            })
            .collect();
        let rest = if failing.is_empty() {
            String::new()
        } else {
            format!(" No run converged for d = {}.", failing.join(", "))
        };
        format!(
            "At least one run reached MSE < {} for {}.{rest}",
            config.converged_below,
            per.join(", ")
        )
    };
    r.answer(
        "For which dimensions were you able to reach a model that converges (loss value getting close to 0)?",
        &q1,
    );

    let q2: Vec<String> = config
        .dims
        .iter()
        .map(|&d| {
            let least_tried = of_d(d).map(|c| c.hidden).min();
            // The grid cannot say whether a size below the smallest one tried would do.
            let floor = |h: usize| {
                if Some(h) == least_tried && h > 1 {
                    " (the smallest size tried)"
                } else {
                    ""
                }
            };
            match smallest(cells, d) {
                (Some(some), Some(all)) if some.hidden == all.hidden => format!(
                    "d = {d}: {} hidden units{}, every run converged",
                    some.hidden,
                    floor(some.hidden)
                ),
                (Some(some), Some(all)) => format!(
                    "d = {d}: {} hidden units{} converged sometimes ({}/{}), {} every time",
                    some.hidden,
                    floor(some.hidden),
                    some.converged,
                    some.runs,
                    all.hidden
                ),
                (Some(some), None) => format!(
                    "d = {d}: the smallest size with a converged run is {}{} ({}/{}); no size \
                     converged every time",
                    some.hidden,
                    floor(some.hidden),
                    some.converged,
                    some.runs
                ),
                (None, _) => format!("d = {d}: no size tried converged"),
            }
        })
        .collect();
    r.answer(
        "What is the number of hidden neurons in that network and how did you find it?",
        &format!(
            "{}. Found by a grid search: for each d, hidden sizes {} ({}) trained from {} random \
             initializations each, counting the runs whose final MSE is below {}; the table gives \
             every rate.",
            q2.join("; "),
            config
                .dims
                .iter()
                .map(|&d| format!("{:?}", hidden_sizes(&config.hidden, d)))
                .collect::<Vec<_>>()
                .join(", "),
            describe_rules(&config.hidden),
            config.seeds,
            config.converged_below
        ),
    );

    r.answer(
        "What results did you expect and how does it differ from the results you achieved?",
        &expectations(config, cells),
    );
}

/// `d = 2: 40.0%` for every dimension where `pick` finds a cell (`d = 2 with 8 units: …` with
/// `with_size`).
fn rates<'a>(
    config: &XorConfig,
    pick: impl Fn(usize) -> Option<&'a GridCell>,
    with_size: bool,
) -> Vec<String> {
    config
        .dims
        .iter()
        .filter_map(|&d| pick(d).map(|c| (d, c)))
        .map(|(d, c)| {
            let size = if with_size {
                format!(" with {} units", c.hidden)
            } else {
                String::new()
            };
            format!("d = {d}{size}: {}", percent(Some(c.success_rate())))
        })
        .collect()
}

/// The third answer: what d units should do, and what the grid shows.
fn expectations(config: &XorConfig, cells: &[GridCell]) -> String {
    let of_d = |d: usize| cells.iter().filter(move |c| c.d == d);
    let exactly_d = rates(config, |d| of_d(d).find(|c| c.hidden == d), false);
    let widest = rates(config, |d| of_d(d).max_by_key(|c| c.hidden), true);
    let at_least_d: Vec<&GridCell> = cells.iter().filter(|c| c.hidden >= c.d).collect();
    let all_found = at_least_d.iter().all(|c| c.converged == c.runs);
    let exactly = if exactly_d.is_empty() {
        "no grid size equals d".to_string()
    } else {
        exactly_d.join(", ")
    };

    let mut text = String::from(
        "Expected: d hidden units are enough to *represent* the parity of d bits (unit k can \
         fire when at least k bits are set, and the output adds them with alternating signs), and \
         the universal approximation theorem promises that some width works, so every d should \
         be learnable with about d units. Achieved: ",
    );
    if at_least_d.is_empty() {
        text.push_str(&format!(
            "no network with d or more hidden units was tried, so the grid cannot test that; the \
             widest networks reached {}.",
            widest.join(", ")
        ));
    } else if all_found {
        text.push_str(&format!(
            "every network with at least d hidden units converged in every run: here SGD found \
             such weights each time within {} from a random N(0, 1) start. With exactly d \
             hidden units the success rate was {exactly}; the widest networks reached {}.",
            crate::results::count_of(config.epochs, "epoch"),
            widest.join(", ")
        ));
    } else {
        text.push_str(&format!(
            "being representable is not the same as being found by SGD in {} from a \
             random N(0, 1) start. With exactly d hidden units the success rate was {exactly}; \
             the widest networks reached {}. The theorem says suitable weights exist; it says \
             nothing about how often gradient descent finds them.",
            crate::results::count_of(config.epochs, "epoch"),
            widest.join(", ")
        ));
    }

    // Smooth sigmoid units are not threshold units: fewer than d of them may fit the points.
    let narrower: Vec<String> = config
        .dims
        .iter()
        .filter(|&&d| of_d(d).any(|c| c.hidden < d && c.converged > 0))
        .map(usize::to_string)
        .collect();
    if !narrower.is_empty() {
        text.push_str(&format!(
            " Networks with fewer than d hidden units also converged for d = {}: d units are \
             enough, not the minimum, for these smooth sigmoid units.",
            narrower.join(", ")
        ));
    }

    if config.dims.len() > 1 {
        let pooled: Vec<(usize, f64)> = config
            .dims
            .iter()
            .map(|&d| {
                let (ok, all) =
                    of_d(d).fold((0, 0), |(ok, all), c| (ok + c.converged, all + c.runs));
                (d, ok as f64 / all.max(1) as f64)
            })
            .collect();
        let mut by_d = pooled.clone();
        by_d.sort_by_key(|(d, _)| *d);
        let steps: Vec<f64> = by_d.windows(2).map(|w| w[1].1 - w[0].1).collect();
        let trend = if steps.iter().all(|s| *s == 0.0) {
            "stays the same"
        } else if steps.iter().all(|s| *s <= 0.0) {
            "falls"
        } else if steps.iter().all(|s| *s >= 0.0) {
            "rises"
        } else {
            "does not change monotonically"
        };
        text.push_str(&format!(
            " Pooled over the hidden sizes tried for each d, the success rate was {}, which {trend} \
             as d grows.",
            pooled
                .iter()
                .map(|(d, p)| format!("d = {d}: {}", percent(Some(*p))))
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }

    let stuck: Vec<f64> = cells
        .iter()
        .flat_map(|c| c.final_losses.iter().flatten().copied())
        .filter(|l| *l >= config.converged_below)
        .collect();
    let diverged: usize = cells
        .iter()
        .map(|c| c.final_losses.iter().filter(|l| l.is_none()).count())
        .sum();
    text.push_str(&match median(&stuck) {
        Some(m) if PLATEAU.contains(&m) => format!(
            " The {} finished runs that did not converge ended at a median MSE of {m:.3}, close \
             to 0.25, the MSE of answering ½ everywhere: they stalled on a plateau rather than \
             slowly approaching 0.",
            stuck.len()
        ),
        Some(m) => format!(
            " The {} finished runs that did not converge ended at a median MSE of {m:.3}.",
            stuck.len()
        ),
        None if diverged > 0 => " Every run that finished converged.".into(),
        None => " Every run converged.".into(),
    });
    if diverged > 0 {
        text.push_str(&format!(
            " {diverged} run{} diverged (the loss became infinite or NaN) and count as not \
             converged.",
            if diverged == 1 { "" } else { "s" }
        ));
    }

    // Wider against narrower, where a dimension has more than one size.
    let compared: Vec<usize> = config
        .dims
        .iter()
        .copied()
        .filter(|&d| of_d(d).count() > 1)
        .collect();
    let widest_rate = |d: usize| {
        of_d(d)
            .max_by_key(|c| c.hidden)
            .map_or(0.0, GridCell::success_rate)
    };
    let beaten: Vec<String> = compared
        .iter()
        .filter(|&&d| of_d(d).any(|c| c.success_rate() > widest_rate(d)))
        .map(usize::to_string)
        .collect();
    let helped = compared
        .iter()
        .any(|&d| of_d(d).any(|c| c.success_rate() < widest_rate(d)));
    if !beaten.is_empty() {
        text.push_str(&format!(
            " Wider was not always better: for d = {} a narrower network converged more often \
             than the widest.",
            beaten.join(", ")
        ));
    } else if helped {
        text.push_str(
            " In every dimension the widest network converged at least as often as any narrower \
             one, and more often than some: here, extra units made good weights easier to find.",
        );
    } else if !compared.is_empty() {
        text.push_str(
            " Within each dimension every size tried converged equally often: width made no \
             difference here.",
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xor::HiddenRule;

    /// A cell of `runs` runs, `converged` of them at MSE 0.01 and the rest stuck at 0.25.
    fn cell(d: usize, hidden: usize, converged: usize, runs: usize) -> GridCell {
        GridCell {
            d,
            hidden,
            parameters: d * hidden + 2 * hidden + 1,
            runs,
            converged,
            all_correct: converged,
            final_losses: (0..runs)
                .map(|i| Some(if i < converged { 0.01 } else { 0.25 }))
                .collect(),
        }
    }

    fn answers(config: &XorConfig, cells: &[GridCell]) -> Vec<String> {
        let mut r = Report::new("test");
        grid_answers(&mut r, config, cells);
        r.answers()
            .into_iter()
            .map(|(_, a)| a.to_string())
            .collect()
    }

    #[test]
    fn answers_follow_a_grid_where_sgd_sometimes_fails() {
        let config = XorConfig {
            dims: vec![2, 3],
            ..XorConfig::for_profile(crate::Profile::Quick)
        };
        let cells = [
            cell(2, 1, 0, 2),
            cell(2, 2, 1, 2),
            cell(2, 4, 2, 2),
            cell(3, 1, 0, 2),
            cell(3, 3, 0, 2),
            cell(3, 6, 2, 2),
        ];
        let a = answers(&config, &cells);
        assert_eq!(a.len(), 3);
        assert!(
            a[0].contains("d = 2 (best: 4 hidden units, 2/2 runs)"),
            "{}",
            a[0]
        );
        assert!(
            a[1].contains("d = 2: 2 hidden units converged sometimes (1/2), 4 every time"),
            "{}",
            a[1]
        );
        assert!(
            a[1].contains("d = 3: 6 hidden units, every run converged"),
            "{}",
            a[1]
        );
        assert!(a[2].contains("not the same as being found"), "{}", a[2]);
        assert!(a[2].contains("d = 2: 50.0%, d = 3: 0.0%"), "{}", a[2]);
        assert!(a[2].contains("which falls as d grows"), "{}", a[2]);
        assert!(a[2].contains("stalled on a plateau"), "{}", a[2]);
        assert!(
            a[2].contains("widest network converged at least as often"),
            "{}",
            a[2]
        );
        assert!(!a[2].contains("fewer than d hidden units"), "{}", a[2]);
    }

    #[test]
    fn answers_do_not_claim_failures_the_grid_does_not_show() {
        // One dimension, every network of at least d units always converged, and a narrower
        // one did too: no "SGD fails" story, no trend over d, and the narrower success said.
        let config = XorConfig {
            dims: vec![3],
            hidden: vec![
                HiddenRule::Fixed { size: 2 },
                HiddenRule::DTimes { times: 1 },
            ],
            ..XorConfig::default()
        };
        let cells = [cell(3, 2, 2, 2), cell(3, 3, 2, 2)];
        let a = answers(&config, &cells);
        assert!(
            a[1].contains("d = 3: 2 hidden units (the smallest size tried), every run"),
            "{}",
            a[1]
        );
        assert!(a[2].contains("converged in every run"), "{}", a[2]);
        assert!(!a[2].contains("not the same as being found"), "{}", a[2]);
        assert!(!a[2].contains("as d grows"), "{}", a[2]);
        assert!(a[2].contains("Every run converged."), "{}", a[2]);
        assert!(
            a[2].contains("fewer than d hidden units also converged for d = 3"),
            "{}",
            a[2]
        );
        assert!(a[2].contains("width made no difference"), "{}", a[2]);
        assert!(!a[2].contains("easier"), "{}", a[2]);
    }

    #[test]
    fn diverged_runs_are_counted_and_no_width_claim_is_made_from_zeros() {
        // A learning rate far too large: nothing converges, some runs blow up.
        let config = XorConfig {
            dims: vec![2],
            learning_rate: 0.5,
            ..XorConfig::for_profile(crate::Profile::Quick)
        };
        let mut blown = cell(2, 4, 0, 2);
        blown.final_losses = vec![None, Some(2.5)];
        let cells = [cell(2, 1, 0, 2), cell(2, 2, 0, 2), blown];
        let a = answers(&config, &cells);
        assert!(a[0].starts_with("None"), "{}", a[0]);
        assert!(a[1].contains("d = 2: no size tried converged"), "{}", a[1]);
        assert!(a[2].contains("1 run diverged"), "{}", a[2]);
        assert!(a[2].contains("The 5 finished runs"), "{}", a[2]);
        assert!(a[2].contains("width made no difference"), "{}", a[2]);
        assert!(!a[2].contains("easier"), "{}", a[2]);
    }
}
