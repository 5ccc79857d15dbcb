//! Ranking from the index: the matches of a search's words and filters, their scores and
//! facets, and one page of them in the search's order — level by level where the query is one
//! whole word.

use super::*;

/// A page ranked by the index: (score, id) of each entry, whether more follow, the total and
/// the facets.
pub(in crate::search) struct Ranked {
    pub page: Vec<(i64, uuid::Uuid)>,
    pub more: bool,
    pub total: i64,
    pub facets: Facets,
}

/// How many times fewer than a word's postings the matches so far must be for the word to be
/// looked for in their names (a dozen words each, a binary search for each) rather than in
/// its postings (a bit set for each).
pub(super) const SPARSE: usize = 64;

/// How many times fewer than the slots the postings of a search's cheapest word must be for
/// its matches to be kept as a list of slots (each other word looked for in its postings or in
/// their names) rather than as a bit per slot, when it has several words.
pub(super) const LISTED: usize = 16;

/// What looking one slot up costs, in steps of setting or testing a bit, in the postings of one
/// word (galloping: mispredicted branches) and in the slot's names (reading far memory).
const GALLOP_STEPS: usize = 16;
const NAME_STEPS: usize = 48;

/// When [`Index::rank_by`] takes each of its ways; the ways give the same answers.
#[derive(Debug, Clone, Copy)]
pub(super) struct Tuning {
    /// See [`SPARSE`].
    pub(super) sparse: usize,
    /// See [`LISTED`].
    pub(super) listed: usize,
    /// See [`GALLOP_STEPS`] and [`NAME_STEPS`].
    pub(super) gallop: usize,
    pub(super) names: usize,
    /// Whether the words kept as bits too are tested so.
    pub(super) dense: bool,
}

/// The tuning searches run with.
pub(super) const TUNED: Tuning = Tuning {
    sparse: SPARSE,
    listed: LISTED,
    gallop: GALLOP_STEPS,
    names: NAME_STEPS,
    dense: true,
};

/// Where a page starts: after this score and id.
pub(in crate::search) type After = (i64, uuid::Uuid);

/// The page a ranking is asked for.
#[derive(Debug, Clone, Copy)]
pub(in crate::search) struct Want {
    pub sort: Sort,
    pub after: Option<After>,
    pub limit: usize,
    /// Whether the total and the facets are wanted: without them, a ranking may stop as soon
    /// as nothing further can make the page (their values are then those of the matches read).
    pub counted: bool,
}

/// What [`Index::page_by_levels`] needs of a search.
struct Levels<'a> {
    /// Whether slot `i` passes the filters.
    passes: &'a dyn Fn(usize) -> bool,
    /// The one whole word of the query, as a bitmap, and what it scores.
    whole: Option<&'a (Vec<u64>, i64)>,
    /// The query as a name, when a name can be the whole query.
    phrase: Option<&'a [u32]>,
    sort: Sort,
    after: Option<(i64, u128)>,
    limit: usize,
}

impl Index {
    /// The slots holding a word beginning with `prefix`, and how many postings that is.
    pub(super) fn prefixed(&self, prefix: &str) -> (Vec<u32>, usize) {
        let mut ts = Vec::new();
        let mut n = 0;
        for (w, &t) in self
            .terms
            .range::<str, _>((Bound::Included(prefix), Bound::Unbounded))
        {
            if !w.starts_with(prefix) {
                break;
            }
            n += self.postings[t as usize].len();
            ts.push(t);
        }
        (ts, n)
    }

    /// Ranks the entries matching `s` (which has words): the page after `after`, up to
    /// `limit`, the total and the facets.
    pub(super) fn rank(&self, s: &Search, want: &Want) -> Ranked {
        // While every slot is in id order, a slot's place is its id's.
        self.rank_by(s, want, self.strays.is_empty(), TUNED)
    }

