//! The statements of the single window and of the statistics: one WHERE clause for both
//! backends (numbered placeholders, and the words matched by each backend's full-text index),
//! a search's page and facet counts in one or two statements, and grouped sums.

use super::connection::{self, Db};
use super::schema::{counters, entries};
use crate::error::RegisterError;
use crate::query::{near_box, words, BadSearch, Group, GroupBy, Search, Sort};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Nullable, Text};
use std::collections::HashMap;

/// A bind value of the generated SQL.
#[derive(Debug, Clone)]
enum Bind {
    Text(String),
    Int(i64),
    Float(f64),
}

/// SQL built for one backend, with its binds in order.
struct Sql {
    pg: bool,
    text: String,
    binds: Vec<Bind>,
}

impl Sql {
    fn new(pg: bool) -> Sql {
        Sql {
            pg,
            text: String::new(),
            binds: Vec::new(),
        }
    }

    /// Appends a placeholder for `b`: numbered, so it may be used more than once and in any
    /// order (`$N` on PostgreSQL, `?N` on SQLite, where `$N` would be a named parameter
    /// numbered by first appearance).
    fn bind(&mut self, b: Bind) -> String {
        self.binds.push(b);
        connection::placeholder(self.pg, self.binds.len())
    }
}

/// The WHERE clause shared by search, facets and statistics.
fn conditions(s: &Search, sql: &mut Sql) -> Result<Vec<String>, BadSearch> {
    let mut c = Vec::new();
    let f = &s.filter;
    let equal = [
        ("kind", f.kind.map(|k| k.as_str().to_string())),
        ("status", f.status.map(|st| st.as_str().to_string())),
        ("region", f.region.clone()),
        ("economic_region", f.economic_region.clone()),
        ("ownership", f.ownership.map(|o| o.as_str().to_string())),
        ("type_word", f.type_word.clone()),
    ];
    for (column, value) in equal {
        match value {
            // A value no entry can hold is not sent (PostgreSQL refuses some of them).
            Some(v) if !connection::can_match(&v) => c.push("1 = 0".to_string()),
            Some(v) => {
                let p = sql.bind(Bind::Text(v));
                c.push(format!("{column} = {p}"));
            }
            None => {}
        }
    }
    if let Some(n) = &f.inventory_number {
        let p = sql.bind(Bind::Text(n.clone()));
        c.push(format!(
            "entries.id IN (SELECT entry_id FROM inventory_numbers WHERE inventory_number = {p})"
        ));
    }
    if let Some(y) = s.founded_from {
        let p = sql.bind(Bind::Int(y));
        c.push(format!("founded_year >= {p}"));
    }
    if let Some(y) = s.founded_to {
        let p = sql.bind(Bind::Int(y));
        c.push(format!("founded_year <= {p}"));
    }
    if let Some([min_lon, min_lat, max_lon, max_lat]) = s.bbox {
        if min_lon > max_lon || min_lat > max_lat {
            return Err(BadSearch("bbox is min_lon,min_lat,max_lon,max_lat".into()));
        }
        let (a, b) = (
            sql.bind(Bind::Float(min_lat)),
            sql.bind(Bind::Float(max_lat)),
        );
        let (d, e) = (
            sql.bind(Bind::Float(min_lon)),
            sql.bind(Bind::Float(max_lon)),
        );
        c.push(format!(
            "lat BETWEEN {a} AND {b} AND lon BETWEEN {d} AND {e}"
        ));
    }
    if let Some((lat, lon, r)) = s.near {
        if !(r > 0.0 && r <= 1000.0) {
            return Err(BadSearch(
                "radius_km is more than 0 and at most 1000".into(),
            ));
        }
        let b = near_box(lat, lon, r);
        let (a, bb) = (
            sql.bind(Bind::Float(b.lat_from)),
            sql.bind(Bind::Float(b.lat_to)),
        );
        let (d, e) = (
            sql.bind(Bind::Float(b.lon_from)),
            sql.bind(Bind::Float(b.lon_to)),
        );
        let (plat, plon) = (sql.bind(Bind::Float(lat)), sql.bind(Bind::Float(lon)));
        let (pkx, pr) = (sql.bind(Bind::Float(b.kx)), sql.bind(Bind::Float(r * r)));
        c.push(format!(
            "lat BETWEEN {a} AND {bb} AND lon BETWEEN {d} AND {e} AND \
             ((lon - {plon}) * {pkx}) * ((lon - {plon}) * {pkx}) + \
             ((lat - {plat}) * 110.574) * ((lat - {plat}) * 110.574) <= {pr}"
        ));
    }
    if let Some(q) = &s.q {
        let ws = words(q);
        if ws.is_empty() {
            return Err(BadSearch("q has no letters or digits to search for".into()));
        }
        let (query, condition) = connection::words_match(sql.pg, &ws);
        let p = sql.bind(Bind::Text(query));
        c.push(condition.replace("{p}", &p));
    }
    Ok(c)
}

