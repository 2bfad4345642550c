//! The oracle of the `network_json` fuzz target, shared with the stable regression test
//! `crates/unfold-experiments/tests/network_fuzz_regressions.rs` (which includes this file by
//! path).
//!
//! Any bytes (as UTF-8, invalid sequences replaced) go to [`parse_network`]. A rejected file
//! must give an error naming a field; an accepted one must pass [`Network::check_shapes`],
//! respect the documented limits, survive a JSON round trip, and be worked by
//! [`Worksheet::compute`] into a complete worksheet (for networks of at most
//! [`MAX_WORKSHEET_WEIGHTS`] weights, to keep each run fast).

use std::collections::HashSet;

use serde_json::{Map, Value};
use unfold_experiments::backprop::{
    Kind, MAX_LAYERS, MAX_UNITS, Network, Worksheet, parse_network,
};

/// Accepted networks with more weights than this are not worked into a worksheet.
pub const MAX_WORKSHEET_WEIGHTS: usize = 4096;

/// What [`check`] found: whether the file was accepted and whether it was worked through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// `parse_network` accepted the file.
    pub accepted: bool,
    /// A worksheet was computed for it.
    pub worked: bool,
}

/// Checks the network reader (and worksheet) on `data`; panics on any broken property.
pub fn check(data: &[u8]) -> Outcome {
    let text = String::from_utf8_lossy(data);
    let network = match parse_network(&text) {
        Ok(network) => network,
        Err(e) => {
            assert!(!e.field.is_empty(), "error without a field: {e:?}");
            assert!(!e.message.is_empty(), "error without a message: {e:?}");
            return Outcome {
                accepted: false,
                worked: false,
            };
        }
    };
    network
        .check_shapes()
        .expect("parse_network accepted a network that check_shapes rejects");
    check_limits(&network);
    check_round_trip(&network);
    let weights: usize = network
        .layers
        .iter()
        .map(|l| l.weights.len() * layer_width(l))
        .sum();
    let worked = weights <= MAX_WORKSHEET_WEIGHTS;
    if worked {
        check_worksheet(&network, weights);
    }
    Outcome {
        accepted: true,
        worked,
    }
}

fn layer_width(layer: &unfold_experiments::backprop::Layer) -> usize {
    layer.weights.first().map_or(0, Vec::len)
}

/// The limits `parse_network` documents: layer and unit counts, finite numbers, and an input
/// and label of the network's widths.
fn check_limits(network: &Network) {
    assert!((1..=MAX_LAYERS).contains(&network.layers.len()));
    assert!((1..=MAX_UNITS).contains(&network.inputs()));
    for layer in &network.layers {
        assert!((1..=MAX_UNITS).contains(&layer.biases.len()));
        let numbers = layer.weights.iter().flatten().chain(&layer.biases);
        assert!(
            numbers.into_iter().all(|x| x.is_finite()),
            "non-finite parameter"
        );
    }
    if let Some(input) = &network.input {
        assert_eq!(input.len(), network.inputs());
        assert!(input.iter().all(|x| x.is_finite()));
    }
    if let Some(label) = &network.label {
        assert_eq!(label.len(), network.outputs());
        assert!(label.iter().all(|x| x.is_finite()));
    }
}

/// The network written back as JSON in the documented format reads back as the same network
/// (numbers equal up to the last bits of JSON float parsing).
fn check_round_trip(network: &Network) {
    let mut root = Map::new();
    let value = |v: serde_json::Result<Value>| v.expect("a network serializes");
    root.insert("loss".into(), value(serde_json::to_value(network.loss)));
    root.insert(
        "layers".into(),
        value(serde_json::to_value(&network.layers)),
    );
    if let Some(input) = &network.input {
        root.insert("input".into(), value(serde_json::to_value(input)));
    }
    if let Some(label) = &network.label {
        root.insert("label".into(), value(serde_json::to_value(label)));
    }
    let text = Value::Object(root).to_string();
    let again = parse_network(&text)
        .unwrap_or_else(|e| panic!("an accepted network written back is rejected: {e}\n{text}"));
    assert_eq!(again.loss, network.loss);
    assert_eq!(again.layers.len(), network.layers.len());
    for (a, b) in again.layers.iter().zip(&network.layers) {
        assert_eq!(a.activation, b.activation);
        assert_eq!(a.weights.len(), b.weights.len());
        for (x, y) in a.weights.iter().zip(&b.weights) {
            assert_close(x, y);
        }
        assert_close(&a.biases, &b.biases);
    }
    for (x, y) in [
        (&again.input, &network.input),
        (&again.label, &network.label),
    ] {
        assert_eq!(x.is_some(), y.is_some());
        if let (Some(x), Some(y)) = (x, y) {
            assert_close(x, y);
        }
    }
}

