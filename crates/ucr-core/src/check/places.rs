//! Where an entry is: region, postal address, point, boundary — all inside Azerbaijan.

use super::{short, Rules, LAT_MAX, LAT_MIN, LON_MAX, LON_MIN, TEXT_MAX};
use crate::catalogue::Field;
use crate::model::{Address, Location, Polygon};
use crate::normalize;
use crate::problem::{pointer, Code};
use crate::regions;
use crate::vocab::Kind;
use serde_json::Value;

impl Rules {
    pub(super) fn region(
        &mut self,
        region: Option<String>,
        kind: Option<Kind>,
        category: Option<&str>,
    ) -> Option<String> {
        let Some(code) = region else {
            if kind.is_some() && !self.is_intangible(kind, category) {
                self.problems.error(
                    "/region",
                    Code::Required,
                    "an ISO 3166-2:AZ code is required, e.g. AZ-BA for Baku",
                );
            }
            return None;
        };
        let code = code.trim().to_string();
        if regions::unit(&code).is_none() {
            let hint = regions::unit(&code.to_uppercase())
                .map(|u| format!(" (did you mean {}?)", u.code))
                .unwrap_or_default();
            self.problems.error(
                "/region",
                Code::NotInVocabulary,
                format!("`{}` is not an ISO 3166-2:AZ code{hint}", short(&code)),
            );
            return None;
        }
        Some(code)
    }

    pub(super) fn address(&mut self, a: Address) -> Address {
        let postal_code = a.postal_code.and_then(|p| {
            let normal = normalize::postal_code(&p);
            if normal.is_none() {
                self.problems.error(
                    "/address/postal_code",
                    Code::Format,
                    format!(
                        "`{}` is not a postal code: AZ and four digits, e.g. AZ1000",
                        short(&p)
                    ),
                );
            }
            if let Some(n) = &normal {
                self.problems.notice(
                    "/address/postal_code",
                    Code::NormalizedPostalCode,
                    "stored as AZ and four digits",
                    &p,
                    n,
                );
            }
            normal
        });
        Address {
            locality: self.opt_text("/address/locality", a.locality, TEXT_MAX),
            street: self.opt_text("/address/street", a.street, TEXT_MAX),
            postal_code,
        }
    }

    pub(super) fn location(&mut self, l: Location) -> Option<Location> {
        if inside(l.lat, l.lon) {
            return Some(l);
        }
        if inside(l.lon, l.lat) {
            self.problems.error(
                "/location",
                Code::SwappedCoordinates,
                format!(
                    "latitude and longitude look swapped: ({}, {}) is outside Azerbaijan, ({}, {}) is inside",
                    l.lat, l.lon, l.lon, l.lat
                ),
            );
        } else {
            self.problems.error(
                "/location",
                Code::OutOfBounds,
                format!(
                    "({}, {}) lies outside Azerbaijan (lat {LAT_MIN}…{LAT_MAX}, lon {LON_MIN}…{LON_MAX})",
                    l.lat, l.lon
                ),
            );
        }
        None
    }

    /// The table's rule for a boundary.
    pub(crate) fn boundary(&mut self, _: &Field, value: Option<Value>) -> Option<Polygon> {
        value.and_then(|v| self.polygon(v))
    }

    pub(super) fn polygon(&mut self, value: Value) -> Option<Polygon> {
        let polygon: Polygon = match serde_json::from_value(value) {
            Ok(p) => p,
            Err(e) => {
                self.problems.error(
                    "/boundary",
                    Code::Format,
                    format!("not a GeoJSON polygon: {e}"),
                );
                return None;
            }
        };
        let before = self.problems.0.len();
        if polygon.geometry_type != "Polygon" {
            self.problems.error(
                "/boundary/type",
                Code::Format,
                format!("`{}` is not `Polygon`", short(&polygon.geometry_type)),
            );
        }
        if polygon.coordinates.is_empty() {
            self.problems.error(
                "/boundary/coordinates",
                Code::Required,
                "a polygon needs a ring",
            );
        }
        for (r, ring) in polygon.coordinates.iter().enumerate() {
            let at = pointer("/boundary/coordinates", r);
            if ring.len() < 4 || ring.first() != ring.last() {
                self.problems.error(
                    &at,
                    Code::Format,
                    "a ring has at least 4 positions and ends where it starts",
                );
            }
            for (i, [lon, lat]) in ring.iter().enumerate() {
                if !inside(*lat, *lon) {
                    self.problems.error(
                        pointer(&at, i),
                        Code::OutOfBounds,
                        format!("vertex [{lon}, {lat}] lies outside Azerbaijan (positions are [lon, lat])"),
                    );
                }
            }
        }
        (self.problems.0.len() == before).then_some(polygon)
    }
}

/// Whether a point lies in Azerbaijan's bounding box.
pub fn inside(lat: f64, lon: f64) -> bool {
    (LAT_MIN..=LAT_MAX).contains(&lat) && (LON_MIN..=LON_MAX).contains(&lon)
}