/// The relevance score: whole-word matches count 2, a name that is exactly the query 10.
/// (`search_text` is `| name one | name two |`, see the entries row.)
fn score_sql(s: &Search, sql: &mut Sql) -> String {
    let Some(q) = &s.q else {
        return "0".into();
    };
    let ws = words(q);
    let mut parts = Vec::new();
    for w in &ws {
        let p = sql.bind(Bind::Text(format!("% {w} %")));
        parts.push(format!(
            "CASE WHEN (' ' || search_text || ' ') LIKE {p} THEN 2 ELSE 0 END"
        ));
    }
    let whole = sql.bind(Bind::Text(format!("%| {} |%", ws.join(" "))));
    parts.push(format!(
        "CASE WHEN search_text LIKE {whole} THEN 10 ELSE 0 END"
    ));
    format!("({})", parts.join(" + "))
}

#[derive(QueryableByName)]
pub(crate) struct Hit {
    #[diesel(sql_type = Text)]
    pub(crate) body: String,
    #[diesel(sql_type = BigInt)]
    pub(crate) score: i64,
    #[diesel(sql_type = Text)]
    pub(crate) sort_key: String,
    #[diesel(sql_type = Text)]
    pub(crate) id: String,
}

/// A row of the one-pass search: a facet cell (`part` 0) or an entry of the page (`part` 1,
/// `n` its place).
#[derive(QueryableByName)]
struct Pass {
    #[diesel(sql_type = BigInt)]
    part: i64,
    #[diesel(sql_type = Nullable<Text>)]
    body: Option<String>,
    #[diesel(sql_type = BigInt)]
    score: i64,
    #[diesel(sql_type = Text)]
    sort_key: String,
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Nullable<Text>)]
    kind: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    region: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    status: Option<String>,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
pub(crate) struct FacetCell {
    #[diesel(sql_type = Text)]
    pub(crate) kind: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub(crate) region: Option<String>,
    #[diesel(sql_type = Text)]
    pub(crate) status: String,
    #[diesel(sql_type = BigInt)]
    pub(crate) n: i64,
}

/// A row of the statistics.
#[derive(QueryableByName)]
struct GroupRow {
    #[diesel(sql_type = Nullable<Text>)]
    key: Option<String>,
    #[diesel(sql_type = BigInt)]
    count: i64,
    #[diesel(sql_type = BigInt)]
    seats: i64,
    #[diesel(sql_type = BigInt)]
    holdings: i64,
    #[diesel(sql_type = BigInt)]
    items: i64,
    #[diesel(sql_type = BigInt)]
    enrolled: i64,
    #[diesel(sql_type = Double)]
    area_ha: f64,
}

fn run<T: diesel::deserialize::QueryableByName<<Db as Connection>::Backend> + 'static>(
    c: &mut Db,
    sql: &Sql,
) -> Result<Vec<T>, RegisterError> {
    let mut q = diesel::sql_query(sql.text.clone()).into_boxed::<<Db as Connection>::Backend>();
    for b in &sql.binds {
        q = match b {
            Bind::Text(s) => q.bind::<Text, _>(s.clone()),
            Bind::Int(i) => q.bind::<BigInt, _>(*i),
            Bind::Float(f) => q.bind::<Double, _>(*f),
        };
    }
    Ok(q.load(c)?)
}

fn where_clause(conds: &[String]) -> String {
    if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    }
}

