DROP TABLE inventory_numbers;
