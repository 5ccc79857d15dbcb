// The portable schema shared by both backends, kept in step with migrations/*/ by the test
// crates/ucr-core/tests/conformance/schema.rs (run by .ci/run on both). Text for UUIDs and
// JSON, Timestamp in UTC.

diesel::table! {
    entries (id) {
        id -> Text,
        kind -> Text,
        registry_number -> Text,
        name_az -> Text,
        search_text -> Text,
        status -> Text,
        region -> Nullable<Text>,
        economic_region -> Nullable<Text>,
        ownership -> Nullable<Text>,
        type_word -> Text,
        founded_year -> Nullable<BigInt>,
        lat -> Nullable<Double>,
        lon -> Nullable<Double>,
        parent_id -> Nullable<Text>,
        reserve_id -> Nullable<Text>,
        museum_id -> Nullable<Text>,
        isil_key -> Nullable<Text>,
        inventory_scope -> Nullable<Text>,
        inventory_number -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        body -> Text,
        seats -> Nullable<BigInt>,
        holdings -> Nullable<BigInt>,
        items_total -> Nullable<BigInt>,
        enrolled -> Nullable<BigInt>,
        area_ha -> Nullable<Double>,
        name_key -> Text,
        wikidata -> Nullable<Text>,
    }
}

diesel::table! {
    revisions (seq) {
        seq -> BigInt,
        entry_id -> Text,
        version -> BigInt,
        operation -> Text,
        actor -> Text,
        recorded_at -> Timestamp,
        reason -> Nullable<Text>,
        import_id -> Nullable<Text>,
        body -> Nullable<Text>,
    }
}

diesel::table! {
    /// Every revision with its body (a view over `revisions` and `entries`: the revision that
    /// is its entry's current version stores no body of its own). `body` is NULL only where
    /// a body is missing, which readers report as an error (see `rows::logged_body`).
    revision_log (seq) {
        seq -> BigInt,
        entry_id -> Text,
        version -> BigInt,
        operation -> Text,
        actor -> Text,
        recorded_at -> Timestamp,
        reason -> Nullable<Text>,
        import_id -> Nullable<Text>,
        body -> Nullable<Text>,
    }
}

diesel::table! {
    inventory_numbers (inventory_scope, inventory_number) {
        inventory_scope -> Text,
        inventory_number -> Text,
        entry_id -> Text,
    }
}

diesel::allow_tables_to_appear_in_same_query!(entries, revisions, inventory_numbers);
diesel::allow_tables_to_appear_in_same_query!(revision_log, revisions);

diesel::table! {
    counters (name) {
        name -> Text,
        value -> BigInt,
    }
}

diesel::table! {
    imports (id) {
        id -> Text,
        actor -> Text,
        started_at -> Timestamp,
        finished_at -> Timestamp,
        files -> Text,
        mode -> Text,
        atomic -> Bool,
        status -> Text,
        created -> BigInt,
        updated -> BigInt,
        unchanged -> BigInt,
        rejected -> BigInt,
        undone_at -> Nullable<Timestamp>,
        undone_by -> Nullable<Text>,
    }
}

diesel::table! {
    tokens (name) {
        name -> Text,
        role -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}
