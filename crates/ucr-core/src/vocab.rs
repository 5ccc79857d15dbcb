//! Controlled vocabularies of the entry model (SPEC §3). Each is a closed enum whose JSON
//! spelling is the snake_case word listed in the specification.

use serde::{Deserialize, Serialize};

/// Defines a vocabulary enum with its JSON spellings and a list of every value.
/// Hands the vocabularies the fields of an entry take their words from to the macro `$m`,
/// after `$first` (the kind, or the reference, which the caller reads the same way): the one
/// list each module derives its part from. The names must be in scope where it is called.
macro_rules! with_vocabularies {
    ($m:ident, $first:ty) => {
        $m!(
            $first,
            Status,
            Ownership,
            TheatreType,
            LibraryType,
            MuseumProfile,
            ReserveType,
            SchoolType,
            Speciality,
            HeritageCategory,
            MonumentType,
            Significance,
            Condition,
            IchDomain,
            UnescoList
        );
    };
}
pub(crate) use with_vocabularies;

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[doc = concat!("`", $text, "`")] #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            /// Every value, in the order of the specification.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The JSON spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }

            /// Parses the JSON spelling.
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }

            /// Every JSON spelling, in the order of the specification.
            pub fn words() -> Vec<&'static str> {
                Self::ALL.iter().map(|v| v.as_str()).collect()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary!(
    /// The six sub-registers.
    Kind {
        /// Theatres.
        Theatre = "theatre",
        /// Libraries.
        Library = "library",
        /// Museums.
        Museum = "museum",
        /// Historical and cultural reserves.
        Reserve = "reserve",
        /// Art and music schools.
        School = "school",
        /// Immovable, movable and intangible heritage.
        HeritageObject = "heritage_object",
    }
);

impl Kind {
    /// The registry number prefix of this kind (`THR`, `LIB`, …).
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::Theatre => "THR",
            Kind::Library => "LIB",
            Kind::Museum => "MUS",
            Kind::Reserve => "RSV",
            Kind::School => "SCH",
            Kind::HeritageObject => "HER",
        }
    }

    /// The kind whose registry numbers carry `prefix`.
    pub fn from_prefix(prefix: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.prefix() == prefix)
    }

    /// Whether entries of this kind are institutions (with ownership, contacts, head …).
    pub fn is_institution(self) -> bool {
        self != Kind::HeritageObject
    }

    /// The name of this kind's collection in the HTTP API.
    pub fn collection(self) -> &'static str {
        match self {
            Kind::Theatre => "theatres",
            Kind::Library => "libraries",
            Kind::Museum => "museums",
            Kind::Reserve => "reserves",
            Kind::School => "schools",
            Kind::HeritageObject => "heritage-objects",
        }
    }
}

vocabulary!(
    /// Lifecycle status of an entry.
    Status { Active = "active", Suspended = "suspended", Closed = "closed" }
);

vocabulary!(
    /// Who owns an institution.
    Ownership {
        State = "state",
        Municipal = "municipal",
        Private = "private",
        PublicAssociation = "public_association",
    }
);

vocabulary!(
    /// Type of theatre.
    TheatreType {
        Drama = "drama",
        OperaBallet = "opera_ballet",
        Musical = "musical",
        Puppet = "puppet",
        YoungSpectators = "young_spectators",
        Pantomime = "pantomime",
        Other = "other",
    }
);

vocabulary!(
    /// Type of library.
    LibraryType {
        National = "national",
        Republican = "republican",
        Central = "central",
        City = "city",
        District = "district",
        Village = "village",
        Children = "children",
        Youth = "youth",
        School = "school",
        University = "university",
        Special = "special",
    }
);

vocabulary!(
    /// Profile of a museum.
    MuseumProfile {
        History = "history",
        Art = "art",
        Literature = "literature",
        Memorial = "memorial",
        LocalLore = "local_lore",
        NaturalHistory = "natural_history",
        ScienceTechnology = "science_technology",
        Ethnography = "ethnography",
        Archaeology = "archaeology",
        Music = "music",
        Other = "other",
    }
);

vocabulary!(
    /// Type of reserve.
    ReserveType {
        HistoricalArchitectural = "historical_architectural",
        HistoricalCultural = "historical_cultural",
        HistoricalArtistic = "historical_artistic",
        Archaeological = "archaeological",
        Ethnographic = "ethnographic",
        NatureHistorical = "nature_historical",
    }
);

vocabulary!(
    /// Type of art or music school.
    SchoolType {
        Music = "music",
        Art = "art",
        MusicAndArt = "music_and_art",
        ArtCentre = "art_centre",
        SecondarySpecialMusic = "secondary_special_music",
        SecondarySpecialArt = "secondary_special_art",
    }
);

vocabulary!(
    /// What a school teaches.
    Speciality {
        Piano = "piano",
        Tar = "tar",
        Kamancha = "kamancha",
        Garmon = "garmon",
        Balaban = "balaban",
        Violin = "violin",
        Cello = "cello",
        Vocal = "vocal",
        MughamVocal = "mugham_vocal",
        Choir = "choir",
        Composition = "composition",
        Painting = "painting",
        Graphics = "graphics",
        Sculpture = "sculpture",
        DecorativeArts = "decorative_arts",
        Dance = "dance",
        Theatre = "theatre",
        Saz = "saz",
        Oud = "oud",
        Qanun = "qanun",
        Nagara = "nagara",
        Clarinet = "clarinet",
        Flute = "flute",
        Trumpet = "trumpet",
        Accordion = "accordion",
        Guitar = "guitar",
        Conducting = "conducting",
        Musicology = "musicology",
        Design = "design",
        Ceramics = "ceramics",
        CarpetWeaving = "carpet_weaving",
    }
);

vocabulary!(
    /// Category of a heritage object.
    HeritageCategory { Immovable = "immovable", Movable = "movable", Intangible = "intangible" }
);

vocabulary!(
    /// Type of immovable monument.
    MonumentType {
        Architecture = "architecture",
        Archaeology = "archaeology",
        GardenPark = "garden_park",
        MonumentalMemorial = "monumental_memorial",
        DecorativeApplied = "decorative_applied",
    }
);

vocabulary!(
    /// Significance of an immovable monument (Cabinet of Ministers Decision No. 132 of 2001-08-02).
    Significance { World = "world", National = "national", Local = "local" }
);

vocabulary!(
    /// Physical condition of an immovable monument.
    Condition {
        Good = "good",
        Satisfactory = "satisfactory",
        Poor = "poor",
        Ruined = "ruined",
        Unknown = "unknown",
    }
);

vocabulary!(
    /// Domain of an intangible heritage element (UNESCO 2003 Convention, Art. 2).
    IchDomain {
        OralTraditions = "oral_traditions",
        PerformingArts = "performing_arts",
        SocialPractices = "social_practices",
        KnowledgeNature = "knowledge_nature",
        TraditionalCraftsmanship = "traditional_craftsmanship",
    }
);

vocabulary!(
    /// The UNESCO list an intangible element is inscribed on.
    UnescoList {
        Representative = "representative",
        UrgentSafeguarding = "urgent_safeguarding",
        GoodPractices = "good_practices",
        None = "none",
    }
);

vocabulary!(
    /// The operation a revision records.
    Operation {
        Create = "create",
        Update = "update",
        StatusChange = "status_change",
        Delete = "delete",
    }
);

vocabulary!(
    /// Access roles, each including the ones before it.
    Role { Reader = "reader", Clerk = "clerk", Admin = "admin" }
);
