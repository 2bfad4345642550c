//! The library crates a Burn project embeds package together: the README's `cargo package`
//! command names each of them and every workspace crate they depend on, and each carries the
//! metadata and README crates.io shows. (`cargo package` itself needs the crates.io index, so
//! this reads the same facts from `cargo metadata`, offline.) And, as ARCHITECTURE.md says,
//! the modules inside every crate depend one way.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
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

// ---------------------------------------------------------------------------
// Modules depend one way: inside every workspace crate, no top-level module reaches (through
// `crate::` paths, directly or through others) a module that reaches back to it.

/// The `.rs` files under `dir`, recursively.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
        let path = entry.path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The identifiers in `text`.
fn identifiers(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with(|c: char| c.is_alphabetic() || c == '_'))
}

/// The names a file reaches through `crate::`: `crate::name` and every name inside
/// `crate::{…}`. Comments are left out, and so is everything from the first `#[cfg(test)]`
/// on (the unit tests come last).
fn crate_paths(source: &str) -> BTreeSet<String> {
    let code: String = source
        .split("#[cfg(test)]")
        .next()
        .unwrap_or_default()
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut names = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let end = group
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '{' => 1,
                        '}' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .map_or(group.len(), |(i, _)| i);
            names.extend(identifiers(&group[..end]).map(String::from));
        } else if let Some(name) = identifiers(rest).next() {
            names.insert(name.to_string());
        }
    }
    names
}

/// Which module each name the crate root re-exports (`pub use module::{…}`) comes from.
fn reexports(lib: &str) -> BTreeMap<String, String> {
    let mut from = BTreeMap::new();
    for (at, _) in lib.match_indices("pub use ") {
        let rest = &lib[at + "pub use ".len()..];
        let Some((module, items)) = rest.split_once("::") else {
            continue;
        };
        let items = &items[..items.find(';').unwrap_or(items.len())];
        for name in identifiers(items) {
            from.insert(name.to_string(), module.trim().to_string());
        }
    }
    from
}

/// The one-way rule for the crate whose sources are in `src`: the pairs of top-level modules
/// that reach each other.
fn cycles(src: &Path) -> Vec<(String, String)> {
    let reexported = reexports(&std::fs::read_to_string(src.join("lib.rs")).unwrap());
    let mut files: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for file in rust_files(src) {
        let relative = file.strip_prefix(src).unwrap();
        let first = relative.components().next().unwrap().as_os_str();
        let module = first.to_string_lossy().trim_end_matches(".rs").to_string();
        if module != "lib" && module != "main" {
            files.entry(module).or_default().push(file);
        }
    }
    let mut uses: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (module, paths) in &files {
        let targets = uses.entry(module).or_default();
        for path in paths {
            for name in crate_paths(&std::fs::read_to_string(path).unwrap()) {
                let target = if files.contains_key(&name) {
                    Some(name)
                } else {
                    reexported.get(&name).cloned()
                };
                targets.extend(target.filter(|t| t != module));
            }
        }
    }
    let reaches = |from: &str, to: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_string()];
        while let Some(at) = stack.pop() {
            for next in uses.get(at.as_str()).into_iter().flatten() {
                if next == to {
                    return true;
                }
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        false
    };
    let mut pairs = Vec::new();
    for (module, targets) in &uses {
        for target in targets {
            if module < &target.as_str() && reaches(target, module) {
                pairs.push((module.to_string(), target.clone()));
            }
        }
    }
    pairs
}

#[test]
fn modules_depend_one_way_in_every_crate() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&crates).unwrap().map(Result::unwrap) {
        let src = entry.path().join("src");
        if src.join("lib.rs").is_file() {
            for (a, b) in cycles(&src) {
                found.push(format!(
                    "{}: {a} ⇄ {b}",
                    entry.file_name().to_string_lossy()
                ));
            }
        }
    }
    assert!(found.is_empty(), "modules that reach each other: {found:?}");
}

#[test]
fn a_cycle_is_found() {
    let dir = std::env::temp_dir().join(format!("unfold-layering-{}", std::process::id()));
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("b")).unwrap();
    std::fs::write(src.join("lib.rs"), "mod a;\nmod b;\npub use b::{Thing};\n").unwrap();
    std::fs::write(src.join("a.rs"), "use crate::Thing;\n").unwrap();
    std::fs::write(src.join("b.rs"), "mod inner;\n").unwrap();
    std::fs::write(src.join("b/inner.rs"), "use crate::{a::{f}};\n").unwrap();
    assert_eq!(cycles(&src), [("a".to_string(), "b".to_string())]);
    // A reference in a comment or a unit test does not count.
    std::fs::write(
        src.join("b/inner.rs"),
        "// crate::a\n#[cfg(test)]\nmod tests { use crate::a; }\n",
    )
    .unwrap();
    assert!(cycles(&src).is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}
