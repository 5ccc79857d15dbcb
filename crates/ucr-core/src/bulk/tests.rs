//! Unit tests of bulk loading.

use super::*;
use crate::testing::Scratch;
use crate::vocab::Role;

/// Rows of the synthetic set, as the reading thread sends them.
fn batch(from: u64, count: u64, last: bool) -> Batch {
    let rows = (from..from + count)
        .map(|n| {
            Parsed::Entry(Pending {
                file: "rows.ndjson".to_string(),
                line: n + 1,
                value: crate::synthetic::entry(n, 3),
                checked: None,
            })
        })
        .collect();
    Batch {
        rows,
        read: from + count,
        last,
    }
}

fn write(register: &Register, batches: Vec<Batch>) -> Result<ImportReport, Stop> {
    let options = Options {
        mode: Mode::Create,
        match_on: MatchKey::RegistryNumber,
        dialect: read::Dialect::default(),
        atomic: true,
        dry_run: false,
        kind: None,
        writer: Write::by("clerk", Role::Clerk),
    };
    let (to_writer, from_reader) = std::sync::mpsc::sync_channel(batches.len() + 1);
    for b in batches {
        let _ = to_writer.send(b);
    }
    drop(to_writer); // The reading thread is gone.
    let (to_reader, _trash) = std::sync::mpsc::channel();
    let mut conn = register.connection().map_err(Stop::Fail)?;
    conn.transaction(|c| {
        register.write_load(
            c,
            (from_reader, to_reader),
            &options,
            "01a20000-0000-7000-8000-000000000001",
            &["rows.ndjson".to_string()],
            crate::store::naive_now(),
            &mut |_, _| {},
        )
    })
}

fn count(register: &Register) -> i64 {
    register
        .list(&crate::Filter::default(), 1, None)
        .map(|l| l.total)
        .unwrap_or(-1)
}

#[test]
fn rows_that_stop_before_the_last_batch_commit_nothing() -> Result<(), RegisterError> {
    let scratch = Scratch::sqlite()?;
    let register = scratch.register();
    // Two full batches, and then the reading thread ends without its last one.
    let cut = write(
        register,
        vec![batch(0, 1000, false), batch(1000, 1000, false)],
    );
    match cut {
        Err(Stop::Fail(RegisterError::Database(m))) => assert_eq!(m, CUT_SHORT),
        Err(Stop::Fail(other)) => panic!("expected the reading error, got {other:?}"),
        Err(Stop::Rollback(r)) => panic!("expected the reading error, got {r:?}"),
        Ok(r) => panic!("a cut load was committed: {r:?}"),
    }
    assert_eq!(count(register), 0);
    assert!(register.imports()?.is_empty());
    // The same rows with their last batch go in.
    let whole = write(register, vec![batch(0, 1000, false), batch(1000, 5, true)]);
    assert!(
        matches!(&whole, Ok(r) if r.created == 1005),
        "{:?}",
        whole.err().map(|_| ())
    );
    assert_eq!(count(register), 1005);
    Ok(())
}
