//! An early-stopping rule, applied after the fact to a logged curve (notebook 001 asks at
//! which epoch a stated rule would have stopped the MLP's 20 epochs).

use serde::{Deserialize, Serialize};

/// Stop when the monitored metric has not improved on its best value by more than
/// `min_delta` for `patience` consecutive logged epochs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EarlyStopping {
    /// Logged epochs without improvement before stopping (≥ 1).
    pub patience: usize,
    /// The smallest change that counts as an improvement (≥ 0).
    pub min_delta: f64,
    /// `true` when larger is better (accuracy), `false` when smaller is (loss).
    pub maximize: bool,
}

/// Where an [`EarlyStopping`] rule stops a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StopPoint {
    /// The epoch at which the rule fires (the run would end here).
    pub stop_epoch: usize,
    /// The epoch with the best value up to then (the weights to keep).
    pub best_epoch: usize,
    /// The best value.
    pub best_value: f64,
}

impl EarlyStopping {
    /// Checks the values.
    pub fn validate(&self) -> Result<(), String> {
        if self.patience == 0 {
            return Err("early-stopping patience must be ≥ 1".into());
        }
        if !(self.min_delta.is_finite() && self.min_delta >= 0.0) {
            return Err(format!(
                "early-stopping min_delta must be finite and ≥ 0, got {}",
                self.min_delta
            ));
        }
        Ok(())
    }

    /// Where the rule stops a run whose metric was `values[i]` at `epochs[i]`, or `None` when
    /// it would have run to the end. Non-finite values never count as improvements.
    pub fn stop_point(&self, epochs: &[usize], values: &[f64]) -> Option<StopPoint> {
        let mut best: Option<(usize, f64)> = None;
        let mut waited = 0;
        for (&epoch, &value) in epochs.iter().zip(values) {
            let improved = value.is_finite()
                && match best {
                    None => true,
                    Some((_, b)) if self.maximize => value > b + self.min_delta,
                    Some((_, b)) => value < b - self.min_delta,
                };
            if improved {
                best = Some((epoch, value));
                waited = 0;
            } else {
                waited += 1;
                if waited >= self.patience {
                    let (best_epoch, best_value) = best.unwrap_or((epoch, f64::NAN));
                    return Some(StopPoint {
                        stop_epoch: epoch,
                        best_epoch,
                        best_value,
                    });
                }
            }
        }
        None
    }

    /// A one-line statement of the rule.
    pub fn describe(&self, metric: &str) -> String {
        format!(
            "stop when {metric} has not {} by more than {} for {} consecutive epochs, and keep the best epoch's weights",
            if self.maximize { "risen" } else { "fallen" },
            self.min_delta,
            self.patience
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stops_after_patience_epochs_without_improvement() {
        let rule = EarlyStopping {
            patience: 2,
            min_delta: 0.01,
            maximize: true,
        };
        let epochs = [1, 2, 3, 4, 5, 6];
        // 0.905 is not better than 0.90 by more than 0.01.
        let values = [0.80, 0.90, 0.905, 0.95, 0.955, 0.951];
        assert_eq!(
            rule.stop_point(&epochs, &values),
            Some(StopPoint {
                stop_epoch: 6,
                best_epoch: 4,
                best_value: 0.95
            })
        );
        assert_eq!(rule.stop_point(&epochs[..5], &values[..5]), None);
    }

    #[test]
    fn minimizing_and_non_finite_values() {
        let rule = EarlyStopping {
            patience: 1,
            min_delta: 0.0,
            maximize: false,
        };
        let stop = rule.stop_point(&[1, 2, 3], &[1.0, 0.5, f64::NAN]).unwrap();
        assert_eq!((stop.stop_epoch, stop.best_epoch), (3, 2));
        assert!(rule.validate().is_ok());
        assert!(
            EarlyStopping {
                patience: 0,
                ..rule
            }
            .validate()
            .is_err()
        );
    }
}
