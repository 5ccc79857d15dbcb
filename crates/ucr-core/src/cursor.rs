//! Cursors: where a page of a list or of a search ended. A page hands one out as its
//! `next_cursor`, written as text the client does not read, and the request for the next page
//! brings it back. Only cursors the register could have handed out are taken: anything else
//! is [`NotACursor`].
//!
//! The change feed has none: by API contract its `since` is the plain number of the last change
//! seen, and its `next_cursor` that number.

use crate::query::MAX_SCORE;
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// Text that is not a cursor the register hands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a cursor from next_cursor")]
pub struct NotACursor;

/// Where a page of a list ended: the next page starts after this entry (lists go in id
/// order). Written as the id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListCursor {
    /// The id of the last entry of the page.
    pub after: Uuid,
}

impl fmt::Display for ListCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.after.hyphenated().fmt(f)
    }
}

impl FromStr for ListCursor {
    type Err = NotACursor;

    fn from_str(s: &str) -> Result<ListCursor, NotACursor> {
        let after = Uuid::parse_str(s).map_err(|_| NotACursor)?;
        Ok(ListCursor { after })
    }
}

/// Where a page of a search ended: the last entry's score and sort key (each used by the
/// sorts that need it) and its id. Written as the hexadecimal bytes of the JSON array
/// `[score, key, id]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchCursor {
    /// Relevance score, 0 to the highest a search gives.
    pub score: i64,
    /// Registry number or name, for the sorts by them; empty otherwise.
    pub key: String,
    /// The entry's id.
    pub id: Uuid,
}

/// The longest search cursor read, in characters.
const SEARCH_CURSOR_MAX: usize = 4096;

/// Writes a cursor's JSON as the hexadecimal bytes of its text.
fn hex(f: &mut fmt::Formatter<'_>, raw: &impl fmt::Display) -> fmt::Result {
    raw.to_string()
        .bytes()
        .try_for_each(|b| write!(f, "{b:02x}"))
}

/// Reads what [`hex`] wrote (at most [`SEARCH_CURSOR_MAX`] characters) as `T`.
fn unhex<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, NotACursor> {
    if s.len() % 2 != 0 || s.len() > SEARCH_CURSOR_MAX {
        return Err(NotACursor);
    }
    let bytes: Option<Vec<u8>> = (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect();
    serde_json::from_slice(&bytes.ok_or(NotACursor)?).map_err(|_| NotACursor)
}

impl fmt::Display for SearchCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        hex(
            f,
            &serde_json::json!([self.score, self.key, self.id.to_string()]),
        )
    }
}

impl FromStr for SearchCursor {
    type Err = NotACursor;

    fn from_str(s: &str) -> Result<SearchCursor, NotACursor> {
        let (score, key, id): (i64, String, String) = unhex(s)?;
        // Ids as the register writes them (a hand-made cursor may spell one otherwise), scores
        // as a search gives them.
        let id = Uuid::parse_str(&id).map_err(|_| NotACursor)?;
        if key.chars().any(char::is_control) || !(0..=MAX_SCORE).contains(&score) {
            return Err(NotACursor);
        }
        Ok(SearchCursor { score, key, id })
    }
}

/// Where an OAI-PMH harvest stands (its `resumptionToken`): the change sequence number the
/// harvest reads at (fixed by its first request, so that the list neither grows nor shrinks
/// while entries change), the last sequence number delivered, how many records were delivered
/// and the list's size, and the request's arguments. Written as the hexadecimal bytes of a JSON
/// array, like [`SearchCursor`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HarvestCursor {
    /// The change sequence number the whole harvest reads at.
    pub snapshot: i64,
    /// The sequence number of the last record delivered.
    pub after: i64,
    /// Records delivered so far.
    pub delivered: i64,
    /// Records in the whole list.
    pub size: i64,
    /// The metadata format.
    pub prefix: String,
    /// The set, if any.
    pub set: Option<String>,
    /// `from`, in seconds since 1970 (UTC), if given.
    pub from: Option<i64>,
    /// `until`, in seconds since 1970 (UTC), if given.
    pub until: Option<i64>,
}

impl fmt::Display for HarvestCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let raw = serde_json::json!([
            self.snapshot,
            self.after,
            self.delivered,
            self.size,
            self.prefix,
            self.set,
            self.from,
            self.until
        ]);
        hex(f, &raw)
    }
}

