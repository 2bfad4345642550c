//! Golden values of the host-drawn initializations: the first weights `Init` samples (normal and
//! uniform, through rand_distr and rand) from `unfold_data::seeded_rng`. A dependency update
//! that changed them would silently change every from-scratch result, so it fails here first.

use unfold_data::seeded_rng;
use unfold_models::Init;

#[test]
fn normal_and_uniform_draws_keep_their_values() {
    let mut rng = seeded_rng(3);
    assert_eq!(
        Init::STANDARD_NORMAL.sample(4, &mut rng),
        [-0.55680424, -0.5868354, -0.73458236, -0.14867409]
    );
    let uniform = Init::Uniform {
        low: -1.0,
        high: 1.0,
    };
    assert_eq!(
        uniform.sample(4, &mut rng),
        [0.2045033, -0.5189241, -0.69557035, -0.1912471]
    );
}
