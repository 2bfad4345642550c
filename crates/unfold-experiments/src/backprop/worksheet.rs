//! Working a network by hand, line by line, and checking every line with autodiff.

use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::parse::check_len;
use super::{Network, NetworkError, error};

/// What a worksheet line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An input value.
    Input,
    /// A pre-activation `sᵢ`.
    Preactivation,
    /// An activation `aᵢ`.
    Activation,
    /// The loss.
    Loss,
    /// A delta `δᵢ = ∂L/∂sᵢ`.
    Delta,
    /// A weight gradient `∂L/∂wᵢⱼ`.
    WeightGradient,
}

/// One line of the worksheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// What it is.
    pub kind: Kind,
    /// Its symbol, e.g. `s_3` or `∂L/∂w_32`.
    pub name: String,
    /// The formula with the numbers put in.
    pub formula: String,
    /// The value by hand (`f64`).
    pub value: f64,
    /// The value autodiff computed (`f32`), once checked.
    pub autodiff: Option<f64>,
}

impl Entry {
    /// Whether autodiff's value is within [`AUTODIFF_TOLERANCE`] of the hand value (absolute
    /// plus relative); `false` before the check.
    pub fn agrees(&self) -> bool {
        self.autodiff.is_some_and(|a| {
            (a - self.value).abs() <= AUTODIFF_TOLERANCE * (1.0 + self.value.abs())
        })
    }

    /// The entry as a report table row: quantity, formula, value, autodiff's value (✓ when it
    /// agrees, ✗ when not, — when not checked). A pure function of the entry, so a report can
    /// rebuild it from `metrics.json`.
    pub fn row(&self) -> Vec<String> {
        vec![
            self.name.clone(),
            self.formula.clone(),
            show(self.value),
            match self.autodiff {
                None => "—".into(),
                Some(a) if self.agrees() => format!("{} ✓", show(a)),
                Some(a) => format!("{} ✗", show(a)),
            },
        ]
    }
}

/// Every intermediate of one forward and backward pass, by hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Worksheet {
    /// The lines, in the order they are computed.
    pub entries: Vec<Entry>,
    /// The network.
    pub network: Network,
    /// The input used.
    pub input: Vec<f64>,
    /// The label used.
    pub label: Vec<f64>,
}

/// Formats a number briefly: integers without decimals, others with up to 6 decimals.
fn num(v: f64) -> String {
    // −0 prints as 0.
    let v = v + 0.0;
    if v == v.trunc() && v.abs() < 1e12 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.6}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s == "-0" { "0".into() } else { s.into() }
    }
}

/// A number inside a formula: negatives in parentheses.
fn term(v: f64) -> String {
    let s = num(v);
    if s.starts_with('-') {
        format!("({})", s.replace('-', "−"))
    } else {
        s
    }
}

fn show(v: f64) -> String {
    num(v).replace('-', "−")
}

/// The absolute-plus-relative tolerance of the autodiff check (autodiff runs in `f32`).
pub const AUTODIFF_TOLERANCE: f64 = 1e-4;

