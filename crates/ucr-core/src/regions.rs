//! Administrative units of Azerbaijan (ISO 3166-2:AZ) and the economic regions they belong to.
//!
//! The register accepts only the 78 ISO codes; the economic region is derived from the unit and
//! never taken from input.

use crate::regions_table::{ECONOMIC_REGIONS, UNITS};
use serde::Serialize;

/// One ISO 3166-2:AZ unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Unit {
    /// ISO 3166-2 code, e.g. `AZ-SA` (the city of Şəki) or `AZ-SAK` (the Şəki rayon).
    pub code: &'static str,
    /// Azerbaijani name.
    pub name_az: &'static str,
    /// `autonomous_republic`, `city` or `rayon`.
    #[serde(rename = "type")]
    pub unit_type: &'static str,
    /// Code of the economic region the unit belongs to.
    pub economic_region: &'static str,
}

/// One of the 14 economic regions of Presidential Decree No. 1386 of 7 July 2021.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EconomicRegion {
    /// Stable code, e.g. `shaki-zagatala`.
    pub code: &'static str,
    /// Azerbaijani name.
    pub name_az: &'static str,
    /// English name.
    pub name_en: &'static str,
}

/// Every unit, in the order of the reference file.
pub fn units() -> impl Iterator<Item = Unit> {
    UNITS
        .iter()
        .map(|&(code, name_az, unit_type, economic_region)| Unit {
            code,
            name_az,
            unit_type,
            economic_region,
        })
}

/// Every economic region.
pub fn economic_regions() -> impl Iterator<Item = EconomicRegion> {
    ECONOMIC_REGIONS
        .iter()
        .map(|&(code, name_az, name_en)| EconomicRegion {
            code,
            name_az,
            name_en,
        })
}

/// The unit with this exact ISO code.
pub fn unit(code: &str) -> Option<Unit> {
    units().find(|u| u.code == code)
}

/// The economic region with this code.
pub fn economic_region(code: &str) -> Option<EconomicRegion> {
    economic_regions().find(|r| r.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_match_reference_file() {
        let text = include_str!("../data/az-admin-units.json");
        let reference: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
        let ref_units = reference["units"].as_array().cloned().unwrap_or_default();
        assert_eq!(ref_units.len(), 78);
        assert_eq!(units().count(), 78);
        for (r, u) in ref_units.iter().zip(units()) {
            assert_eq!(r["code"], u.code);
            assert_eq!(r["name_az"], u.name_az);
            assert_eq!(r["type"], u.unit_type);
            assert_eq!(r["economic_region"], u.economic_region);
            assert!(economic_region(u.economic_region).is_some());
        }
        assert_eq!(economic_regions().count(), 14);
    }

    #[test]
    fn city_and_rayon_of_the_same_name_are_distinct() {
        let city = unit("AZ-SA").map(|u| u.unit_type);
        let rayon = unit("AZ-SAK").map(|u| u.unit_type);
        assert_eq!(city, Some("city"));
        assert_eq!(rayon, Some("rayon"));
        assert_eq!(
            unit("AZ-SA").map(|u| u.economic_region),
            Some("shaki-zagatala")
        );
        assert_eq!(unit("az-sa"), None);
    }
}
