use super::*;
use std::sync::{Arc, Barrier};

#[test]
fn two_writers_with_the_same_expected_version_one_wins() {
    each_backend(|register| {
        let t = register.create(theatre(), &clerk()).unwrap().entry;
        let key = t.id.to_string();
        let first = register.patch(&key, &json!({"seats": 300}), &clerk().at_version(1));
        let second = register.patch(&key, &json!({"seats": 400}), &clerk().at_version(1));
        assert_eq!(first.unwrap().entry.version, 2);
        assert!(matches!(
            second,
            Err(RegisterError::VersionMismatch {
                expected: 1,
                actual: 2
            })
        ));
        assert_eq!(register.get(&key).unwrap().to_json()["seats"], json!(300));
        assert_eq!(register.history(&key).unwrap().len(), 2);
    });
}

#[test]
fn concurrent_read_modify_write_loses_no_update() {
    each_backend(|register| {
        let t = register.create(theatre(), &clerk()).unwrap().entry;
        let key = t.id.to_string();
        let threads = 4;
        let rounds = 25;
        let barrier = Arc::new(Barrier::new(threads));
        let wins: usize = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    let barrier = barrier.clone();
                    let key = key.clone();
                    s.spawn(move || {
                        barrier.wait();
                        let mut wins = 0;
                        for _ in 0..rounds {
                            let current = register.get(&key).unwrap();
                            let seats = current.to_json()["seats"].as_i64().unwrap();
                            match register.patch(
                                &key,
                                &json!({"seats": seats + 1}),
                                &clerk().at_version(current.version),
                            ) {
                                Ok(_) => wins += 1,
                                Err(RegisterError::VersionMismatch { .. }) => {}
                                Err(other) => panic!("unexpected error: {other:?}"),
                            }
                        }
                        wins
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).sum()
        });
        let last = register.get(&key).unwrap();
        assert!(wins > 0);
        assert_eq!(last.version, 1 + wins as i64);
        assert_eq!(last.to_json()["seats"], json!(210 + wins as i64));
        assert_eq!(register.history(&key).unwrap().len(), 1 + wins);
    });
}