impl Worksheet {
    /// Works the network on `input` with `label` by hand.
    pub fn compute(network: &Network, input: &[f64], label: &[f64]) -> Result<Self, NetworkError> {
        network.check_shapes()?;
        check_len("input", input, network.inputs(), "inputs")?;
        check_len("label", label, network.outputs(), "outputs")?;
        if let Some(bad) = input.iter().chain(label).find(|v| !v.is_finite()) {
            return Err(error("input/label", format!("{bad} is not finite")));
        }
        // Unit ids: inputs 1..=n0, then each layer's units in turn.
        let mut ids: Vec<Vec<usize>> = vec![(1..=input.len()).collect()];
        for layer in &network.layers {
            let start = ids.last().and_then(|l| l.last()).copied().unwrap_or(0) + 1;
            ids.push((start..start + layer.biases.len()).collect());
        }
        let wide = ids.last().and_then(|l| l.last()).copied().unwrap_or(0) > 9;
        let w = |i: usize, j: usize| {
            if wide {
                format!("w_{i},{j}")
            } else {
                format!("w_{i}{j}")
            }
        };
        let mut entries = Vec::new();
        for (k, (&id, &x)) in ids[0].iter().zip(input).enumerate() {
            entries.push(Entry {
                kind: Kind::Input,
                name: format!("a_{id}"),
                formula: format!("x_{}", k + 1),
                value: x,
                autodiff: None,
            });
        }
        // Forward.
        let mut activations = vec![input.to_vec()];
        let mut preactivations = Vec::new();
        for (l, layer) in network.layers.iter().enumerate() {
            let prev = &activations[l];
            let mut s_values = Vec::new();
            let mut a_values = Vec::new();
            for (u, (row, b)) in layer.weights.iter().zip(&layer.biases).enumerate() {
                let i = ids[l + 1][u];
                let s: f64 = row.iter().zip(prev).map(|(w, a)| w * a).sum::<f64>() + b;
                let symbols: Vec<String> = ids[l]
                    .iter()
                    .map(|&j| format!("{}·a_{j}", w(i, j)))
                    .collect();
                let values: Vec<String> = row
                    .iter()
                    .zip(prev)
                    .map(|(w, a)| format!("{}·{}", term(*w), term(*a)))
                    .collect();
                entries.push(Entry {
                    kind: Kind::Preactivation,
                    name: format!("s_{i}"),
                    formula: format!(
                        "{} + b_{i} = {} + {}",
                        symbols.join(" + "),
                        values.join(" + "),
                        term(*b)
                    ),
                    value: s,
                    autodiff: None,
                });
                let a = layer.activation.apply(s);
                entries.push(Entry {
                    kind: Kind::Activation,
                    name: format!("a_{i}"),
                    formula: format!(
                        "{}(s_{i}) = {}({})",
                        layer.activation.name(),
                        layer.activation.name(),
                        show(s)
                    ),
                    value: a,
                    autodiff: None,
                });
                s_values.push(s);
                a_values.push(a);
            }
            preactivations.push(s_values);
            activations.push(a_values);
        }
        let outputs = activations.last().expect("at least one layer").clone();
        let last_ids = ids.last().expect("at least one layer");
        let c = network.loss.factor(outputs.len());
        let loss: f64 = c * outputs
            .iter()
            .zip(label)
            .map(|(o, y)| (y - o).powi(2))
            .sum::<f64>();
        let terms: Vec<String> = outputs
            .iter()
            .zip(label)
            .map(|(o, y)| format!("({} − {})²", show(*y), term(*o)))
            .collect();
        entries.push(Entry {
            kind: Kind::Loss,
            name: "L".into(),
            formula: format!(
                "{} with ŷ = (a_{}) = {} · [{}]",
                network.loss.formula(),
                last_ids
                    .iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(", a_"),
                num(c),
                terms.join(" + ")
            ),
            value: loss,
            autodiff: None,
        });
        // Backward: deltas from the last layer down.
        let n = network.layers.len();
        let mut deltas: Vec<Vec<f64>> = vec![Vec::new(); n];
        for l in (0..n).rev() {
            let layer = &network.layers[l];
            let mut layer_deltas = Vec::new();
            for (u, &s) in preactivations[l].iter().enumerate() {
                let i = ids[l + 1][u];
                let f_prime = layer.activation.derivative(s);
                let f_formula = layer.activation.derivative_formula(&format!("s_{i}"));
                let (delta, formula) = if l == n - 1 {
                    let d_loss = 2.0 * c * (outputs[u] - label[u]);
                    (
                        d_loss * f_prime,
                        format!(
                            "∂L/∂a_{i} · {f_formula} = {}·(a_{i} − y_{}) · {} = {}·({} − {}) · {}",
                            num(2.0 * c),
                            u + 1,
                            f_formula,
                            num(2.0 * c),
                            show(outputs[u]),
                            term(label[u]),
                            term(f_prime)
                        ),
                    )
                } else {
                    let next = &network.layers[l + 1];
                    let back: f64 = next
                        .weights
                        .iter()
                        .zip(&deltas[l + 1])
                        .map(|(row, d)| row[u] * d)
                        .sum();
                    let symbols: Vec<String> = ids[l + 2]
                        .iter()
                        .map(|&k| format!("{}·δ_{k}", w(k, i)))
                        .collect();
                    let values: Vec<String> = next
                        .weights
                        .iter()
                        .zip(&deltas[l + 1])
                        .map(|(row, d)| format!("{}·{}", term(row[u]), term(*d)))
                        .collect();
                    (
                        f_prime * back,
                        format!(
                            "{f_formula} · ({}) = {} · ({})",
                            symbols.join(" + "),
                            term(f_prime),
                            values.join(" + ")
                        ),
                    )
                };
                entries.push(Entry {
                    kind: Kind::Delta,
                    name: format!("δ_{i}"),
                    formula: formula.replace("-", "−"),
                    value: delta,
                    autodiff: None,
                });
                layer_deltas.push(delta);
            }
            deltas[l] = layer_deltas;
        }
        // Weight gradients, layer by layer.
        for (l, layer_deltas) in deltas.iter().enumerate() {
            for (u, d) in layer_deltas.iter().enumerate() {
                let i = ids[l + 1][u];
                for (v, a) in activations[l].iter().enumerate() {
                    let j = ids[l][v];
                    entries.push(Entry {
                        kind: Kind::WeightGradient,
                        name: format!("∂L/∂{}", w(i, j)),
                        formula: format!("δ_{i}·a_{j} = {}·{}", term(*d), term(*a)),
                        value: d * a,
                        autodiff: None,
                    });
                }
            }
        }
        Ok(Self {
            entries,
            network: network.clone(),
            input: input.to_vec(),
            label: label.to_vec(),
        })
    }

