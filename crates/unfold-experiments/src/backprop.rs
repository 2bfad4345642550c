//! Notebook 004, task 2: a backpropagation worksheet for any small fully connected network.
//!
//! The notebook's network picture is missing, so the network comes as JSON ([`parse_network`]):
//!
//! ```json
//! {
//!   "input": [1.0, 2.0],
//!   "label": 1.0,
//!   "loss": "half_squared_error",
//!   "layers": [
//!     { "weights": [[0.5, -0.25], [1.0, -1.0], [-0.5, 0.75]], "biases": [0.5, 0.0, 0.0],
//!       "activation": "relu" },
//!     { "weights": [[1.0, 0.5, -1.5]], "biases": [0.25], "activation": "identity" }
//!   ]
//! }
//! ```
//!
//! `weights[i][j]` is the weight from unit `j` of the previous layer into unit `i` of this one
//! (`W` of `s = W·a + b`). Units are numbered as in the lecture: the inputs `1 … n₀`, then every
//! layer's units after them, so the example's hidden units are 3, 4, 5 and its output is 6.
//! [`Worksheet::compute`] writes out every pre-activation `sᵢ`, activation `aᵢ`, the loss,
//! every delta `δᵢ = ∂L/∂sᵢ` and every `∂L/∂wᵢⱼ`, each with its formula and value, in `f64`;
//! [`Worksheet::check_with_autodiff`] recomputes them with Burn's autodiff (deltas are the
//! gradients of the biases, `∂L/∂bᵢ = δᵢ`).

use std::fmt;

use burn::tensor::{Device, Tensor, TensorData, activation};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The example network shipped in `assets/backprop-example.json`.
pub const EXAMPLE_NETWORK: &str = include_str!("../../../assets/backprop-example.json");

/// At most this many layers.
pub const MAX_LAYERS: usize = 16;
/// At most this many units per layer (inputs included).
pub const MAX_UNITS: usize = 64;

/// What is wrong with a network file: which field, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkError {
    /// The field, as a path (`layers[1].weights[0][2]`), or `(document)`.
    pub field: String,
    /// What was expected and what was found.
    pub message: String,
}

impl fmt::Display for NetworkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for NetworkError {}

fn error(field: impl Into<String>, message: impl Into<String>) -> NetworkError {
    NetworkError {
        field: field.into(),
        message: message.into(),
    }
}

/// An activation function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// `f(s) = s`.
    Identity,
    /// `f(s) = max(0, s)` (derivative 0 at 0, like PyTorch and Burn).
    Relu,
    /// `f(s) = 1 / (1 + e^−s)`.
    Sigmoid,
    /// `f(s) = tanh(s)`.
    Tanh,
}

impl Activation {
    const NAMES: [(&'static str, Activation); 4] = [
        ("identity", Activation::Identity),
        ("relu", Activation::Relu),
        ("sigmoid", Activation::Sigmoid),
        ("tanh", Activation::Tanh),
    ];

    fn apply(self, s: f64) -> f64 {
        match self {
            Activation::Identity => s,
            Activation::Relu => s.max(0.0),
            Activation::Sigmoid => 1.0 / (1.0 + (-s).exp()),
            Activation::Tanh => s.tanh(),
        }
    }

    fn derivative(self, s: f64) -> f64 {
        match self {
            Activation::Identity => 1.0,
            Activation::Relu => f64::from(u8::from(s > 0.0)),
            Activation::Sigmoid => {
                let a = self.apply(s);
                a * (1.0 - a)
            }
            Activation::Tanh => 1.0 - s.tanh().powi(2),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Activation::Identity => "id",
            Activation::Relu => "ReLU",
            Activation::Sigmoid => "σ",
            Activation::Tanh => "tanh",
        }
    }

    fn derivative_formula(self, s: &str) -> String {
        match self {
            Activation::Identity => "1".into(),
            Activation::Relu => format!("[{s} > 0]"),
            Activation::Sigmoid => format!("σ({s})(1 − σ({s}))"),
            Activation::Tanh => format!("(1 − tanh²({s}))"),
        }
    }

    fn tensor(self, s: Tensor<2>) -> Tensor<2> {
        match self {
            Activation::Identity => s,
            Activation::Relu => activation::relu(s),
            Activation::Sigmoid => activation::sigmoid(s),
            Activation::Tanh => activation::tanh(s),
        }
    }
}

/// The loss between the outputs `ŷ` and the label `y`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossKind {
    /// `½ Σₖ (yₖ − ŷₖ)²` (notebook 004).
    HalfSquaredError,
    /// `Σₖ (yₖ − ŷₖ)²`.
    SquaredError,
    /// `(1/K) Σₖ (yₖ − ŷₖ)²` (PyTorch's `MSELoss`).
    Mse,
}

