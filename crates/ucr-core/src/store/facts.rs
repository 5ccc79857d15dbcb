//! What the rules that need the register read of it, one query at a time.

use super::connection::{can_match, Db};
use super::lookup::locate;
use super::schema::{entries, inventory_numbers};
use crate::context::{Facts, Located};
use crate::error::RegisterError;
use diesel::prelude::*;

impl Facts for Db {
    fn number_taken(&mut self, number: &str) -> Result<bool, RegisterError> {
        if !can_match(number) {
            return Ok(false);
        }
        let taken: i64 = entries::table
            .filter(entries::registry_number.eq(number))
            .count()
            .get_result(self)?;
        Ok(taken > 0)
    }

    fn locate(&mut self, key: &str) -> Result<Option<Located>, RegisterError> {
        locate(self, key)
    }

    fn parent_of(&mut self, id: &str) -> Result<Option<String>, RegisterError> {
        Ok(entries::table
            .filter(entries::id.eq(id))
            .select(entries::parent_id)
            .first::<Option<String>>(self)
            .optional()?
            .flatten())
    }

    fn isil_holder(&mut self, key: &str, except: &str) -> Result<Option<String>, RegisterError> {
        if !can_match(key) {
            return Ok(None);
        }
        Ok(entries::table
            .filter(entries::isil_key.eq(key))
            .filter(entries::id.ne(except))
            .select(entries::registry_number)
            .first(self)
            .optional()?)
    }

    fn inventory_holder(
        &mut self,
        scope: &str,
        number: &str,
        except: &str,
    ) -> Result<Option<String>, RegisterError> {
        if !can_match(scope) || !can_match(number) {
            return Ok(None);
        }
        Ok(inventory_numbers::table
            .inner_join(entries::table.on(entries::id.eq(inventory_numbers::entry_id)))
            .filter(inventory_numbers::inventory_scope.eq(scope))
            .filter(inventory_numbers::inventory_number.eq(number))
            .filter(entries::id.ne(except))
            .select(entries::registry_number)
            .first(self)
            .optional()?)
    }
}