    pub(super) fn rank_by(&self, s: &Search, want: &Want, by_place: bool, tune: Tuning) -> Ranked {
        let Want {
            sort,
            after,
            limit,
            counted,
        } = *want;
        let sparse = tune.sparse;
        let q = s.q.as_deref().unwrap_or_default();
        let ws = words(q);
        let blocks = self.slots.len().div_ceil(64);
        let bits_of = |ts: &[u32]| {
            let mut bits = vec![0u64; blocks];
            for &t in ts {
                for &slot in self.postings[t as usize].as_slice() {
                    bits[slot as usize / 64] |= 1 << (slot % 64);
                }
            }
            bits
        };

        // The slots holding every word as a prefix, cheapest word first.
        let mut distinct = ws.clone();
        distinct.sort();
        distinct.dedup();
        let mut lists: Vec<(Vec<u32>, usize)> = distinct.iter().map(|w| self.prefixed(w)).collect();
        lists.sort_by_key(|(_, n)| *n);
        // Few slots hold the cheapest of several words: the matches are a list of slots. Else
        // (one word, or none few hold) a bit each.
        let listed = lists.len() >= 2
            && lists
                .first()
                .is_some_and(|(_, n)| n.saturating_mul(tune.listed) <= self.slots.len());
        let list = if listed {
            self.listed(&mut lists, tune)
        } else {
            Vec::new()
        };
        let mut matches: Option<Vec<u64>> = None;
        // Slots in `matches`. Once they are few beside a word's postings, the word is looked
        // for in their names instead of setting a bit for each of its postings.
        let mut count = 0usize;
        for (ts, n) in lists.iter_mut().filter(|_| !listed) {
            match &mut matches {
                Some(m) if count.saturating_mul(sparse) < *n => {
                    ts.sort_unstable();
                    count = self.keep_holding(m, ts);
                }
                _ => {
                    let mut bits = bits_of(ts);
                    if let Some(m) = &matches {
                        for (b, m) in bits.iter_mut().zip(m) {
                            *b &= m;
                        }
                    }
                    count = bits.iter().map(|b| b.count_ones() as usize).sum();
                    matches = Some(bits);
                }
            }
        }
        let matches = matches.unwrap_or_default();

        // Whole words score 2 each (a repeated word counts again), a whole name 10 more.
        let exact: Vec<Option<u32>> = ws
            .iter()
            .map(|w| self.terms.get(w.as_str()).copied())
            .collect();
        let phrase: Option<Vec<u32>> = exact.iter().copied().collect();
        let mut whole_terms: Vec<u32> = exact.iter().flatten().copied().collect();
        whole_terms.sort_unstable();
        // Each whole word (ascending) and what it scores.
        let weights: Vec<(u32, i64)> = whole_terms
            .chunk_by(|a, b| a == b)
            .map(|group| (group[0], 2 * group.len() as i64))
            .collect();
        let mut whole: Vec<(Vec<u64>, i64)> = Vec::new();
        for &(t, n) in weights.iter().filter(|_| !listed) {
            // Only ever read where a slot matches: there alone when the matches are few.
            let postings = self.postings[t as usize].len();
            let bits = if count.saturating_mul(sparse) < postings {
                let mut bits = matches.clone();
                self.keep_holding(&mut bits, &[t]);
                bits
            } else {
                bits_of(&[t])
            };
            whole.push((bits, n));
        }
        let every_word = 2 * ws.len() as i64;

        let f = &s.filter;
        let kind = self.kinds.wanted(f.kind.map(|k| k.as_str()));
        let status = self.statuses.wanted(f.status.map(|k| k.as_str()));
        let region = self.regions.wanted(f.region.as_deref());
        let economic_region = self.economic_regions.wanted(f.economic_region.as_deref());
        let ownership = self.ownerships.wanted(f.ownership.map(|o| o.as_str()));
        let type_word = self.type_words.wanted(f.type_word.as_deref());
        let near = s
            .near
            .map(|(lat, lon, r)| (lat, lon, r, near_box(lat, lon, r)));
        let reads_slot = economic_region.is_some()
            || ownership.is_some()
            || type_word.is_some()
            || s.founded_from.is_some()
            || s.founded_to.is_some()
            || s.bbox.is_some()
            || near.is_some();
        let is = |want: Option<u8>, have: u8| want.is_none_or(|w| w == have);

        // Order: (minus the score when by relevance, then the id's place or the id), smallest
        // first; from the newest, the place or id reversed.
        let desc = sort == Sort::CreatedDesc;
        let place = |i: usize| -> u128 {
            if by_place {
                let p = i as u128 + 1;
                if desc {
                    u128::MAX - p
                } else {
                    p
                }
            } else {
                let n = uuid_of(self.slots[i].id).as_u128();
                if desc {
                    !n
                } else {
                    n
                }
            }
        };
        let primary = |score: i64| if sort == Sort::Relevance { -score } else { 0 };
        let after_key = after.map(|(score, id)| {
            let k = key(id);
            let sorted = &self.slots[..self.sorted];
            let second = match (by_place, desc) {
                // After the id: the slots from the first with a greater id.
                (true, false) => sorted.partition_point(|s| s.id <= k) as u128,
                // Before the id: the slots up to the last with a smaller id.
                (true, true) => u128::MAX - (sorted.partition_point(|s| s.id < k) as u128 + 1),
                (false, false) => id.as_u128(),
                (false, true) => !id.as_u128(),
            };
            (primary(score), second)
        });

        // The groups kind, status and region let through, when filtered on.
        let allowed: Option<Vec<bool>> = (kind.is_some() || status.is_some() || region.is_some())
            .then(|| {
                self.groups
                    .iter()
                    .map(|&(k, r, st)| is(kind, k) && is(status, st) && is(region, r))
                    .collect()
            });
        let mut by_group = vec![0i64; self.groups.len()];
        // Whether slot `i` (of `group`) passes the filters; counted if it does.
        let mut admit = |i: usize, group: u16| {
            let g = usize::from(group);
            if group == NO_GROUP
                || allowed
                    .as_ref()
                    .is_some_and(|a| !a.get(g).copied().unwrap_or(false))
            {
                return false;
            }
            if reads_slot
                && !self.passes(
                    &self.slots[i],
                    s,
                    near,
                    [economic_region, ownership, type_word],
                )
            {
                return false;
            }
            if let Some(n) = by_group.get_mut(g) {
                *n += 1;
            }
            true
        };
        // The page so far: the `limit` + 1 smallest orders.
        let mut page: BinaryHeap<((i64, u128), i64, usize)> = BinaryHeap::with_capacity(limit + 2);
        // The best score a slot can have.
        let best = every_word + if phrase.is_some() { 10 } else { 0 };
        // Puts slot `i`, whose whole words score `score`, on the page if it belongs there;
        // says whether the page is then full of the best scores, so that no slot after it in
        // place order can make it.
        let mut offer = |i: usize, mut score: i64| {
            if let Some(phrase) = &phrase {
                if score == every_word
                    && usize::from(self.shortest[i]) <= phrase.len()
                    && self.names_of(i).any(|name| name == phrase.as_slice())
                {
                    score += 10;
                }
            }
            let first = primary(score);
            // Cannot make the page: no need to read its id.
            if page.len() > limit && page.peek().is_some_and(|(top, _, _)| first > top.0) {
                return false;
            }
            let order = (first, place(i));
            if after_key.is_some_and(|a| order <= a) {
                return false;
            }
            if page.len() <= limit {
                page.push((order, score, i));
            } else if page.peek().is_some_and(|(top, _, _)| order < *top) {
                page.pop();
                page.push((order, score, i));
            }
            page.len() > limit
                && page
                    .peek()
                    .is_some_and(|(top, _, _)| top.0 == primary(best))
        };
        // Uncounted, the list (in place order) is read only until the page is settled.
        let settles = !counted && by_place && !desc;
        let page = if listed {
            // Which whole words a slot holds, read from its names.
            let mut holds = vec![false; weights.len()];
            for &i in &list {
                let i = i as usize;
                let Some(&group) = self.group_of.get(i) else {
                    continue;
                };
                if !admit(i, group) {
                    continue;
                }
                holds.fill(false);
                let slot = &self.slots[i];
                let at = slot.words_at as usize;
                for t in &self.words[at..at + slot.words_len as usize] {
                    if let Ok(k) = weights.binary_search_by_key(t, |&(w, _)| w) {
                        holds[k] = true;
                    }
                }
                let score = weights
                    .iter()
                    .zip(&holds)
                    .filter(|(_, &held)| held)
                    .map(|((_, n), _)| n)
                    .sum();
                if offer(i, score) && settles {
                    break;
                }
            }
            page.into_sorted_vec()
        } else if by_place && whole.len() <= 1 {
            self.page_by_levels(
                matches,
                &mut by_group,
                &Levels {
                    passes: &|i: usize| {
                        let g = usize::from(self.group_of[i]);
                        allowed
                            .as_ref()
                            .is_none_or(|a| a.get(g).copied().unwrap_or(false))
                            && (!reads_slot
                                || self.passes(
                                    &self.slots[i],
                                    s,
                                    near,
                                    [economic_region, ownership, type_word],
                                ))
                    },
                    whole: whole.first(),
                    phrase: phrase
                        .as_deref()
                        .filter(|_| whole.first().is_some_and(|(_, n)| *n == every_word)),
                    sort,
                    after: after_key,
                    limit,
                },
            )
        } else {
            // Whole words of the 64 slots of a block, a bit each.
            let mut whole_bits = vec![0u64; whole.len()];
            for (block, (&bits, groups)) in matches.iter().zip(self.group_of.chunks(64)).enumerate()
            {
                if bits == 0 {
                    continue;
                }
                for (w, (all, _)) in whole_bits.iter_mut().zip(&whole) {
                    *w = all[block];
                }
                let mut bits = bits;
                while bits != 0 {
                    let j = bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    let i = block * 64 + j;
                    let Some(&group) = groups.get(j) else { break };
                    if !admit(i, group) {
                        continue;
                    }
                    let mut score = 0i64;
                    for (w, (_, n)) in whole_bits.iter().zip(&whole) {
                        if w >> j & 1 == 1 {
                            score += n;
                        }
                    }
                    offer(i, score);
                }
            }
            page.into_sorted_vec()
        };
        let (mut by_kind, mut by_region, mut by_status) = ([0i64; 256], [0i64; 256], [0i64; 256]);
        let mut total = 0i64;
        for (&n, &(k, r, st)) in by_group.iter().zip(&self.groups) {
            total += n;
            by_kind[usize::from(k)] += n;
            by_region[usize::from(r)] += n;
            by_status[usize::from(st)] += n;
        }
        let mut page = page;
        let more = page.len() > limit;
        page.truncate(limit);

        let mut facets = Facets::default();
        for (counts, values, into) in [
            (&by_kind, &self.kinds, &mut facets.kind),
            (&by_status, &self.statuses, &mut facets.status),
        ] {
            for (i, &n) in counts.iter().enumerate() {
                if let (true, Some(name)) = (n > 0, values.name(i as u8)) {
                    into.insert(name.to_string(), n);
                }
            }
        }
        for (i, &n) in by_region.iter().enumerate() {
            if n > 0 {
                let name = self.regions.name(i as u8).unwrap_or("none");
                facets.region.insert(name.to_string(), n);
            }
        }
        Ranked {
            page: page
                .into_iter()
                .map(|(_, score, i)| (score, uuid_of(self.slots[i].id)))
                .collect(),
            more,
            total,
            facets,
        }
    }

