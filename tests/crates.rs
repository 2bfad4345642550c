//! The library crates a Burn project embeds package together: the README's `cargo package`
//! command names each of them and every workspace crate they depend on, and each carries the
//! metadata and README crates.io shows. (`cargo package` itself needs the crates.io index, so
//! this reads the same facts from `cargo metadata`, offline.)

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// The crates named by the README's `cargo package --no-verify -p … -p …` command.
fn crates_in_the_readme_command() -> BTreeSet<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let flat = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    let start = flat
        .find("cargo package --no-verify")
        .expect("the README shows how the crates package");
    let command = &flat[start
        ..flat[start..]
            .find('`')
            .map_or(flat.len(), |end| start + end)];
    let words: Vec<&str> = command.split(' ').collect();
    words
        .windows(2)
        .filter(|pair| pair[0] == "-p")
        .map(|pair| pair[1].to_string())
        .collect()
}

fn workspace_metadata() -> serde_json::Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_embeddable_crates_package_together_with_their_metadata_and_readmes() {
    let listed = crates_in_the_readme_command();
    let metadata = workspace_metadata();
    let packages = metadata["packages"].as_array().unwrap();
    let workspace: BTreeSet<&str> = packages
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    let package = |name: &str| {
        packages
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} is not a workspace crate"))
    };
    // The crates the example project uses, as a project outside this repository would.
    for dependency in package("spiral-classifier")["dependencies"]
        .as_array()
        .unwrap()
    {
        let name = dependency["name"].as_str().unwrap();
        if workspace.contains(name) {
            assert!(
                listed.contains(name),
                "the example depends on {name}: add it to the README's cargo package command"
            );
        }
    }
    for name in &listed {
        let p = package(name);
        for field in ["description", "license", "readme", "rust_version"] {
            assert!(
                p[field].as_str().is_some_and(|v| !v.is_empty()),
                "{name} has no {field}"
            );
        }
        for field in ["keywords", "categories"] {
            assert!(
                p[field].as_array().is_some_and(|v| !v.is_empty()),
                "{name} has no {field}"
            );
        }
        let dir = Path::new(p["manifest_path"].as_str().unwrap())
            .parent()
            .unwrap();
        assert!(dir.join("README.md").is_file(), "{name} has no README.md");
        let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
        assert!(
            lib.contains("include_str!(\"../README.md\")"),
            "{name}'s crate docs are not its README"
        );
        // A published crate can only depend on published crates: each workspace crate it needs
        // (not for its tests) is packaged with it.
        for dependency in p["dependencies"].as_array().unwrap() {
            let dep = dependency["name"].as_str().unwrap();
            if workspace.contains(dep) && dependency["kind"] != "dev" {
                assert!(
                    listed.contains(dep),
                    "{name} depends on {dep}: add it to the README's cargo package command"
                );
            }
        }
    }
}
