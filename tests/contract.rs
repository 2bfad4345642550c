//! The results contract, for every experiment the registry lists: one quick `reproduce-all`
//! writes each experiment's `metrics.json` (with its effective configuration), figures as PNG
//! and SVG, and `report.md`; `unfold report` rebuilds every report and the page byte for byte
//! from those files alone; and every configuration is fully described by `unfold config`.

mod common;

use std::path::Path;

use common::{TempDir, real_data_dir, unfold, write_fixture};
use unfold::data::DatasetKind;
use unfold::experiments::{EXPERIMENTS, Profile};

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_experiment_keeps_the_results_contract_and_its_reports_rebuild_from_results() {
    let tmp = TempDir::new("contract");
    let out = tmp.path().join("results");
    // The dataset experiments read the real MNIST and Fashion-MNIST where `.ci/run` provides
    // them, else a small learnable stand-in of the same format.
    let data = real_data_dir().unwrap_or_else(|| {
        let dir = tmp.path().join("data");
        write_fixture(&dir, DatasetKind::Mnist, 3200, 1000);
        write_fixture(&dir, DatasetKind::FashionMnist, 6400, 1000);
        dir
    });
    // On `ndarray`, the CPU backend Burn 0.22 deprecates but unfold still ships: every
    // experiment runs on it here, while the other tests use `flex`.
    let o = unfold(&[
        "reproduce-all",
        "--backend",
        "ndarray",
        "--profile",
        "quick",
        "--data-dir",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );

    let manifest: serde_json::Value =
        serde_json::from_slice(&read(&out.join("manifest.json"))).unwrap();
    assert_eq!(manifest["backend"], "ndarray");
    assert_eq!(manifest["profile"], "quick");
    let listed = manifest["experiments"].as_array().unwrap();
    assert_eq!(
        listed.len(),
        EXPERIMENTS.len(),
        "every registered experiment ran"
    );

    for experiment in EXPERIMENTS {
        let info = experiment.info();
        let dir = out.join(info.name);
        let metrics: serde_json::Value =
            serde_json::from_slice(&read(&dir.join("metrics.json"))).unwrap();
        for key in [
            "experiment",
            "status",
            "backend",
            "device",
            "profile",
            "seed",
            "wall_seconds",
            "manifest",
            "config",
            "changed",
            "runs",
            "figures",
        ] {
            assert!(
                metrics.get(key).is_some(),
                "{}: metrics.json lacks {key}",
                info.name
            );
        }
        assert_eq!(metrics["experiment"], info.name);
        assert_eq!(metrics["status"], "ok", "{}", info.name);
        assert_eq!(metrics["seed"], info.default_seed, "{}", info.name);
        // The recorded configuration is the quick profile's, complete and valid.
        let quick = experiment.config_tree(Profile::Quick);
        assert_eq!(
            experiment.check_tree(&metrics["config"]).unwrap(),
            experiment.check_tree(&quick).unwrap(),
            "{}",
            info.name
        );
        // `changed` lists exactly the keys where the quick profile leaves the notebook.
        let changed = metrics["changed"].as_object().unwrap();
        assert!(
            !changed.is_empty(),
            "{}: quick differs from the notebook",
            info.name
        );
        for (key, change) in changed {
            assert_ne!(change["value"], change["notebook"], "{}: {key}", info.name);
        }
        let figures = metrics["figures"].as_array().unwrap();
        assert!(!figures.is_empty(), "{} has figures", info.name);
        for figure in figures {
            let png = dir.join(figure.as_str().unwrap());
            assert!(png.is_file(), "{}", png.display());
            // Pictures come as PNG with an SVG beside them; animations are GIFs.
            assert!(
                png.extension().is_some_and(|e| e == "gif") || png.with_extension("svg").is_file(),
                "{} has no SVG",
                png.display()
            );
            assert!(
                metrics["captions"][figure.as_str().unwrap()].is_string(),
                "{}: {figure} has a caption",
                info.name
            );
        }
        let report = String::from_utf8(read(&dir.join("report.md"))).unwrap();
        assert!(
            report.contains("Run on backend `ndarray`"),
            "{}: {report}",
            info.name
        );
        assert!(
            report.contains("**Your settings**"),
            "{}: settings box",
            info.name
        );
        assert!(report.contains("## Figures"), "{}", info.name);
    }

    // Reports are pure functions of the results: rebuilt without training, byte for byte.
    let mut before = Vec::new();
    for experiment in EXPERIMENTS {
        before.push(read(&out.join(experiment.info().name).join("report.md")));
        std::fs::remove_file(out.join(experiment.info().name).join("report.md")).unwrap();
    }
    let page_before = read(&out.join("index.html"));
    std::fs::remove_file(out.join("index.html")).unwrap();
    let o = unfold(&["report", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for (experiment, before) in EXPERIMENTS.iter().zip(before) {
        let after = read(&out.join(experiment.info().name).join("report.md"));
        assert!(
            after == before,
            "{}: report.md rebuilt differently",
            experiment.info().name
        );
    }
    assert!(
        read(&out.join("index.html")) == page_before,
        "index.html rebuilt differently"
    );
    // One experiment's folder, as `compare` takes it, is rebuilt alone.
    let one = out.join("spirals3d");
    let before = read(&one.join("report.md"));
    std::fs::remove_file(one.join("report.md")).unwrap();
    let o = unfold(&["report", one.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(read(&one.join("report.md")) == before);
}

#[test]
fn report_on_a_folder_without_results_is_a_clear_error() {
    let tmp = TempDir::new("contract-empty");
    let o = unfold(&["report", tmp.path().to_str().unwrap()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("holds no results"), "{err}");
    let o = unfold(&["report", tmp.path().join("nosuch").to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no such folder"), "{err}");
}