    /// The page of a search of one whole word at most (the broad ones), while slots are in id
    /// order: the matches that pass the filters are counted, then the page is taken level by
    /// level — whole names, whole words, the rest when by relevance — each in place order,
    /// without ranking every match.
    fn page_by_levels(
        &self,
        mut matches: Vec<u64>,
        by_group: &mut [i64],
        l: &Levels<'_>,
    ) -> Vec<((i64, u128), i64, usize)> {
        for (block, (bits, groups)) in matches.iter_mut().zip(self.group_of.chunks(64)).enumerate()
        {
            let mut rest = *bits;
            while rest != 0 {
                let j = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                let group = groups.get(j).copied().unwrap_or(NO_GROUP);
                if group == NO_GROUP || !(l.passes)(block * 64 + j) {
                    *bits &= !(1 << j);
                } else if let Some(n) = by_group.get_mut(usize::from(group)) {
                    *n += 1;
                }
            }
        }
        let (whole, n): (&[u64], i64) = l.whole.map_or((&[], 0), |(w, n)| (w.as_slice(), *n));
        let is_whole = |i: usize| whole.get(i / 64).is_some_and(|b| b >> (i % 64) & 1 == 1);
        // Entries with a name that is the whole query, among those holding the word whole.
        let mut named: Vec<usize> = Vec::new();
        if let Some(phrase) = l.phrase {
            for (block, (&m, &w)) in matches.iter().zip(whole).enumerate() {
                let mut rest = m & w;
                while rest != 0 {
                    let i = block * 64 + rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    if usize::from(self.shortest[i]) <= phrase.len()
                        && self.names_of(i).any(|name| name == phrase)
                    {
                        named.push(i);
                    }
                }
            }
        }
        let desc = l.sort == Sort::CreatedDesc;
        let place = |i: usize| {
            let p = i as u128 + 1;
            if desc {
                u128::MAX - p
            } else {
                p
            }
        };
        let mut page = Vec::with_capacity(l.limit + 1);
        // Appends slot `i` unless the cursor is past it; says when the page is full.
        let mut take = |i: usize| {
            let score = if is_whole(i) { n } else { 0 }
                + if named.binary_search(&i).is_ok() {
                    10
                } else {
                    0
                };
            let first = if l.sort == Sort::Relevance { -score } else { 0 };
            let order = (first, place(i));
            if l.after.is_none_or(|a| order > a) {
                page.push((order, score, i));
            }
            page.len() > l.limit
        };
        let ones = |bits: u64, block: usize| {
            let mut rest = bits;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let j = rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    block * 64 + j
                })
            })
        };
        let word = |b: usize| whole.get(b).copied().unwrap_or(0);
        match l.sort {
            Sort::CreatedDesc => {
                'all: for (block, &m) in matches.iter().enumerate().rev() {
                    let mut rest = m;
                    while rest != 0 {
                        let j = 63 - rest.leading_zeros() as usize;
                        rest &= !(1 << j);
                        if take(block * 64 + j) {
                            break 'all;
                        }
                    }
                }
            }
            Sort::Relevance => {
                // Whole names, then whole words, then the rest.
                let levels: [&dyn Fn(usize, u64) -> u64; 2] =
                    [&|b, m| m & word(b), &|b, m| m & !word(b)];
                let mut full = named.iter().any(|&i| take(i));
                for level in levels {
                    for (block, &m) in matches.iter().enumerate() {
                        if full {
                            break;
                        }
                        for i in ones(level(block, m), block) {
                            if named.binary_search(&i).is_err() && take(i) {
                                full = true;
                                break;
                            }
                        }
                    }
                }
            }
            _ => {
                'all: for (block, &m) in matches.iter().enumerate() {
                    for i in ones(m, block) {
                        if take(i) {
                            break 'all;
                        }
                    }
                }
            }
        }
        page
    }

    /// Keeps in `bits` the slots holding one of the words `ts` (ascending); how many that is.
    fn keep_holding(&self, bits: &mut [u64], ts: &[u32]) -> usize {
        let has = term_set(ts, self.postings.len());
        let mut kept = 0;
        for (block, b) in bits.iter_mut().enumerate() {
            let mut rest = *b;
            while rest != 0 {
                let j = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                if self.holds(block * 64 + j, &has) {
                    kept += 1;
                } else {
                    *b &= !(1 << j);
                }
            }
        }
        kept
    }

    /// Whether slot `i` holds a word that `has`.
    fn holds(&self, i: usize, has: &impl Fn(u32) -> bool) -> bool {
        let slot = &self.slots[i];
        let at = slot.words_at as usize;
        self.words[at..at + slot.words_len as usize]
            .iter()
            .any(|&t| has(t))
    }

    /// The slots holding a word of each of `lists` (the words of a prefix each, cheapest
    /// first, and their postings), ascending: the first's postings, then those of them holding
    /// each of the others, whichever way is cheapest.
    fn listed(&self, lists: &mut [(Vec<u32>, usize)], tune: Tuning) -> Vec<u32> {
        let Some(((first, _), rest)) = lists.split_first_mut() else {
            return Vec::new();
        };
        let mut m: Vec<u32> = first
            .iter()
            .flat_map(|&t| self.postings[t as usize].as_slice())
            .copied()
            .collect();
        if first.len() > 1 {
            m.sort_unstable();
            m.dedup();
        }
        let blocks = self.slots.len().div_ceil(64);
        for (ts, n) in rest {
            if m.is_empty() {
                break;
            }
            // The cheapest way: a bit for each match, tested for each of the word's postings;
            // galloping through the postings; or reading the matches' names.
            // Words held by many, kept as bits too: a bit tested for each match.
            let dense: Option<Vec<&Vec<u64>>> = ts.iter().map(|t| self.dense.get(t)).collect();
            if let Some(dense) = dense.filter(|_| tune.dense) {
                m.retain(|&i| {
                    dense.iter().any(|bits| {
                        bits.get(i as usize / 64)
                            .is_some_and(|b| b >> (i % 64) & 1 == 1)
                    })
                });
                continue;
            }
            let by_bits = blocks + m.len() + *n;
            let by_gallop = m.len().saturating_mul(ts.len()).saturating_mul(tune.gallop);
            let by_names = m.len().saturating_mul(tune.names);
            if by_bits <= by_gallop && by_bits <= by_names {
                let mut bits = vec![0u64; blocks];
                for &i in &m {
                    bits[i as usize / 64] |= 1 << (i % 64);
                }
                m.clear();
                for &t in ts.iter() {
                    for &i in self.postings[t as usize].as_slice() {
                        let b = &mut bits[i as usize / 64];
                        if *b >> (i % 64) & 1 == 1 {
                            // Taken once, however many of the words the slot holds.
                            *b &= !(1 << (i % 64));
                            m.push(i);
                        }
                    }
                }
                if ts.len() > 1 {
                    m.sort_unstable();
                }
            } else if by_gallop <= by_names {
                let mut keep = vec![false; m.len()];
                for &t in ts.iter() {
                    mark_held(&m, self.postings[t as usize].as_slice(), &mut keep);
                }
                let mut kept = keep.into_iter();
                m.retain(|_| kept.next().unwrap_or(false));
            } else {
                ts.sort_unstable();
                let has = term_set(ts, self.postings.len());
                m.retain(|&i| self.holds(i as usize, &has));
            }
        }
        m
    }

    /// The names of slot `i`, each as its word numbers.
    pub(super) fn names_of(&self, i: usize) -> impl Iterator<Item = &[u32]> {
        let slot = &self.slots[i];
        let at = slot.words_at as usize;
        names_in(&self.words[at..at + slot.words_len as usize])
    }

    /// Whether a slot passes the filters beyond kind, status and region: economic region,
    /// ownership, type, founding years, box and distance.
    fn passes(
        &self,
        slot: &Slot,
        s: &Search,
        near: Option<(f64, f64, f64, NearBox)>,
        [economic_region, ownership, type_word]: [Option<u8>; 3],
    ) -> bool {
        let is = |want: Option<u8>, have: u8| want.is_none_or(|w| w == have);
        if !is(economic_region, slot.economic_region)
            || !is(ownership, slot.ownership)
            || !is(type_word, slot.type_word)
        {
            return false;
        }
        let founded = i64::from(slot.founded);
        let none = slot.founded == i16::MIN;
        if s.founded_from.is_some_and(|y| none || founded < y)
            || s.founded_to.is_some_and(|y| none || founded > y)
        {
            return false;
        }
        let (lat, lon) = (slot.lat, slot.lon);
        if let Some([min_lon, min_lat, max_lon, max_lat]) = s.bbox {
            if !(lat >= min_lat && lat <= max_lat && lon >= min_lon && lon <= max_lon) {
                return false;
            }
        }
        if let Some((plat, plon, r, b)) = near {
            return lat >= b.lat_from
                && lat <= b.lat_to
                && lon >= b.lon_from
                && lon <= b.lon_to
                && ((lon - plon) * b.kx) * ((lon - plon) * b.kx)
                    + ((lat - plat) * 110.574) * ((lat - plat) * 110.574)
                    <= r * r;
        }
        true
    }
}