    /// Recomputes every pre-activation, activation, the loss, every delta (as `∂L/∂bᵢ`) and
    /// every weight gradient with Burn's autodiff on `device` and records them beside the
    /// hand values.
    pub fn check_with_autodiff(&mut self, device: &Device) {
        let autodiff = device.clone().autodiff();
        let tensor2 = |rows: &[Vec<f64>]| {
            let cols = rows[0].len();
            let flat: Vec<f32> = rows.iter().flatten().map(|v| *v as f32).collect();
            Tensor::<2>::from_data(TensorData::new(flat, [rows.len(), cols]), &autodiff)
        };
        let mut leaves = Vec::new();
        let mut a = tensor2(std::slice::from_ref(&self.input));
        let mut forward = Vec::new();
        for layer in &self.network.layers {
            let w = tensor2(&layer.weights).require_grad();
            let b = tensor2(std::slice::from_ref(&layer.biases)).require_grad();
            let s = a.matmul(w.clone().transpose()) + b.clone();
            a = layer.activation.tensor(s.clone());
            forward.push((s.clone(), a.clone()));
            leaves.push((w, b));
        }
        let k = self.label.len();
        let y = tensor2(std::slice::from_ref(&self.label));
        let diff = a - y;
        let loss = (diff.clone() * diff)
            .sum()
            .mul_scalar(self.network.loss.factor(k));
        let values = |t: Tensor<2>| -> Vec<f64> {
            t.into_data()
                .iter::<f32>()
                .map(f64::from)
                .collect::<Vec<_>>()
        };
        let mut forward_values = Vec::new();
        for (s, a) in &forward {
            for (s, a) in values(s.clone()).into_iter().zip(values(a.clone())) {
                forward_values.push(s);
                forward_values.push(a);
            }
        }
        let loss_value: f32 = loss.clone().into_scalar();
        let grads = loss.backward();
        let mut deltas = Vec::new();
        let mut weight_grads = Vec::new();
        for (w, b) in &leaves {
            deltas.push(b.grad(&grads).map(values).unwrap_or_default());
            weight_grads.extend(w.grad(&grads).map(values).unwrap_or_default());
        }
        // Deltas were written from the last layer down.
        let deltas: Vec<f64> = deltas.into_iter().rev().flatten().collect();
        let mut fwd = forward_values.into_iter();
        let mut del = deltas.into_iter();
        let mut wg = weight_grads.into_iter();
        for e in &mut self.entries {
            e.autodiff = match e.kind {
                Kind::Input => None,
                Kind::Preactivation | Kind::Activation => fwd.next(),
                Kind::Loss => Some(f64::from(loss_value)),
                Kind::Delta => del.next(),
                Kind::WeightGradient => wg.next(),
            };
        }
    }

    /// Whether every checked value agrees with autodiff within [`AUTODIFF_TOLERANCE`]
    /// (absolute plus relative); `false` before [`check_with_autodiff`](Self::check_with_autodiff).
    pub fn agrees_with_autodiff(&self) -> bool {
        let checked: Vec<&Entry> = self
            .entries
            .iter()
            .filter(|e| e.kind != Kind::Input)
            .collect();
        !checked.is_empty() && checked.iter().all(|e| e.agrees())
    }

    /// Rows for a report table: quantity, formula, value, autodiff value.
    pub fn table_rows(&self) -> Vec<Vec<String>> {
        self.entries.iter().map(Entry::row).collect()
    }

