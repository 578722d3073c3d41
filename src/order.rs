//! One sort for the whole crate: indices, ordered by a comparison of the
//! items they stand for.
//!
//! Each `sort_by` with its own closure is its own copy of std's sort in
//! the wasm (about 4–10 KB each). Every sort here goes through this one
//! instantiation, with the comparison behind a `dyn`: the carts it sorts
//! have at most 1,000 lines, where the indirect call costs nothing that
//! shows.

use std::cmp::Ordering;

/// `0..len`, stably sorted by `cmp` of two indices.
pub(crate) fn sorted_indices(
    len: usize,
    cmp: &mut dyn FnMut(usize, usize) -> Ordering,
) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    sort_indices(&mut order, cmp);
    order
}

/// Stably sorts `order` (indices into something) by `cmp` of two indices.
/// Never inlined, so the optimizer cannot copy std's sort into a caller
/// for its particular comparison.
#[inline(never)]
pub(crate) fn sort_indices(order: &mut [usize], cmp: &mut dyn FnMut(usize, usize) -> Ordering) {
    order.sort_by(|&a, &b| cmp(a, b));
}

/// `items` rearranged into `order` (a permutation of their indices), each
/// moved once.
pub(crate) fn permuted<T>(items: Vec<T>, order: &[usize]) -> Vec<T> {
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order.iter().filter_map(|&i| slots[i].take()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_and_complete() {
        let keys = [3, 1, 2, 1, 3, 0];
        let order = sorted_indices(keys.len(), &mut |a, b| keys[a].cmp(&keys[b]));
        // Equal keys keep their order: 1 before 3, 0 before 4.
        assert_eq!(order, [5, 1, 3, 2, 0, 4]);
        let mut part = vec![4, 0, 2];
        sort_indices(&mut part, &mut |a, b| keys[b].cmp(&keys[a]));
        assert_eq!(part, [4, 0, 2], "descending, ties in given order");
        assert_eq!(permuted(vec!['a', 'b', 'c'], &[2, 0, 1]), ['c', 'a', 'b']);
    }
}
