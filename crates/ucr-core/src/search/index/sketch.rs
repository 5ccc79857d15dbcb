//! What the index tells of entries without reading them: enough to score a reconciliation
//! candidate (its names as word numbers, its kind, type, region, economic region and year of
//! foundation), and the numbers of the words a query's are compared with.

use super::rank::names_in;
use super::*;

/// What the index holds of one entry, read where the index keeps it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sketch<'a> {
    pub(crate) id: uuid::Uuid,
    pub(crate) kind: &'a str,
    /// Its type word (a heritage object's category).
    pub(crate) type_word: &'a str,
    pub(crate) region: Option<&'a str>,
    pub(crate) economic_region: Option<&'a str>,
    pub(crate) founded_year: Option<i64>,
    /// Its names' word numbers, a name's ended by [`END_OF_NAME`].
    words: &'a [u32],
}

impl<'a> Sketch<'a> {
    /// Its names (every language, other names too), each as its word numbers.
    pub(crate) fn names(&self) -> impl Iterator<Item = &'a [u32]> {
        names_in(self.words)
    }
}

/// Words by the index's numbers.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Lexicon<'a> {
    /// For each word asked: its number, when an entry has it, and when asked the numbers of
    /// the words it begins (itself among them), ascending.
    pub(crate) words: Vec<(Option<u32>, Vec<u32>)>,
    /// The numbers of the words of one letter or digit, ascending.
    pub(crate) single: &'a [u32],
}

impl Kept {
    /// What `f` makes of the sketches of the entries with these ids (one deleted since is left
    /// out) and of the numbers of `words` (`(word, whether the words it begins are wanted)`),
    /// read in one look at the index, while nothing changes it; `None` when it holds none.
    pub(crate) fn sketch<R>(
        &self,
        ids: &[uuid::Uuid],
        words: &[(&str, bool)],
        f: impl FnOnce(&[Sketch<'_>], &Lexicon<'_>) -> R,
    ) -> Option<R> {
        let shared = self.0.as_ref()?;
        let index = shared.index.read().unwrap_or_else(PoisonError::into_inner);
        let ix = index.as_ref()?;
        let sketches: Vec<Sketch<'_>> = ids.iter().filter_map(|&id| ix.sketch(id)).collect();
        Some(f(&sketches, &ix.lexicon(words)))
    }
}

impl Index {
    fn sketch(&self, id: uuid::Uuid) -> Option<Sketch<'_>> {
        let s = self.find(&key(id))? as usize;
        let group = *self.group_of.get(s)?;
        let &(kind, region, _) = self.groups.get(usize::from(group))?;
        let slot = self.slots.get(s)?;
        let at = slot.words_at as usize;
        Some(Sketch {
            id,
            kind: self.kinds.name(kind)?,
            type_word: self.type_words.name(slot.type_word).unwrap_or_default(),
            region: self.regions.name(region),
            economic_region: self.economic_regions.name(slot.economic_region),
            founded_year: (slot.founded != i16::MIN).then_some(i64::from(slot.founded)),
            words: self.words.get(at..at + slot.words_len as usize)?,
        })
    }

    fn lexicon(&self, words: &[(&str, bool)]) -> Lexicon<'_> {
        Lexicon {
            words: words
                .iter()
                .map(|&(w, begun)| {
                    let mut begins = if begun {
                        self.prefixed(w).0
                    } else {
                        Vec::new()
                    };
                    begins.sort_unstable();
                    (self.terms.get(w).copied(), begins)
                })
                .collect(),
            single: &self.single,
        }
    }
}
