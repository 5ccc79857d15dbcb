//! Synthetic registers of any size for benchmarks and load tests: entries of every kind,
//! spread over all 78 units, with names built the way Azerbaijani institutions are named.
//! Deterministic for a given seed.

use crate::regions;
use serde_json::{json, Value};

/// People institutions are named after.
const PEOPLE: &[&str] = &[
    "Nizami Gəncəvi",
    "Üzeyir Hacıbəyli",
    "Məhəmməd Füzuli",
    "Səməd Vurğun",
    "Cəlil Məmmədquluzadə",
    "Mirzə Fətəli Axundov",
    "Hüseyn Cavid",
    "Bülbül",
    "Qara Qarayev",
    "Fikrət Əmirov",
    "Xurşidbanu Natəvan",
    "Mirzə Ələkbər Sabir",
    "Rəşid Behbudov",
    "Səttar Bəhlulzadə",
    "Mikayıl Müşfiq",
    "Abdulla Şaiq",
    "İmadəddin Nəsimi",
    "Asəf Zeynallı",
    "Niyazi",
    "Əhməd Cavad",
];

const THEATRES: &[(&str, &str)] = &[
    ("Dövlət Dram Teatrı", "drama"),
    ("Dövlət Kukla Teatrı", "puppet"),
    ("Dövlət Musiqili Dram Teatrı", "musical"),
    ("Gənc Tamaşaçılar Teatrı", "young_spectators"),
];
const LIBRARIES: &[(&str, &str)] = &[
    ("Mərkəzi Kitabxana", "central"),
    ("Uşaq Kitabxanası", "children"),
    ("Kənd Kitabxanası", "village"),
    ("Şəhər Kitabxanası", "city"),
];
const MUSEUMS: &[(&str, &str)] = &[
    ("Tarix-Diyarşünaslıq Muzeyi", "local_lore"),
    ("Xatirə Muzeyi", "memorial"),
    ("Rəsm Qalereyası", "art"),
    ("Etnoqrafiya Muzeyi", "ethnography"),
];
const RESERVES: &[(&str, &str)] = &[
    ("Dövlət Tarix-Memarlıq Qoruğu", "historical_architectural"),
    ("Dövlət Tarix-Mədəniyyət Qoruğu", "historical_cultural"),
    ("Arxeoloji Qoruq", "archaeological"),
    ("Etnoqrafik Qoruq", "ethnographic"),
];
const SCHOOLS: &[(&str, &str, &[&str])] = &[
    (
        "Uşaq Musiqi Məktəbi",
        "music",
        &["piano", "tar", "kamancha", "vocal"],
    ),
    (
        "Uşaq İncəsənət Məktəbi",
        "music_and_art",
        &["piano", "painting", "dance"],
    ),
    (
        "Uşaq Rəssamlıq Məktəbi",
        "art",
        &["painting", "graphics", "sculpture"],
    ),
];
const MONUMENTS: &[(&str, &str)] = &[
    ("məscidi", "architecture"),
    ("karvansarası", "architecture"),
    ("hamamı", "architecture"),
    ("türbəsi", "architecture"),
    ("qalası", "architecture"),
    ("kurqanı", "archaeology"),
];
const CRAFTS: &[&str] = &["xalça", "kəlağayı", "mis qab", "saz", "tar"];

/// A small deterministic generator (xorshift64*).
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (self.next() >> 11) as f64 / (1u64 << 53) as f64 * (hi - lo)
    }
}