impl LossKind {
    const NAMES: [(&'static str, LossKind); 3] = [
        ("half_squared_error", LossKind::HalfSquaredError),
        ("squared_error", LossKind::SquaredError),
        ("mse", LossKind::Mse),
    ];

    /// The factor `c` of `L = c · Σₖ (yₖ − ŷₖ)²` for `k` outputs.
    fn factor(self, k: usize) -> f64 {
        match self {
            LossKind::HalfSquaredError => 0.5,
            LossKind::SquaredError => 1.0,
            LossKind::Mse => 1.0 / k as f64,
        }
    }

    fn formula(self) -> &'static str {
        match self {
            LossKind::HalfSquaredError => "½ Σₖ (yₖ − ŷₖ)²",
            LossKind::SquaredError => "Σₖ (yₖ − ŷₖ)²",
            LossKind::Mse => "(1/K) Σₖ (yₖ − ŷₖ)²",
        }
    }
}

/// One fully connected layer: `s = W·a + b`, `a' = f(s)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Layer {
    /// `weights[i][j]`: from unit `j` of the previous layer into unit `i` of this one.
    pub weights: Vec<Vec<f64>>,
    /// One bias per unit.
    pub biases: Vec<f64>,
    /// The activation of every unit.
    pub activation: Activation,
}

/// A small network with, optionally, the input and label to work it on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Network {
    /// The layers, first to last.
    pub layers: Vec<Layer>,
    /// The loss.
    pub loss: LossKind,
    /// The input, if the file gives one.
    pub input: Option<Vec<f64>>,
    /// The label (one value per output), if the file gives one.
    pub label: Option<Vec<f64>>,
}

impl Network {
    /// Number of inputs.
    pub fn inputs(&self) -> usize {
        self.layers
            .first()
            .and_then(|l| l.weights.first())
            .map_or(0, Vec::len)
    }

    /// Number of outputs.
    pub fn outputs(&self) -> usize {
        self.layers.last().map_or(0, |l| l.biases.len())
    }

    /// Checks the shapes (what [`parse_network`] guarantees, for networks built in code): at
    /// least one layer, every layer with at least one unit, one bias per weight row, and rows
    /// as long as the previous layer is wide.
    pub fn check_shapes(&self) -> Result<(), NetworkError> {
        if self.layers.is_empty() {
            return Err(error("layers", "expected at least one layer"));
        }
        let mut width = self.inputs();
        if width == 0 {
            return Err(error("layers[0].weights", "expected at least one input"));
        }
        for (l, layer) in self.layers.iter().enumerate() {
            if layer.weights.is_empty() || layer.weights.len() != layer.biases.len() {
                return Err(error(
                    format!("layers[{l}]"),
                    format!(
                        "expected as many biases as weight rows (at least 1), found {} rows and {} biases",
                        layer.weights.len(),
                        layer.biases.len()
                    ),
                ));
            }
            if let Some(i) = layer.weights.iter().position(|row| row.len() != width) {
                return Err(error(
                    format!("layers[{l}].weights[{i}]"),
                    format!("expected {width} weights"),
                ));
            }
            width = layer.biases.len();
        }
        Ok(())
    }
}

fn number(v: &Value, field: &str) -> Result<f64, NetworkError> {
    v.as_f64()
        .filter(|x| x.is_finite())
        .ok_or_else(|| error(field, format!("expected a number, found {}", describe(v))))
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => {
            let short: String = s.chars().take(40).collect();
            format!("the string \"{short}\"")
        }
        Value::Array(a) => format!("an array of {} values", a.len()),
        Value::Object(_) => "an object".into(),
    }
}