/// Where the change sequence stands.
pub(crate) fn change_seq(c: &mut Db) -> Result<i64, RegisterError> {
    Ok(counters::table
        .filter(counters::name.eq("change"))
        .select(counters::value)
        .first(c)
        .optional()?
        .unwrap_or(0))
}

/// Why a search cannot run, whatever the backend: its filters are wrong.
pub(crate) fn refusal(s: &Search) -> Option<BadSearch> {
    conditions(s, &mut Sql::new(false)).err()
}

/// The entries of a page and the facet cells of the whole match.
pub(crate) type Page = (Vec<Hit>, Vec<FacetCell>);

/// A search on the tables: at most `limit` + 1 entries of its page after `after` (score,
/// sort key, id of the last entry of the page before), in `sort` order, and the counts of its
/// matches by kind, region and status.
pub(crate) fn page(
    conn: &mut Db,
    s: &Search,
    sort: Sort,
    limit: i64,
    after: Option<(i64, String, String)>,
) -> Result<Result<Page, BadSearch>, RegisterError> {
    let pg = connection::is_pg(conn);
    // The page.
    let mut sql = Sql::new(pg);
    let mut conds = match conditions(s, &mut sql) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    let score = score_sql(s, &mut sql);
    let key = match sort {
        Sort::Relevance | Sort::Created | Sort::CreatedDesc => "''".to_string(),
        Sort::RegistryNumber => "registry_number".into(),
        Sort::Name => "name_az".into(),
    };
    // With words to find, the matches are read once: their narrow columns are kept aside,
    // and both the facets and the page come from them in one statement. Without, the page
    // follows an index and stops at the limit, and the facets are a grouped count.
    let one_pass = s.q.is_some();
    let (score_of, key_of) = if one_pass {
        ("score".to_string(), "sort_key".to_string())
    } else {
        (score.clone(), key.clone())
    };
    let mut after_sql = None;
    if let Some((cur_score, cur_key, cur_id)) = after {
        let id = sql.bind(Bind::Text(cur_id));
        after_sql = Some(match sort {
            Sort::Relevance => {
                let sc = sql.bind(Bind::Int(cur_score));
                format!("({score_of} < {sc} OR ({score_of} = {sc} AND id > {id}))")
            }
            Sort::Created => format!("id > {id}"),
            Sort::CreatedDesc => format!("id < {id}"),
            Sort::RegistryNumber | Sort::Name => {
                let k = sql.bind(Bind::Text(cur_key));
                format!("({key_of} > {k} OR ({key_of} = {k} AND id > {id}))")
            }
        });
    }
    let order = match sort {
        Sort::Relevance => format!("{score_of} DESC, id ASC"),
        Sort::Created => "id ASC".into(),
        Sort::CreatedDesc => "id DESC".into(),
        Sort::RegistryNumber | Sort::Name => format!("{key_of} ASC, id ASC"),
    };
    let lim = sql.bind(Bind::Int(limit + 1));
    let (hits, cells) = if one_pass {
        let after = after_sql.map(|a| format!(" WHERE {a}")).unwrap_or_default();
        sql.text = format!(
            "WITH hits AS MATERIALIZED (SELECT id, kind, region, status, \
               CAST({score} AS BIGINT) AS score, CAST({key} AS TEXT) AS sort_key \
               FROM entries{}) \
             SELECT CAST(0 AS BIGINT) AS part, CAST(NULL AS TEXT) AS body, \
               CAST(0 AS BIGINT) AS score, CAST('' AS TEXT) AS sort_key, CAST('' AS TEXT) AS id, \
               kind, region, status, COUNT(*) AS n \
             FROM hits GROUP BY kind, region, status \
             UNION ALL \
             SELECT CAST(1 AS BIGINT), e.body, t.score, t.sort_key, t.id, \
               CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), t.n \
             FROM (SELECT id, score, sort_key, ROW_NUMBER() OVER (ORDER BY {order}) AS n \
                   FROM (SELECT id, score, sort_key FROM hits{after} \
                         ORDER BY {order} LIMIT {lim}) u) t \
             JOIN entries e ON e.id = t.id",
            where_clause(&conds)
        );
        let rows: Vec<Pass> = run(conn, &sql)?;
        let (mut page, groups): (Vec<Pass>, Vec<Pass>) =
            rows.into_iter().partition(|r| r.part == 1);
        page.sort_by_key(|r| r.n);
        let hits = page
            .into_iter()
            .map(|r| Hit {
                body: r.body.unwrap_or_default(),
                score: r.score,
                sort_key: r.sort_key,
                id: r.id,
            })
            .collect();
        let cells = groups
            .into_iter()
            .map(|r| FacetCell {
                kind: r.kind.unwrap_or_default(),
                region: r.region,
                status: r.status.unwrap_or_default(),
                n: r.n,
            })
            .collect();
        (hits, cells)
    } else {
        conds.extend(after_sql);
        // Order and cut on narrow rows first; read the bodies of the page only.
        let outer_order = match sort {
            Sort::Relevance => "t.score DESC, t.id ASC",
            Sort::Created => "t.id ASC",
            Sort::CreatedDesc => "t.id DESC",
            Sort::RegistryNumber | Sort::Name => "t.sort_key ASC, t.id ASC",
        };
        sql.text = format!(
            "SELECT e.body AS body, t.score AS score, t.sort_key AS sort_key, t.id AS id FROM \
             (SELECT id, CAST({score} AS BIGINT) AS score, CAST({key} AS TEXT) AS sort_key \
              FROM entries{} ORDER BY {order} LIMIT {lim}) t \
             JOIN entries e ON e.id = t.id ORDER BY {outer_order}",
            where_clause(&conds)
        );
        let hits: Vec<Hit> = run(conn, &sql)?;
        // Total and facets, over the whole match (no cursor), in one grouped query.
        let mut sql = Sql::new(pg);
        let conds = conditions(s, &mut sql).unwrap_or_default();
        sql.text = format!(
            "SELECT kind, region, status, COUNT(*) AS n FROM entries{} GROUP BY kind, region, status",
            where_clause(&conds)
        );
        let cells: Vec<FacetCell> = run(conn, &sql)?;
        (hits, cells)
    };
    Ok(Ok((hits, cells)))
}