fn assert_close(a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len());
    for (&x, &y) in a.iter().zip(b) {
        let scale = x.abs().max(y.abs()).max(f64::MIN_POSITIVE);
        assert!(
            x == y || (x - y).abs() <= 1e-12 * scale,
            "{x} became {y} on a round trip"
        );
    }
}

/// Works the network (on its own input and label, or ones and zeros) and checks that the
/// worksheet is complete: every input, pre-activation, activation, the loss, every delta and
/// every weight gradient, in that order, with distinct names, each gradient `δᵢ·aⱼ`.
fn check_worksheet(network: &Network, weights: usize) {
    let input = network
        .input
        .clone()
        .unwrap_or_else(|| vec![1.0; network.inputs()]);
    let label = network
        .label
        .clone()
        .unwrap_or_else(|| vec![0.0; network.outputs()]);
    let sheet = Worksheet::compute(network, &input, &label)
        .expect("compute rejects a network parse_network accepted");
    let units: usize = network.layers.iter().map(|l| l.biases.len()).sum();
    let mut expected = vec![Kind::Input; input.len()];
    expected.extend([Kind::Preactivation, Kind::Activation].repeat(units));
    expected.push(Kind::Loss);
    expected.extend(vec![Kind::Delta; units]);
    expected.extend(vec![Kind::WeightGradient; weights]);
    let kinds: Vec<Kind> = sheet.entries.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, expected, "worksheet lines missing or out of order");

    let mut names = HashSet::new();
    for e in &sheet.entries {
        assert!(names.insert(e.name.as_str()), "two lines named {}", e.name);
        assert!(!e.formula.is_empty(), "{} has no formula", e.name);
    }
    let loss = sheet.entries.iter().find(|e| e.kind == Kind::Loss).unwrap();
    // A sum of squares times a positive factor: never negative (NaN when values overflowed).
    assert!(
        loss.value >= 0.0 || loss.value.is_nan(),
        "negative loss {}",
        loss.value
    );

    // Each gradient ∂L/∂wᵢⱼ is δᵢ·aⱼ: deltas are listed last layer first, activations (the
    // inputs, then every layer's) first layer first.
    let values = |kind: Kind| -> Vec<f64> {
        sheet
            .entries
            .iter()
            .filter(|e| e.kind == kind)
            .map(|e| e.value)
            .collect()
    };
    let deltas = values(Kind::Delta);
    let mut activations = values(Kind::Input);
    activations.extend(values(Kind::Activation));
    let gradients = values(Kind::WeightGradient);
    let (mut g, mut a_start, mut d_end) = (0, 0, deltas.len());
    for layer in &network.layers {
        let (rows, width) = (layer.biases.len(), layer_width(layer));
        let layer_deltas = &deltas[d_end - rows..d_end];
        for &d in layer_deltas {
            for &a in &activations[a_start..a_start + width] {
                let got = gradients[g];
                assert!(
                    got.to_bits() == (d * a).to_bits() || (got.is_nan() && (d * a).is_nan()),
                    "gradient {g} is {got}, not δ·a = {d}·{a}"
                );
                g += 1;
            }
        }
        a_start += width;
        d_end -= rows;
    }
    assert_eq!(g, gradients.len());

    assert_eq!(sheet.table_rows().len(), sheet.entries.len());
    let text = sheet.to_text();
    assert!(sheet.entries.iter().all(|e| text.contains(&e.name)));
    assert_eq!(
        sheet.to_json()["entries"].as_array().map(Vec::len),
        Some(sheet.entries.len())
    );
}