fn numbers(v: &Value, field: &str, max: usize) -> Result<Vec<f64>, NetworkError> {
    let items = v.as_array().ok_or_else(|| {
        error(
            field,
            format!("expected an array of numbers, found {}", describe(v)),
        )
    })?;
    if items.is_empty() || items.len() > max {
        return Err(error(
            field,
            format!("expected 1 to {max} numbers, found {}", items.len()),
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, x)| number(x, &format!("{field}[{i}]")))
        .collect()
}

/// A number or an array of numbers (`"label": 1` or `"label": [1, 0]`).
fn number_or_numbers(v: &Value, field: &str) -> Result<Vec<f64>, NetworkError> {
    if v.is_number() {
        Ok(vec![number(v, field)?])
    } else {
        numbers(v, field, MAX_UNITS)
    }
}

fn keyword<T: Copy>(v: &Value, field: &str, names: &[(&str, T)]) -> Result<T, NetworkError> {
    let expected = names
        .iter()
        .map(|(n, _)| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let s = v.as_str().ok_or_else(|| {
        error(
            field,
            format!("expected one of {expected}, found {}", describe(v)),
        )
    })?;
    names
        .iter()
        .find(|(n, _)| *n == s.to_ascii_lowercase())
        .map(|(_, k)| *k)
        .ok_or_else(|| error(field, format!("expected one of {expected}, found \"{s}\"")))
}

fn object<'a>(
    v: &'a Value,
    field: &str,
    allowed: &[&str],
) -> Result<&'a serde_json::Map<String, Value>, NetworkError> {
    let map = v
        .as_object()
        .ok_or_else(|| error(field, format!("expected an object, found {}", describe(v))))?;
    if let Some(unknown) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
        let short: String = unknown.chars().take(40).collect();
        return Err(error(
            field,
            format!(
                "unknown field \"{short}\"; expected only {}",
                allowed.join(", ")
            ),
        ));
    }
    Ok(map)
}

fn required<'a>(
    map: &'a serde_json::Map<String, Value>,
    field: &str,
    key: &str,
) -> Result<&'a Value, NetworkError> {
    map.get(key).ok_or_else(|| {
        let at = if field == "(document)" {
            key.to_string()
        } else {
            format!("{field}.{key}")
        };
        error(at, "missing")
    })
}