type HarvestFields = (
    i64,
    i64,
    i64,
    i64,
    String,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

impl FromStr for HarvestCursor {
    type Err = NotACursor;

    fn from_str(s: &str) -> Result<HarvestCursor, NotACursor> {
        let (snapshot, after, delivered, size, prefix, set, from, until): HarvestFields = unhex(s)?;
        let sane = snapshot >= 0
            && (0..=snapshot).contains(&after)
            && (0..=size).contains(&delivered)
            && !prefix.chars().any(char::is_control)
            && !set
                .as_deref()
                .is_some_and(|s| s.chars().any(char::is_control));
        if !sane {
            return Err(NotACursor);
        }
        Ok(HarvestCursor {
            snapshot,
            after,
            delivered,
            size,
            prefix,
            set,
            from,
            until,
        })
    }
}

/// Where a page of an entry's history ended: the next page starts after this version
/// (histories go in version order). Written as `v` and the version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryCursor {
    /// The version of the last revision of the page.
    pub after: i64,
}

impl fmt::Display for HistoryCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.after)
    }
}

impl FromStr for HistoryCursor {
    type Err = NotACursor;

    fn from_str(s: &str) -> Result<HistoryCursor, NotACursor> {
        let digits = s.strip_prefix('v').ok_or(NotACursor)?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NotACursor);
        }
        let after = digits
            .parse::<i64>()
            .ok()
            .filter(|v| *v >= 1)
            .ok_or(NotACursor)?;
        Ok(HistoryCursor { after })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(score: i64, key: &str, id: &str) -> Option<SearchCursor> {
        Some(SearchCursor {
            score,
            key: key.to_string(),
            id: Uuid::parse_str(id).ok()?,
        })
    }

    #[test]
    fn cursors_hold_what_a_search_gives_and_no_more() {
        let id = "01a1ff4f-1c51-7741-98bf-fcf355ebfe04";
        let hex = |raw: &str| raw.bytes().map(|b| format!("{b:02x}")).collect::<String>();
        let ours = search(12, "", id).map(|c| c.to_string());
        assert_eq!(ours, Some(hex(&format!("[12,\"\",\"{id}\"]"))));
        assert_eq!(
            ours.and_then(|c| c.parse::<SearchCursor>().ok()),
            search(12, "", id)
        );
        // The id as the register writes it, however the cursor spelt it.
        let upper = hex(&format!("[2,\"\",\"{}\"]", id.to_uppercase()));
        assert_eq!(upper.parse::<SearchCursor>().ok(), search(2, "", id));
        // Scores no search gives (one would overflow when negated).
        for score in [i64::MIN, -1, MAX_SCORE + 1, i64::MAX] {
            assert_eq!(
                hex(&format!("[{score},\"\",\"{id}\"]")).parse::<SearchCursor>(),
                Err(NotACursor)
            );
        }
    }

    #[test]
    fn a_history_cursor_is_the_last_version_of_the_page() {
        assert_eq!("v3".parse(), Ok(HistoryCursor { after: 3 }));
        assert_eq!(HistoryCursor { after: 12 }.to_string(), "v12");
        for bad in [
            "",
            "v",
            "3",
            "v0",
            "v-1",
            "v+1",
            "v1.0",
            "v99999999999999999999",
            "V3",
        ] {
            assert_eq!(bad.parse::<HistoryCursor>(), Err(NotACursor), "{bad}");
        }
    }

    #[test]
    fn a_list_cursor_is_the_id_of_the_last_entry() {
        let id = "01a1ff4f-1c51-7741-98bf-fcf355ebfe04";
        let cursor: Result<ListCursor, _> = id.parse();
        assert_eq!(cursor.map(|c| c.to_string()), Ok(id.to_string()));
        assert_eq!(
            id.to_uppercase()
                .parse::<ListCursor>()
                .map(|c| c.to_string()),
            Ok(id.to_string())
        );
        for bad in [
            "",
            "abc",
            "01a1ff4f-1c51-7741-98bf-fcf355ebfe0",
            "MUS-000001",
        ] {
            assert_eq!(bad.parse::<ListCursor>(), Err(NotACursor));
        }
    }
    #[test]
    fn a_harvest_cursor_reads_back_and_refuses_what_no_harvest_gives() {
        let c = HarvestCursor {
            snapshot: 40,
            after: 12,
            delivered: 10,
            size: 30,
            prefix: "oai_dc".into(),
            set: Some("heritage_object:immovable".into()),
            from: Some(1_700_000_000),
            until: None,
        };
        assert_eq!(c.to_string().parse::<HarvestCursor>(), Ok(c.clone()));
        let hex = |raw: &str| raw.bytes().map(|b| format!("{b:02x}")).collect::<String>();
        for bad in [
            hex("[40,41,0,30,\"oai_dc\",null,null,null]"),
            hex("[40,1,31,30,\"oai_dc\",null,null,null]"),
            hex("[40,1,0,30]"),
            "zz".into(),
            "abc".into(),
        ] {
            assert_eq!(bad.parse::<HarvestCursor>(), Err(NotACursor), "{bad}");
        }
    }
}
