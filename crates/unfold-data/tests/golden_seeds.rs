//! Golden values of unfold's seeded randomness. Every dataset, split, shuffle and host-drawn
//! initialization comes from `unfold_data::seeded_rng`; these are the first values it gives for
//! fixed seeds, and the first points of each seeded dataset (the others, xor and the Gaussian
//! grid, draw nothing). A dependency update that changed any of them would silently change
//! every result unfold reports, so it fails here first.

use rand::{Rng, RngExt};
use unfold_data::{
    Spirals2dConfig, Spirals3dConfig, seeded_permutation, seeded_rng, spirals_2d, spirals_3d,
    split_indices,
};

#[test]
fn the_generator_gives_the_same_words_and_floats() {
    let mut rng = seeded_rng(42);
    let words: Vec<u64> = (0..4).map(|_| rng.next_u64()).collect();
    assert_eq!(
        words,
        [
            9713269763989775522,
            10011513049433592189,
            11740708795755607249,
            7487565853151867058
        ]
    );
    let mut rng = seeded_rng(0);
    let floats: Vec<f32> = (0..4).map(|_| rng.random::<f32>()).collect();
    assert_eq!(floats, [0.80145925, 0.7311134, 0.55528885, 0.77346015]);
    let doubles: Vec<f64> = (0..2).map(|_| rng.random::<f64>()).collect();
    assert_eq!(doubles, [0.025844634233355035, 0.5841592619362002]);
}

#[test]
fn shuffles_and_splits_keep_their_order() {
    assert_eq!(seeded_permutation(10, 42), [8, 6, 3, 2, 1, 5, 9, 7, 4, 0]);
    let (train, rest) = split_indices(10, 0.8, 7);
    assert_eq!((train, rest), (vec![1, 3, 4, 6, 0, 7, 2, 5], vec![8, 9]));
}

#[test]
fn the_3d_spirals_start_with_the_same_points() {
    let data = spirals_3d(&Spirals3dConfig::default(), 42);
    let first: [f32; 9] = [
        2.630289, 2.9575596, 2.0654118, 0.55082226, 0.43391967, 0.37189275, -3.0700765, -2.4569204,
        1.8993973,
    ];
    assert_eq!(&data.features()[..9], first);
    assert_eq!(&data.labels()[..3], [1, 0, 0]);
    let (train, test) = data.split(0.8, 42);
    assert_eq!(&train.features()[..3], [3.2620473, 0.93027824, 1.7494686]);
    assert_eq!(&test.features()[..3], [2.1575665, -1.4577216, 1.2797042]);
}

#[test]
fn the_2d_spirals_start_with_the_same_points() {
    let data = spirals_2d(&Spirals2dConfig::default(), 42);
    let first: [f32; 6] = [
        0.0027770274,
        0.19998072,
        0.0061797947,
        0.20070568,
        0.012270199,
        0.20122784,
    ];
    assert_eq!(&data.features()[..6], first);
    assert_eq!(&data.labels()[..3], [0, 0, 0]);
}