/// Parses and checks a network file: every field present with the right type, every layer's
/// weights a full matrix whose rows are as long as the previous layer is wide, one bias per
/// unit, at most [`MAX_LAYERS`] layers of [`MAX_UNITS`] units, finite numbers, and an input
/// and label (if given) of the right lengths. Errors name the field and say what was expected.
pub fn parse_network(text: &str) -> Result<Network, NetworkError> {
    let doc: Value = serde_json::from_str(text)
        .map_err(|e| error("(document)", format!("not valid JSON: {e}")))?;
    let root = object(
        &doc,
        "(document)",
        &["description", "input", "label", "loss", "layers"],
    )?;
    if let Some(d) = root.get("description")
        && !d.is_string()
    {
        return Err(error(
            "description",
            format!("expected a string, found {}", describe(d)),
        ));
    }
    let loss = keyword(
        required(root, "(document)", "loss")?,
        "loss",
        &LossKind::NAMES,
    )?;
    let layers_value = required(root, "(document)", "layers")?;
    let items = layers_value.as_array().ok_or_else(|| {
        error(
            "layers",
            format!(
                "expected an array of layers, found {}",
                describe(layers_value)
            ),
        )
    })?;
    if items.is_empty() || items.len() > MAX_LAYERS {
        return Err(error(
            "layers",
            format!("expected 1 to {MAX_LAYERS} layers, found {}", items.len()),
        ));
    }
    let mut layers = Vec::with_capacity(items.len());
    let mut width: Option<usize> = None;
    for (l, item) in items.iter().enumerate() {
        let at = format!("layers[{l}]");
        let map = object(item, &at, &["weights", "biases", "activation"])?;
        let w_field = format!("{at}.weights");
        let w_value = required(map, &at, "weights")?;
        let rows = w_value.as_array().ok_or_else(|| {
            error(
                &w_field,
                format!(
                    "expected an array of rows (one per unit), found {}",
                    describe(w_value)
                ),
            )
        })?;
        if rows.is_empty() || rows.len() > MAX_UNITS {
            return Err(error(
                &w_field,
                format!(
                    "expected 1 to {MAX_UNITS} rows (one per unit), found {}",
                    rows.len()
                ),
            ));
        }
        let mut weights = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            let row_field = format!("{w_field}[{i}]");
            let row = numbers(row, &row_field, MAX_UNITS)?;
            let expected = width.unwrap_or(row.len());
            if row.len() != expected {
                let what = if l == 0 {
                    format!("as long as row 0 ({expected} inputs)")
                } else {
                    format!("one weight per unit of layers[{}] ({expected})", l - 1)
                };
                return Err(error(
                    row_field,
                    format!("expected {what}, found {} numbers", row.len()),
                ));
            }
            width = Some(expected);
            weights.push(row);
        }
        let units = weights.len();
        let b_field = format!("{at}.biases");
        let biases = numbers(required(map, &at, "biases")?, &b_field, MAX_UNITS)?;
        if biases.len() != units {
            return Err(error(
                b_field,
                format!(
                    "expected one bias per unit ({units}, the rows of weights), found {}",
                    biases.len()
                ),
            ));
        }
        let activation = keyword(
            required(map, &at, "activation")?,
            &format!("{at}.activation"),
            &Activation::NAMES,
        )?;
        layers.push(Layer {
            weights,
            biases,
            activation,
        });
        width = Some(units);
    }
    let mut network = Network {
        layers,
        loss,
        input: None,
        label: None,
    };
    if let Some(v) = root.get("input") {
        let input = numbers(v, "input", MAX_UNITS)?;
        check_len("input", &input, network.inputs(), "inputs")?;
        network.input = Some(input);
    }
    if let Some(v) = root.get("label") {
        let label = number_or_numbers(v, "label")?;
        check_len("label", &label, network.outputs(), "outputs")?;
        network.label = Some(label);
    }
    Ok(network)
}

