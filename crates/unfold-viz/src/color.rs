//! Colours: the class palette and small colour helpers.

use plotters::style::RGBColor;

/// An sRGB colour as `(red, green, blue)`.
pub type Rgb = (u8, u8, u8);

/// Okabe–Ito palette (colour-blind safe), reordered so that the first two
/// classes get the blue/orange pair familiar from TensorFlow Playground and
/// the low-contrast yellow comes last; then four darker colours from Paul Tol's
/// palettes for figures with more series (a multi-seed mnist study has a dozen
/// runs), so no two of the first twelve share a colour.
const PALETTE: [Rgb; 12] = [
    (0, 114, 178),   // blue
    (230, 159, 0),   // orange
    (0, 158, 115),   // bluish green
    (213, 94, 0),    // vermilion
    (204, 121, 167), // reddish purple
    (86, 180, 233),  // sky blue
    (64, 64, 64),    // dark grey (Okabe–Ito black, softened)
    (240, 228, 66),  // yellow
    (136, 34, 85),   // wine
    (153, 153, 51),  // olive
    (51, 34, 136),   // indigo
    (140, 86, 75),   // brown
];

/// Colour-blind friendly class colours (Okabe–Ito order, then four darker
/// ones); wraps around.
///
/// Class 0 is blue, 1 orange, 2 bluish green, 3 vermilion, 4 reddish purple,
/// 5 sky blue, 6 dark grey, 7 yellow, 8 wine, 9 olive, 10 indigo, 11 brown;
/// index 12 starts again at blue.
pub fn class_color(index: usize) -> Rgb {
    PALETTE[index % PALETTE.len()]
}

/// Converts to the plotters colour type.
pub(crate) fn rgb(c: Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

/// Mixes `c` with white: `amount` 0 gives white, 1 gives `c`.
pub(crate) fn tint(c: Rgb, amount: f64) -> RGBColor {
    let mix = |v: u8| {
        let v = 255.0 - (255.0 - f64::from(v)) * amount.clamp(0.0, 1.0);
        v.round().clamp(0.0, 255.0) as u8
    };
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}
