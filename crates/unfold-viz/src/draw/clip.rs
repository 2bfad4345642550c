//! Clipping lines to the plot area. plotters draws wherever it is told, so a series that
//! leaves its axes would be drawn across titles and neighbouring panels; every line is cut
//! to its box here before it is drawn.

/// The part of the segment `a`–`b` inside the box `lo`–`hi` (Liang–Barsky), if any.
pub(super) fn segment_in_box(
    a: (f64, f64),
    b: (f64, f64),
    lo: (f64, f64),
    hi: (f64, f64),
) -> Option<((f64, f64), (f64, f64))> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, a.0 - lo.0),
        (dx, hi.0 - a.0),
        (-dy, a.1 - lo.1),
        (dy, hi.1 - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    (t0 <= t1).then_some({
        (
            (a.0 + t0 * dx, a.1 + t0 * dy),
            (a.0 + t1 * dx, a.1 + t1 * dy),
        )
    })
}

/// Cuts a polyline to the box: the pieces inside it, each a polyline of its own.
pub(super) fn polyline_in_box(
    points: &[(f64, f64)],
    lo: (f64, f64),
    hi: (f64, f64),
) -> Vec<Vec<(f64, f64)>> {
    let inside = |p: (f64, f64)| p.0 >= lo.0 && p.0 <= hi.0 && p.1 >= lo.1 && p.1 <= hi.1;
    let mut pieces: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    if let [only] = points {
        if inside(*only) {
            pieces.push(vec![*only]);
        }
        return pieces;
    }
    for pair in points.windows(2) {
        match segment_in_box(pair[0], pair[1], lo, hi) {
            Some((s, e)) => {
                if current.last() != Some(&s) {
                    if !current.is_empty() {
                        pieces.push(std::mem::take(&mut current));
                    }
                    current.push(s);
                }
                current.push(e);
            }
            None => {
                if !current.is_empty() {
                    pieces.push(std::mem::take(&mut current));
                }
            }
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_through_the_box_is_cut_at_its_edges() {
        let cut = segment_in_box((-1.0, 0.5), (2.0, 0.5), (0.0, 0.0), (1.0, 1.0));
        assert_eq!(cut, Some(((0.0, 0.5), (1.0, 0.5))));
        assert_eq!(
            segment_in_box((2.0, 2.0), (3.0, 3.0), (0.0, 0.0), (1.0, 1.0)),
            None
        );
    }

    #[test]
    fn a_polyline_leaving_and_reentering_becomes_two_pieces() {
        let line = [(0.0, 0.5), (0.5, 2.0), (1.0, 0.5)];
        let pieces = polyline_in_box(&line, (0.0, 0.0), (1.0, 1.0));
        assert_eq!(pieces.len(), 2);
        assert_eq!(pieces[0][0], (0.0, 0.5));
        assert_eq!(pieces[1].last(), Some(&(1.0, 0.5)));
    }
}
