//! What the index keeps of a word and of a column: the slots holding a word, and the values a
//! column takes, numbered.

use super::*;

/// The slots holding one word, ascending. Most words of a large register (numbers in names)
/// are one entry's: those take no allocation of their own.
#[derive(Debug, Clone)]
pub(super) enum Postings {
    One(u32),
    Many(Vec<u32>),
}

impl Postings {
    pub(super) fn as_slice(&self) -> &[u32] {
        match self {
            Postings::One(s) => std::slice::from_ref(s),
            Postings::Many(v) => v,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.as_slice().len()
    }

    pub(super) fn insert(&mut self, s: u32) {
        match self {
            Postings::Many(v) if v.is_empty() => *self = Postings::One(s),
            Postings::Many(v) => {
                if let Err(i) = v.binary_search(&s) {
                    v.insert(i, s);
                }
            }
            Postings::One(one) if *one == s => {}
            Postings::One(one) => {
                let one = *one;
                *self = Postings::Many(if one < s { vec![one, s] } else { vec![s, one] });
            }
        }
    }

    pub(super) fn remove(&mut self, s: u32) {
        match self {
            Postings::One(one) if *one == s => *self = Postings::Many(Vec::new()),
            Postings::One(_) => {}
            Postings::Many(v) => {
                if let Ok(i) = v.binary_search(&s) {
                    v.remove(i);
                }
            }
        }
    }

    pub(super) fn shrink(&mut self) {
        if let Postings::Many(v) = self {
            v.shrink_to_fit();
        }
    }
}

/// The values one column takes, numbered.
#[derive(Default)]
pub(super) struct Values {
    pub(super) names: Vec<Box<str>>,
    pub(super) ids: HashMap<Box<str>, u8>,
}

impl Values {
    pub(super) fn intern(&mut self, v: Option<&str>) -> Result<u8, RegisterError> {
        let Some(v) = v else { return Ok(NULL) };
        if let Some(&id) = self.ids.get(v) {
            return Ok(id);
        }
        let id = u8::try_from(self.names.len())
            .ok()
            .filter(|&i| i < NO_MATCH)
            .ok_or_else(|| {
                RegisterError::Database(format!("more than {NO_MATCH} values in a column (`{v}`)"))
            })?;
        self.names.push(v.into());
        self.ids.insert(v.into(), id);
        Ok(id)
    }

    /// The number a filter on `v` compares with.
    pub(super) fn wanted(&self, v: Option<&str>) -> Option<u8> {
        v.map(|v| self.ids.get(v).copied().unwrap_or(NO_MATCH))
    }

    pub(super) fn name(&self, id: u8) -> Option<&str> {
        self.names.get(usize::from(id)).map(|s| &**s)
    }
}