/// The bodies of the entries with these ids (an id no entry has is left out).
pub(crate) fn bodies(
    conn: &mut Db,
    ids: &[String],
) -> Result<HashMap<String, String>, RegisterError> {
    Ok(entries::table
        .filter(entries::id.eq_any(ids))
        .select((entries::id, entries::body))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

/// The column statistics are grouped by.
fn column(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Kind => "kind",
        GroupBy::Region => "region",
        GroupBy::EconomicRegion => "economic_region",
        GroupBy::Status => "status",
    }
}

/// Counts and sums of the entries a search finds, grouped by `by`, largest group first.
pub(crate) fn groups(
    conn: &mut Db,
    s: &Search,
    by: GroupBy,
) -> Result<Result<Vec<Group>, BadSearch>, RegisterError> {
    let pg = connection::is_pg(conn);
    let sums = "COUNT(*) AS count, CAST(COALESCE(SUM(seats), 0) AS BIGINT) AS seats, \
         CAST(COALESCE(SUM(holdings), 0) AS BIGINT) AS holdings, \
         CAST(COALESCE(SUM(items_total), 0) AS BIGINT) AS items, \
         CAST(COALESCE(SUM(enrolled), 0) AS BIGINT) AS enrolled, \
         CAST(COALESCE(SUM(area_ha), 0) AS DOUBLE PRECISION) AS area_ha";
    let mut sql = Sql::new(pg);
    let conds = match conditions(s, &mut sql) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    let column = column(by);
    sql.text = format!(
        "SELECT {column} AS key, {sums} FROM entries{} GROUP BY {column} ORDER BY count DESC, key ASC",
        where_clause(&conds)
    );
    let rows: Vec<GroupRow> = run(conn, &sql)?;
    Ok(Ok(rows
        .into_iter()
        .map(|r| Group {
            key: r.key,
            count: r.count,
            seats: r.seats,
            holdings: r.holdings,
            items: r.items,
            enrolled: r.enrolled,
            area_ha: r.area_ha,
        })
        .collect()))
}
