-- Every number an entry is filed under in its list (an immovable monument of the state list
-- may have several: a complex), one row each: the primary key keeps each number unique within
-- its list, and a filter finds the entry by any of them. entries.inventory_number keeps the
-- numbers as the entry writes them.
CREATE TABLE inventory_numbers (
    inventory_scope TEXT NOT NULL,
    inventory_number TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    PRIMARY KEY (inventory_scope, inventory_number)
);
CREATE INDEX inventory_numbers_entry ON inventory_numbers (entry_id);
CREATE INDEX inventory_numbers_number ON inventory_numbers (inventory_number);
INSERT INTO inventory_numbers (inventory_scope, inventory_number, entry_id)
    SELECT inventory_scope, inventory_number, id FROM entries
    WHERE inventory_number IS NOT NULL AND inventory_scope IS NOT NULL;
