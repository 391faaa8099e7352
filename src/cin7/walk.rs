//! Where one list walk stands: the pages read, where the list ends, how far it is worth
//! asking ahead, and whether the server ignored `page` (the client drives the calls).

use super::MAX_ROWS;
use super::model::Identified;
use std::collections::BTreeMap;

/// Where one walk stands: the pages read, the first known to be empty, and how far it is
/// worth asking.
pub(super) struct Walk<T> {
    pages: BTreeMap<u32, Vec<T>>,
    next: u32,
    /// The first page known to be empty.
    end: Option<u32>,
    /// After a short last page, the page after it is the last one worth asking for.
    limit: Option<u32>,
}

impl<T> Default for Walk<T> {
    fn default() -> Self {
        Self {
            pages: BTreeMap::new(),
            next: 1,
            end: None,
            limit: None,
        }
    }
}

impl<T: Identified> Walk<T> {
    /// Whether to ask for the next page with `in_flight` under way: nothing past the first
    /// page (the second, when `eager`) until it answers, so that a walk that turns out short,
    /// as an update's usually does, costs no call beyond its empty page; nothing past a known
    /// end.
    pub(super) fn may_ask(&self, in_flight: usize, depth: usize, eager: bool) -> bool {
        let first_answered = !self.pages.is_empty() || self.end.is_some();
        let before_answer = if eager { 2 } else { 1 };
        in_flight < depth
            && (self.next <= before_answer || first_answered)
            && self.end.is_none_or(|e| self.next < e)
            && self.limit.is_none_or(|l| self.next <= l)
    }

    pub(super) fn ask(&mut self) -> u32 {
        self.next += 1;
        self.next - 1
    }

    /// Takes a page in; returns the page that repeats an earlier one, if this shows one.
    pub(super) fn arrived(&mut self, page: u32, records: Vec<T>) -> Option<u32> {
        if records.is_empty() {
            self.end = Some(self.end.map_or(page, |e| e.min(page)));
        } else {
            self.pages.insert(page, records);
            if let Some(repeated) = repeated_page(&self.pages, page) {
                return Some(repeated);
            }
        }
        self.limit = self
            .pages
            .last_key_value()
            .filter(|(_, last)| last.len() < MAX_ROWS as usize)
            .map(|(&p, _)| p + 1);
        None
    }

    /// Every page before the first empty one is in.
    pub(super) fn done(&self) -> bool {
        self.end
            .is_some_and(|e| (1..e).all(|p| self.pages.contains_key(&p)))
    }

    pub(super) fn records(self) -> Vec<T> {
        once_each(self.pages.into_values().flatten().collect())
    }
}

/// Whether `page`, just arrived, or the arrived page after it, starts before the last record of
/// the arrived page before it in the walk's order (the later page of the two). Pages between
/// them may still be under way: the order holds across them too, so a server ignoring `page`
/// shows at the first page to arrive after the first, whichever it is.
fn repeated_page<T: Identified>(pages: &BTreeMap<u32, Vec<T>>, page: u32) -> Option<u32> {
    let goes_on = |before: &[T], after: &[T]| {
        let (Some(last), Some(first)) = (
            before.last().and_then(T::position),
            after.first().and_then(T::position),
        ) else {
            return true;
        };
        // One record seen again is a shift (a record joined the selection during a pause):
        // it is read twice and kept once. Going backwards is a server ignoring `page`.
        first >= last
    };
    let this = pages.get(&page)?;
    let before = pages.range(..page).next_back();
    let after = pages.range(page + 1..).next();
    [
        before.map(|(_, b)| (page, b.as_slice(), this.as_slice())),
        after.map(|(&p, a)| (p, this.as_slice(), a.as_slice())),
    ]
    .into_iter()
    .flatten()
    .find(|(_, a, b)| !goes_on(a, b))
    .map(|(later, _, _)| later)
}

/// The records with each position once, the last read of it kept, where positions are unique.
fn once_each<T: Identified>(records: Vec<T>) -> Vec<T> {
    if !T::UNIQUE_POSITIONS {
        return records;
    }
    let mut last = std::collections::HashMap::new();
    for (i, record) in records.iter().enumerate() {
        if let Some(position) = record.position() {
            last.insert(position, i);
        }
    }
    if last.len() == records.len() {
        return records;
    }
    records
        .into_iter()
        .enumerate()
        .filter(|(i, r)| r.position().is_none_or(|p| last.get(&p) == Some(i)))
        .map(|(_, r)| r)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn orders(ids: std::ops::RangeInclusive<i64>) -> Vec<crate::cin7::model::SalesOrder> {
        ids.map(|id| serde_json::from_value(serde_json::json!({ "id": id })).unwrap())
            .collect()
    }

    #[test]
    fn an_eager_walk_asks_for_two_pages_before_the_first_answers() {
        let mut walk: Walk<crate::cin7::model::SalesOrder> = Walk::default();
        assert!(walk.may_ask(0, 5, false) && walk.may_ask(0, 5, true));
        assert_eq!(walk.ask(), 1);
        assert!(!walk.may_ask(1, 5, false), "one page until it answers");
        assert!(walk.may_ask(1, 5, true));
        assert_eq!(walk.ask(), 2);
        assert!(!walk.may_ask(2, 5, true), "two at most");
        // Once the first answers, full, the walk goes as deep as it may.
        assert_eq!(walk.arrived(1, orders(1..=250)), None);
        assert!(walk.may_ask(1, 5, false) && walk.may_ask(1, 5, true));
    }

    #[test]
    fn a_repeat_shows_whichever_page_arrives_after_the_first() {
        let mut walk = Walk::default();
        assert_eq!(walk.arrived(1, orders(1..=3)), None);
        // Page 3 answers before page 2, with page 1's records again.
        assert_eq!(walk.arrived(3, orders(1..=3)), Some(3));
        // In order, with one record seen again (a shift), the walk goes on.
        let mut walk = Walk::default();
        assert_eq!(walk.arrived(1, orders(1..=3)), None);
        assert_eq!(walk.arrived(3, orders(7..=9)), None);
        assert_eq!(walk.arrived(2, orders(3..=6)), None);
        // Page 2 arriving last, with page 1's records again, is caught against page 1.
        let mut walk = Walk::default();
        assert_eq!(walk.arrived(1, orders(1..=3)), None);
        assert_eq!(walk.arrived(3, orders(7..=9)), None);
        assert_eq!(walk.arrived(2, orders(1..=3)), Some(2));
    }
}