fn check_len(field: &str, values: &[f64], expected: usize, what: &str) -> Result<(), NetworkError> {
    if values.len() == expected {
        Ok(())
    } else {
        Err(error(
            field,
            format!(
                "expected {expected} values (the network has {expected} {what}), found {}",
                values.len()
            ),
        ))
    }
}

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
        !checked.is_empty() && checked.iter().all(|e| Self::agrees(e))
    }

    fn agrees(e: &Entry) -> bool {
        e.autodiff
            .is_some_and(|a| (a - e.value).abs() <= AUTODIFF_TOLERANCE * (1.0 + e.value.abs()))
    }

    /// Rows for a report table: quantity, formula, value, autodiff value.
    pub fn table_rows(&self) -> Vec<Vec<String>> {
        self.entries
            .iter()
            .map(|e| {
                vec![
                    e.name.clone(),
                    e.formula.clone(),
                    show(e.value),
                    match e.autodiff {
                        None => "—".into(),
                        Some(a) if Self::agrees(e) => format!("{} ✓", show(a)),
                        Some(a) => format!("{} ✗", show(a)),
                    },
                ]
            })
            .collect()
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
                Some(a) if Self::agrees(e) => format!("   [autodiff {} ✓]", show(a)),
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

/// The worksheet of the shipped example network, checked with autodiff on `device`.
pub fn example_worksheet(device: &Device) -> anyhow::Result<Worksheet> {
    let network = parse_network(EXAMPLE_NETWORK)
        .map_err(|e| anyhow::anyhow!("assets/backprop-example.json: {e}"))?;
    let (Some(input), Some(label)) = (network.input.clone(), network.label.clone()) else {
        anyhow::bail!("assets/backprop-example.json has no input or label");
    };
    let mut sheet = Worksheet::compute(&network, &input, &label)?;
    sheet.check_with_autodiff(device);
    Ok(sheet)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(deprecated)]
    fn device() -> Device {
        Device::ndarray()
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
    fn malformed_files_name_the_field_and_the_expectation() {
        let good = EXAMPLE_NETWORK;
        let cases: Vec<(String, &str, &str)> = vec![
            ("{".into(), "(document)", "not valid JSON"),
            ("[1, 2]".into(), "(document)", "expected an object"),
            (
                good.replace("\"loss\"", "\"los\""),
                "(document)",
                "unknown field \"los\"",
            ),
            (
                good.replace("half_squared_error", "cross_entropy"),
                "loss",
                "expected one of",
            ),
            (
                good.replace("\"relu\"", "\"gelu\""),
                "layers[0].activation",
                "\"gelu\"",
            ),
            (
                good.replace("[0.5, -0.25]", "[0.5]"),
                "layers[0].weights[1]",
                "as long as row 0 (1 inputs), found 2 numbers",
            ),
            (
                good.replace("[1.0, 0.5, -1.5]", "[1.0, 0.5]"),
                "layers[1].weights[0]",
                "one weight per unit of layers[0] (3)",
            ),
            (
                good.replace("[0.5, 0.0, 0.0]", "[0.5, 0.0]"),
                "layers[0].biases",
                "one bias per unit (3",
            ),
            (
                good.replace("[0.25]", "\"x\""),
                "layers[1].biases",
                "the string \"x\"",
            ),
            (
                good.replace("[1.0, 2.0]", "[1.0, 2.0, 3.0]"),
                "input",
                "2 inputs",
            ),
            (
                good.replace("\"label\": 1.0", "\"label\": [1, 2]"),
                "label",
                "1 outputs",
            ),
            (
                good.replace("\"biases\": [0.25],", ""),
                "layers[1].biases",
                "missing",
            ),
            (
                good.replace("-0.25", "true"),
                "layers[0].weights[0][1]",
                "the boolean true",
            ),
        ];
        for (text, field, expected) in cases {
            let err = parse_network(&text).unwrap_err();
            assert_eq!(err.field, field, "{err}");
            assert!(err.to_string().contains(expected), "{err}");
        }
        let no_layers = r#"{"loss": "mse", "layers": []}"#;
        assert!(
            parse_network(no_layers)
                .unwrap_err()
                .message
                .contains("1 to 16 layers")
        );
        let huge = format!(
            r#"{{"loss": "mse", "layers": [{{"weights": [[{}]], "biases": [0], "activation": "relu"}}]}}"#,
            vec!["1"; 65].join(",")
        );
        assert!(
            parse_network(&huge)
                .unwrap_err()
                .message
                .contains("1 to 64")
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
    fn mangled_files_never_panic() {
        // What a fuzzer would try first: every truncation and single-character change.
        let text = EXAMPLE_NETWORK;
        let mut variants: Vec<String> = (0..text.len())
            .filter(|&i| text.is_char_boundary(i))
            .map(|i| text[..i].to_string())
            .collect();
        for (i, _) in text.char_indices() {
            for c in ['0', '9', '-', '"', '[', ']', '{', ',', 'e', ' '] {
                let mut v = text.to_string();
                v.replace_range(
                    i..i + text[i..].chars().next().map_or(1, char::len_utf8),
                    &c.to_string(),
                );
                variants.push(v);
            }
        }
        let mut parsed = 0;
        for v in &variants {
            if let Ok(net) = parse_network(v) {
                parsed += 1;
                if let (Some(input), Some(label)) = (&net.input, &net.label) {
                    let sheet = Worksheet::compute(&net, input, label).unwrap();
                    let _ = sheet.to_text();
                }
            }
        }
        assert!(parsed > 0 && parsed < variants.len());
        let empty = Network {
            layers: vec![],
            loss: LossKind::Mse,
            input: None,
            label: None,
        };
        assert!(Worksheet::compute(&empty, &[], &[]).is_err());
    }

    #[test]
    fn numbers_print_briefly() {
        assert_eq!(num(2.0), "2");
        assert_eq!(num(-0.25), "-0.25");
        assert_eq!(num(1.0 / 3.0), "0.333333");
        assert_eq!(term(-1.5), "(−1.5)");
    }
}
