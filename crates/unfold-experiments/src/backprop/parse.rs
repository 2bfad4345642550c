//! Reading a network file: every field checked, errors naming the field.

use serde_json::Value;

use super::{Activation, Layer, LossKind, MAX_LAYERS, MAX_UNITS, Network, NetworkError, error};

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
                if l == 0 {
                    // Nothing says how many inputs there are: which row is wrong is not known.
                    return Err(error(
                        &w_field,
                        format!(
                            "rows differ in length: row 0 has {expected} and row {i} has {} \
                             numbers (each row holds one weight per input)",
                            row.len()
                        ),
                    ));
                }
                return Err(error(
                    row_field,
                    format!(
                        "expected one weight per unit of layers[{}] ({expected}), found {} numbers",
                        l - 1,
                        row.len()
                    ),
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

pub(super) fn check_len(
    field: &str,
    values: &[f64],
    expected: usize,
    what: &str,
) -> Result<(), NetworkError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backprop::{EXAMPLE_NETWORK, Worksheet};

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
                "layers[0].weights",
                "row 0 has 1 and row 1 has 2 numbers",
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
}