    /// The worksheet as text, one section per pass.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let heading = |kind: Kind| match kind {
            Kind::Input => Some("Inputs"),
            Kind::Preactivation => Some("Forward pass"),
            Kind::Loss => Some("Loss"),
            Kind::Delta => Some("Backward pass: deltas δᵢ = ∂L/∂sᵢ"),
            Kind::WeightGradient => Some("Weight gradients ∂L/∂wᵢⱼ = δᵢ·aⱼ"),
            Kind::Activation => None,
        };
        let mut last: Option<Kind> = None;
        for e in &self.entries {
            let section = |k: Kind| {
                if k == Kind::Activation {
                    Kind::Preactivation
                } else {
                    k
                }
            };
            if last.map(section) != Some(section(e.kind))
                && let Some(h) = heading(e.kind)
            {
                out.push_str(&format!("{h}\n"));
            }
            last = Some(e.kind);
            let check = match e.autodiff {
                None => String::new(),
                Some(a) if e.agrees() => format!("   [autodiff {} ✓]", show(a)),
                Some(a) => format!("   [autodiff {} ✗ MISMATCH]", show(a)),
            };
            out.push_str(&format!(
                "  {} = {} = {}{check}\n",
                e.name,
                e.formula,
                show(e.value)
            ));
        }
        out
    }

    /// The worksheet as JSON (hand values, formulas and autodiff values).
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "input": self.input,
            "label": self.label,
            "agrees_with_autodiff": self.agrees_with_autodiff(),
            "entries": self.entries,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backprop::{example_worksheet, parse_network};

    fn device() -> Device {
        Device::flex()
    }

    fn value(sheet: &Worksheet, name: &str) -> f64 {
        sheet
            .entries
            .iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("no {name}"))
            .value
    }

    #[test]
    fn example_matches_the_worked_numbers_and_autodiff() {
        let sheet = example_worksheet(&device()).unwrap();
        // s_3 = 0.5·1 − 0.25·2 + 0.5, unit 4 is off, s_5 = −0.5 + 1.5.
        assert_eq!(value(&sheet, "s_3"), 0.5);
        assert_eq!(value(&sheet, "a_4"), 0.0);
        assert_eq!(value(&sheet, "a_5"), 1.0);
        assert_eq!(value(&sheet, "s_6"), -0.75);
        assert_eq!(value(&sheet, "L"), 0.5 * 1.75 * 1.75);
        assert_eq!(value(&sheet, "δ_6"), -1.75);
        assert_eq!(value(&sheet, "δ_3"), -1.75);
        assert_eq!(value(&sheet, "δ_4"), 0.0);
        assert_eq!(value(&sheet, "δ_5"), 2.625);
        assert_eq!(value(&sheet, "∂L/∂w_32"), -3.5);
        assert_eq!(value(&sheet, "∂L/∂w_65"), -1.75);
        assert!(sheet.agrees_with_autodiff(), "{}", sheet.to_text());
        let text = sheet.to_text();
        assert!(
            text.contains("s_3 = w_31·a_1 + w_32·a_2 + b_3 = 0.5·1 + (−0.25)·2 + 0.5 = 0.5"),
            "{text}"
        );
        assert!(
            text.contains("∂L/∂w_32 = δ_3·a_2 = (−1.75)·2 = −3.5"),
            "{text}"
        );
        // 2 inputs + 4 × (s, a) + L + 4 deltas + 6 + 3 weight gradients.
        assert_eq!(sheet.entries.len(), 2 + 8 + 1 + 4 + 9);
    }

    #[test]
    fn sigmoid_tanh_and_several_outputs_agree_with_autodiff() {
        let text = r#"{"loss": "mse", "input": [0.3, -1.2, 2.0], "label": [1, 0],
            "layers": [
              {"weights": [[0.1, 0.2, -0.3], [0.5, -0.4, 0.2]], "biases": [0.1, -0.2], "activation": "sigmoid"},
              {"weights": [[1.5, -0.7], [0.3, 0.9], [-1.1, 0.4]], "biases": [0, 0.1, 0.2], "activation": "tanh"},
              {"weights": [[0.6, -0.2, 0.8], [-0.5, 0.3, 0.1]], "biases": [0.05, -0.05], "activation": "identity"}
            ]}"#;
        let net = parse_network(text).unwrap();
        let mut sheet = Worksheet::compute(
            &net,
            &net.input.clone().unwrap(),
            &net.label.clone().unwrap(),
        )
        .unwrap();
        sheet.check_with_autodiff(&device());
        assert!(sheet.agrees_with_autodiff(), "{}", sheet.to_text());
        assert_eq!(
            sheet
                .entries
                .iter()
                .filter(|e| e.kind == Kind::WeightGradient)
                .count(),
            6 + 6 + 6
        );
    }

    #[test]
    fn input_and_label_are_optional_in_the_file_but_checked_when_worked() {
        let text = r#"{"loss": "squared_error", "layers": [{"weights": [[2, 3]], "biases": [1], "activation": "identity"}]}"#;
        let net = parse_network(text).unwrap();
        assert_eq!((net.inputs(), net.outputs()), (2, 1));
        assert!(net.input.is_none());
        let err = Worksheet::compute(&net, &[1.0], &[0.0]).unwrap_err();
        assert_eq!(err.field, "input");
        let sheet = Worksheet::compute(&net, &[1.0, 1.0], &[0.0]).unwrap();
        assert_eq!(value(&sheet, "L"), 36.0);
        assert_eq!(value(&sheet, "δ_3"), 12.0);
    }

    #[test]
    fn numbers_print_briefly() {
        assert_eq!(num(2.0), "2");
        assert_eq!(num(-0.25), "-0.25");
        assert_eq!(num(1.0 / 3.0), "0.333333");
        assert_eq!(term(-1.5), "(−1.5)");
    }
}
