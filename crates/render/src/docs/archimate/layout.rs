//! A deterministic layered layout for the ArchiMate views: each band (a
//! layer, or a group of elements) gets a title on the left and a grid of
//! equally sized boxes to its right, rows centred on the widest band. Bands
//! stack top to bottom in the order given, so a business → application →
//! technology view reads from top to bottom. Boxes never overlap by
//! construction: every box has its own cell.

/// Left and top margin of a view.
pub const MARGIN: u32 = 24;
/// Width of a band's title.
pub const LABEL_W: u32 = 150;
/// Width of an element box.
pub const NODE_W: u32 = 180;
/// Height of an element box (and of a band title).
pub const NODE_H: u32 = 60;
/// Horizontal space between boxes.
pub const GAP_X: u32 = 30;
/// Vertical space between rows of one band.
pub const GAP_Y: u32 = 40;
/// Vertical space between bands.
pub const BAND_GAP: u32 = 70;

/// A band of a view: a title and the element ids in it, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Band {
    /// The title shown left of the band.
    pub title: String,
    /// The element ids, in the order they are placed (row by row).
    pub items: Vec<String>,
    /// How many boxes one row holds (at least one).
    pub columns: usize,
}

impl Band {
    /// A band of `items` with at most `columns` boxes per row.
    pub fn new(title: impl Into<String>, items: Vec<String>, columns: usize) -> Band {
        Band {
            title: title.into(),
            items,
            columns: columns.max(1),
        }
    }
}

/// A rectangle on a view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width (positive).
    pub w: u32,
    /// Height (positive).
    pub h: u32,
}

impl Rect {
    /// Whether two rectangles share any area.
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.x + other.w
            && other.x < self.x + self.w
            && self.y < other.y + other.h
            && other.y < self.y + self.h
    }
}

/// Where everything of one view goes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ViewLayout {
    /// Band titles and their boxes, in band order.
    pub labels: Vec<(String, Rect)>,
    /// Element ids and their boxes, in band order; an id placed twice keeps
    /// its first box only.
    pub nodes: Vec<(String, Rect)>,
}

impl ViewLayout {
    /// The box of an element, if placed.
    pub fn rect_of(&self, element: &str) -> Option<Rect> {
        self.nodes
            .iter()
            .find(|(id, _)| id == element)
            .map(|(_, r)| *r)
    }
}

fn row_width(n: usize) -> u32 {
    let n = u32::try_from(n).unwrap_or(u32::MAX / (NODE_W + GAP_X));
    if n == 0 {
        0
    } else {
        n.saturating_mul(NODE_W)
            .saturating_add((n - 1).saturating_mul(GAP_X))
    }
}

/// Lays out the bands; empty bands are skipped.
///
/// ```
/// use render::docs::archimate::layout::{layered, Band};
/// let l = layered(&[
///     Band::new("Business", vec!["bo.a".into(), "bo.b".into()], 4),
///     Band::new("Application", vec!["do.a".into()], 4),
/// ]);
/// assert_eq!(l.nodes.len(), 3);
/// assert!(l.rect_of("do.a").unwrap().y > l.rect_of("bo.a").unwrap().y);
/// ```
pub fn layered(bands: &[Band]) -> ViewLayout {
    let mut layout = ViewLayout::default();
    let widest = bands
        .iter()
        .map(|b| row_width(b.items.len().min(b.columns)))
        .max()
        .unwrap_or(0);
    let left = MARGIN + LABEL_W + GAP_X;
    let mut y = MARGIN;
    for band in bands {
        let mut items: Vec<&String> = Vec::new();
        for id in &band.items {
            let placed = layout.nodes.iter().any(|(p, _)| p == id) || items.contains(&id);
            if !placed {
                items.push(id);
            }
        }
        if items.is_empty() {
            continue;
        }
        layout.labels.push((
            band.title.clone(),
            Rect {
                x: MARGIN,
                y,
                w: LABEL_W,
                h: NODE_H,
            },
        ));
        let rows: Vec<&[&String]> = items.chunks(band.columns).collect();
        for (r, row) in rows.iter().enumerate() {
            let offset = widest.saturating_sub(row_width(row.len())) / 2;
            let row_y = y.saturating_add(
                u32::try_from(r)
                    .unwrap_or(u32::MAX)
                    .saturating_mul(NODE_H + GAP_Y),
            );
            for (c, id) in row.iter().enumerate() {
                let x = left.saturating_add(offset).saturating_add(
                    u32::try_from(c)
                        .unwrap_or(u32::MAX)
                        .saturating_mul(NODE_W + GAP_X),
                );
                layout.nodes.push((
                    (*id).clone(),
                    Rect {
                        x,
                        y: row_y,
                        w: NODE_W,
                        h: NODE_H,
                    },
                ));
            }
        }
        let n_rows = u32::try_from(rows.len()).unwrap_or(1);
        y = y
            .saturating_add(n_rows.saturating_mul(NODE_H))
            .saturating_add(n_rows.saturating_sub(1).saturating_mul(GAP_Y))
            .saturating_add(BAND_GAP);
    }
    layout
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_overlaps() {
        let ids = |p: &str, n: usize| (0..n).map(|i| format!("{p}{i}")).collect::<Vec<_>>();
        let l = layered(&[
            Band::new("A", ids("a", 17), 6),
            Band::new("B", vec![], 3),
            Band::new("C", ids("c", 2), 6),
            Band::new("D", ids("a", 3), 2),
        ]);
        assert_eq!(l.nodes.len(), 19);
        assert_eq!(l.labels.len(), 2);
        let mut all: Vec<Rect> = l.nodes.iter().map(|(_, r)| *r).collect();
        all.extend(l.labels.iter().map(|(_, r)| *r));
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert!(!a.overlaps(b), "{a:?} {b:?}");
            }
        }
    }
}