/// The `n`th synthetic entry (0-based) of a set made with `seed`. Every kind appears, in a
/// fixed rotation; movable objects refer to a museum earlier in the same set by registry
/// number.
pub fn entry(n: u64, seed: u64) -> Value {
    let mut d = Dice(
        seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (n + 1).wrapping_mul(0xD1B5_4A32_D192_ED03) | 1,
    );
    let units: Vec<_> = regions::units().collect();
    let unit = units[(n % units.len() as u64) as usize];
    let person = PEOPLE[d.below(PEOPLE.len())];
    let place = unit.name_az;
    // One slot in every 8 per kind: theatre, library ×2, museum, reserve, school, heritage ×2.
    let slot = n % 8;
    let round = n / 8 + 1;
    let number = |prefix: &str| format!("{prefix}-{round:07}");
    let lat = (d.between(39.0, 41.6) * 1e5).round() / 1e5;
    let lon = (d.between(45.2, 50.2) * 1e5).round() / 1e5;
    let founded = 1920 + d.below(100) as i64;
    let mut v = match slot {
        0 => {
            let (t, ty) = THEATRES[d.below(THEATRES.len())];
            json!({"kind": "theatre", "registry_number": number("THR"),
                   "name": {"az": format!("{person} adına {place} {t}")},
                   "theatre_type": ty, "seats": 100 + d.below(900), "halls": 1 + d.below(3)})
        }
        1 | 2 => {
            let (t, ty) = LIBRARIES[d.below(LIBRARIES.len())];
            let suffix = if slot == 2 { "B" } else { "A" };
            json!({"kind": "library", "registry_number": format!("LIB-{round:07}{}", if suffix == "B" { "1" } else { "0" }),
                   "name": {"az": format!("{place} {t} No. {round}{suffix}")},
                   "library_type": ty, "holdings": 1000 + d.below(200_000), "registered_readers": d.below(20_000)})
        }
        3 => {
            let (t, ty) = MUSEUMS[d.below(MUSEUMS.len())];
            let total = 100 + d.below(50_000);
            json!({"kind": "museum", "registry_number": number("MUS"),
                   "name": {"az": format!("{person} adına {place} {t}")},
                   "museum_profile": ty, "items_total": total, "items_on_display": total / 4,
                   "exhibition_rooms": 1 + d.below(30), "visitors_per_year": d.below(100_000)})
        }
        4 => {
            let (t, ty) = RESERVES[d.below(RESERVES.len())];
            json!({"kind": "reserve", "registry_number": number("RSV"),
                   "name": {"az": format!("{place} {t}")},
                   "reserve_type": ty, "area_ha": (d.between(5.0, 5000.0) * 10.0).round() / 10.0})
        }
        5 => {
            let (t, ty, specialities) = SCHOOLS[d.below(SCHOOLS.len())];
            let capacity = 100 + d.below(900);
            json!({"kind": "school", "registry_number": number("SCH"),
                   "name": {"az": format!("{place} {round} nömrəli {t}")},
                   "school_type": ty, "specialities": specialities,
                   "capacity": capacity, "enrolled": capacity * 3 / 4, "teachers": 5 + d.below(60)})
        }
        6 => {
            let (t, ty) = MONUMENTS[d.below(MONUMENTS.len())];
            let from = 1100 + d.below(700) as i64;
            json!({"kind": "heritage_object", "registry_number": format!("HER-{round:07}0"),
                   "name": {"az": format!("{place} {t}")}, "category": "immovable",
                   "monument_type": ty, "significance": if d.below(10) == 0 { "national" } else { "local" },
                   "condition": "satisfactory",
                   "dating": {"from_year": from, "to_year": from + 99, "label": format!("{}-ci əsr", from / 100 + 1)}})
        }
        _ => {
            let craft = CRAFTS[d.below(CRAFTS.len())];
            json!({"kind": "heritage_object", "registry_number": format!("HER-{round:07}1"),
                   "name": {"az": format!("{place} {craft} nümunəsi")}, "category": "movable",
                   "museum_id": number("MUS"), "inventory_number": format!("{round}-{}", d.below(1000)),
                   "object_type": craft, "materials": ["yun"]})
        }
    };
    v["region"] = json!(unit.code);
    v["location"] = json!({"lat": lat, "lon": lon});
    if v["kind"] != "heritage_object" {
        v["ownership"] = json!(if d.below(20) == 0 {
            "municipal"
        } else {
            "state"
        });
        v["founded_year"] = json!(founded);
    }
    v
}

#[cfg(test)]
mod tests {
    #[test]
    fn synthetic_entries_pass_every_rule() {
        for n in 0..400 {
            let v = super::entry(n, 7);
            let checked = crate::check(v.clone(), None);
            assert!(checked.record.is_some(), "{v}: {:?}", checked.problems);
        }
        assert_eq!(super::entry(5, 1), super::entry(5, 1));
    }
}