/// Whether a word number is one of `ts` (ascending, of `terms` word numbers): a bit per word
/// number when they are many (a short prefix), else a binary search.
fn term_set(ts: &[u32], terms: usize) -> impl Fn(u32) -> bool + '_ {
    let many: Option<Vec<u64>> = (ts.len() > 8).then(|| {
        let mut set = vec![0u64; terms.div_ceil(64)];
        for &t in ts {
            set[t as usize / 64] |= 1 << (t % 64);
        }
        set
    });
    move |t| match &many {
        Some(set) => set
            .get(t as usize / 64)
            .is_some_and(|b| b >> (t % 64) & 1 == 1),
        None => ts.binary_search(&t).is_ok(),
    }
}

/// The names in a slot's words, each as its word numbers.
pub(super) fn names_in(words: &[u32]) -> impl Iterator<Item = &[u32]> {
    words
        .split(|&t| t == END_OF_NAME)
        .filter(|name| !name.is_empty())
}

/// Marks in `keep` each slot of `m` that `postings` holds (both ascending), galloping
/// through `postings` from where the last slot was looked for.
fn mark_held(m: &[u32], postings: &[u32], keep: &mut [bool]) {
    let mut from = 0;
    for (k, &slot) in m.iter().enumerate() {
        let rest = &postings[from..];
        if rest.is_empty() {
            break;
        }
        let mut step = 1;
        while step < rest.len() && rest[step] < slot {
            step *= 2;
        }
        match rest[..(step + 1).min(rest.len())].binary_search(&slot) {
            Ok(j) => {
                keep[k] = true;
                from += j + 1;
            }
            Err(j) => from += j,
        }
    }
}
