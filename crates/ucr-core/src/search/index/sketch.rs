//! What the index tells of entries without reading them: enough to score a reconciliation
//! candidate (its names as word numbers, its kind, type, region, economic region and year of
//! foundation), and the numbers of the words a query's are compared with.

use super::*;

/// What the index holds of one entry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sketch {
    pub(crate) id: uuid::Uuid,
    pub(crate) kind: String,
    /// Its type word (a heritage object's category).
    pub(crate) type_word: String,
    pub(crate) region: Option<String>,
    pub(crate) economic_region: Option<String>,
    pub(crate) founded_year: Option<i64>,
    /// Its names (every language, other names too), each as its word numbers.
    pub(crate) names: Vec<Vec<u32>>,
}

/// Words by the index's numbers.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Lexicon {
    /// For each word asked: its number, when an entry has it, and when asked the numbers of
    /// the words it begins (itself among them), ascending.
    pub(crate) words: Vec<(Option<u32>, Vec<u32>)>,
    /// The numbers of the words of one letter or digit, ascending.
    pub(crate) single: Vec<u32>,
}

impl Kept {
    /// The sketches of the entries with these ids (one deleted since is left out) and the
    /// numbers of `words` (`(word, whether the words it begins are wanted)`), read in one look
    /// at the index; `None` when it holds none.
    pub(crate) fn sketch(
        &self,
        ids: &[uuid::Uuid],
        words: &[(&str, bool)],
    ) -> Option<(Vec<Sketch>, Lexicon)> {
        let shared = self.0.as_ref()?;
        let index = shared.index.read().unwrap_or_else(PoisonError::into_inner);
        let ix = index.as_ref()?;
        Some((
            ids.iter().filter_map(|&id| ix.sketch(id)).collect(),
            ix.lexicon(words),
        ))
    }
}

impl Index {
    fn sketch(&self, id: uuid::Uuid) -> Option<Sketch> {
        let s = self.find(&key(id))? as usize;
        let group = *self.group_of.get(s)?;
        let &(kind, region, _) = self.groups.get(usize::from(group))?;
        let slot = self.slots.get(s)?;
        Some(Sketch {
            id,
            kind: self.kinds.name(kind)?.to_string(),
            type_word: self
                .type_words
                .name(slot.type_word)
                .unwrap_or_default()
                .to_string(),
            region: self.regions.name(region).map(str::to_string),
            economic_region: self
                .economic_regions
                .name(slot.economic_region)
                .map(str::to_string),
            founded_year: (slot.founded != i16::MIN).then_some(i64::from(slot.founded)),
            names: self.names_of(s).map(<[u32]>::to_vec).collect(),
        })
    }

    fn lexicon(&self, words: &[(&str, bool)]) -> Lexicon {
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
            single: self.single.clone(),
        }
    }
}
