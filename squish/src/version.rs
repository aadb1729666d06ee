//! Which squishjs package a `squishVersion` alias means, and which wire family that package speaks.
//!
//! Three names are in play and kept apart on purpose:
//! - an *alias* is what a game writes in `metadata().squishVersion` (`"1006"`, `"135"`);
//! - a *package* is the npm `squishjs` version that a side loads for it. The server and the
//!   browser client map some aliases to different packages (`"0762"`: server 1.0.4, client 0.7.62);
//! - a *family* is the byte layout a package produces. Versions inside one family are
//!   byte-identical, so one implementation serves all of them.
//!
//! Published behaviour never changes: a new squishjs release gets a new [`Package`] and, if its bytes
//! differ, a new [`Family`]; existing rows of these tables are never edited.

use std::fmt;
use std::str::FromStr;

use crate::error::VersionError;

/// A byte layout of node frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// squishjs 0.7.62: text carries no font; ids as "decimal pairs".
    A,
    /// 0.7.65 … 1.0.8: text gains the font field; ids still "decimal pairs".
    B,
    /// 1.0.9 … 1.3.6: ids as "decimal digits".
    C,
    /// 1.4.3 (from the reconstructed package, see docs/squish.md): C plus four crop insets in the
    /// asset payload (18 fixed bytes before the key) and coordinates clamped to 0…255.
    D,
}

impl Family {
    pub fn has_font(self) -> bool {
        !matches!(self, Family::A)
    }
    pub fn decimal_digit_ids(self) -> bool {
        matches!(self, Family::C | Family::D)
    }
    /// The asset payload carries cropLeft, cropTop, cropRight, cropBottom after startTime.
    pub fn asset_crop(self) -> bool {
        matches!(self, Family::D)
    }
    /// coordinates2d values (circle centres, not the radius) are clamped to 0…255 before encoding.
    pub fn clamps_coordinates(self) -> bool {
        matches!(self, Family::D)
    }
}

macro_rules! packages {
    ($($variant:ident = $npm:literal => $family:expr),* $(,)?) => {
        /// An npm `squishjs` release that some side of a session loads. Variants are declared in
        /// release order, so `Ord` compares releases (`V1_3_6 < V1_4_0 < V1_4_3`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Package { $($variant),* }

        impl Package {
            pub const ALL: &'static [Package] = &[$(Package::$variant),*];

            /// The npm version string, e.g. `"1.3.5"`.
            pub fn npm_version(self) -> &'static str {
                match self { $(Package::$variant => $npm),* }
            }

            /// The wire family, or `None` for a reserved release whose bytes we do not speak yet.
            pub fn family(self) -> Option<Family> {
                match self { $(Package::$variant => $family),* }
            }
        }
    };
}

packages! {
    V0_7_62 = "0.7.62" => Some(Family::A),
    V0_7_65 = "0.7.65" => Some(Family::B),
    V0_7_66 = "0.7.66" => Some(Family::B),
    V0_7_67 = "0.7.67" => Some(Family::B),
    V1_0_0 = "1.0.0" => Some(Family::B),
    V1_0_4 = "1.0.4" => Some(Family::B),
    V1_0_5 = "1.0.5" => Some(Family::B),
    V1_0_6 = "1.0.6" => Some(Family::B),
    V1_0_7 = "1.0.7" => Some(Family::B),
    V1_0_8 = "1.0.8" => Some(Family::B),
    V1_0_9 = "1.0.9" => Some(Family::C),
    V1_0_10 = "1.0.10" => Some(Family::C),
    V1_1_0 = "1.1.0" => Some(Family::C),
    V1_2_0 = "1.2.0" => Some(Family::C),
    V1_3_0 = "1.3.0" => Some(Family::C),
    V1_3_5 = "1.3.5" => Some(Family::C),
    // Not on npm: the exact 1.3.6 release (../shared/oracle/squishjs-1.3.6); no byte differs from 1.3.5.
    V1_3_6 = "1.3.6" => Some(Family::C),
    // Reserved: the image-crop releases described in the authoring guide. Their bytes are not
    // pinned by any package we can test against, so they are refused until they are.
    V1_4_0 = "1.4.0" => None,
    V1_4_2 = "1.4.2" => None,
    // Not on npm: reconstructed from stored file versions (../shared/oracle/squishjs-1.4.3); the
    // files that decide the bytes are believed right. The closest record of 1.4.0/1.4.2.
    V1_4_3 = "1.4.3" => Some(Family::D),
}

impl Package {
    /// The wire family, or an error naming the reserved release.
    pub fn require_family(self) -> Result<Family, VersionError> {
        self.family()
            .ok_or(VersionError::Reserved(self.npm_version()))
    }

    /// Look up an npm version string such as `"1.0.10"`.
    pub fn from_npm(s: &str) -> Option<Package> {
        Package::ALL.iter().copied().find(|p| p.npm_version() == s)
    }
}

impl fmt::Display for Package {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.npm_version())
    }
}

/// One row of the alias table: what each side loads for a `squishVersion`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Alias {
    pub name: &'static str,
    /// homegames-core 1.4.3's `package.json` (`squish-NNN` → `npm:squishjs@…`) for the aliases up
    /// to 135; for 136 and later the oracle packages' README (`../shared/oracle`). This is what our
    /// server encodes with.
    pub server: Package,
    /// homegames-web 1.4.2's table; `None` where the old client has no entry and keeps whatever
    /// decoder it had.
    pub client: Option<Package>,
}

use Package::*;

/// Every alias a game may pin. Rows are only ever appended.
#[rustfmt::skip]
pub const ALIASES: &[Alias] = &[
    Alias { name: "0756", server: V1_0_4, client: Some(V0_7_66) },
    Alias { name: "0762", server: V1_0_4, client: Some(V0_7_62) },
    Alias { name: "0765", server: V1_0_4, client: Some(V0_7_65) },
    Alias { name: "0766", server: V1_0_4, client: Some(V0_7_66) },
    Alias { name: "0767", server: V1_0_4, client: Some(V0_7_67) },
    Alias { name: "1000", server: V1_0_4, client: Some(V1_0_0) },
    Alias { name: "1004", server: V1_0_4, client: Some(V1_0_4) },
    Alias { name: "1005", server: V1_0_5, client: Some(V1_0_5) },
    Alias { name: "1006", server: V1_0_6, client: Some(V1_0_6) },
    Alias { name: "1007", server: V1_0_7, client: Some(V1_0_7) },
    Alias { name: "1008", server: V1_0_8, client: None },
    Alias { name: "1009", server: V1_0_9, client: Some(V1_0_9) },
    Alias { name: "1010", server: V1_0_10, client: Some(V1_0_10) },
    Alias { name: "120", server: V1_2_0, client: Some(V1_2_0) },
    Alias { name: "130", server: V1_3_0, client: Some(V1_3_0) },
    Alias { name: "135", server: V1_3_5, client: Some(V1_3_5) },
    // 140 and 142 were reserved (server 1.4.0 / 1.4.2, whose bytes no package pins). Our server
    // now loads 1.4.3 for them, the closest record of what the 2026 platform runs (../shared/oracle
    // README); the packages 1.4.0 and 1.4.2 themselves stay reserved.
    Alias { name: "140", server: V1_4_3, client: Some(V1_4_0) },
    Alias { name: "142", server: V1_4_3, client: Some(V1_4_2) },
    // The aliases of the 2026 platform and the authoring guide. homegames-web 1.4.2 predates them;
    // `client` is the package the platform's own client pairs with the server's.
    Alias { name: "136", server: V1_3_6, client: Some(V1_3_6) },
    // The guide's 138/139: "the crop fields are silently ignored", i.e. 1.3.6's bytes.
    Alias { name: "138", server: V1_3_6, client: Some(V1_3_6) },
    Alias { name: "139", server: V1_3_6, client: Some(V1_3_6) },
    Alias { name: "143", server: V1_4_3, client: Some(V1_4_3) },
];

/// The decoder the old browser client starts with, and keeps for an alias it has no entry for
/// (until a known alias arrives; after a family-C session it would still hold that one).
pub const CLIENT_INITIAL_DECODER: Package = V0_7_66;

impl Alias {
    /// The package the old client decodes this alias with when it starts fresh.
    pub fn client_or_initial(&self) -> Package {
        self.client.unwrap_or(CLIENT_INITIAL_DECODER)
    }

    pub fn lookup(name: &str) -> Option<&'static Alias> {
        ALIASES.iter().find(|a| a.name == name)
    }
}

/// What a caller asks the codec for: either an alias (resolved to the package our server loads for
/// it) or an explicit npm package version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SquishVersion(Package);

impl SquishVersion {
    pub fn package(self) -> Package {
        self.0
    }
    pub fn family(self) -> Result<Family, VersionError> {
        self.0.require_family()
    }
}

impl From<Package> for SquishVersion {
    fn from(p: Package) -> Self {
        SquishVersion(p)
    }
}

impl FromStr for SquishVersion {
    type Err = VersionError;

    /// Accepts an alias (`"135"`, `"0762"`), `squish-135`, or an npm version (`"1.0.10"`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let bare = s.strip_prefix("squish-").unwrap_or(s);
        if let Some(alias) = Alias::lookup(bare) {
            return Ok(SquishVersion(alias.server));
        }
        if let Some(p) = Package::from_npm(bare) {
            return Ok(SquishVersion(p));
        }
        Err(VersionError::Unknown(s.to_string()))
    }
}

impl fmt::Display for SquishVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "squishjs {}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_resolve_to_the_servers_package() {
        let v: SquishVersion = "0762".parse().unwrap();
        assert_eq!(v.package(), V1_0_4);
        assert_eq!(v.family().unwrap(), Family::B);
        assert_eq!(
            "squish-135".parse::<SquishVersion>().unwrap().package(),
            V1_3_5
        );
        assert_eq!(
            "1.0.10".parse::<SquishVersion>().unwrap().family().unwrap(),
            Family::C
        );
        assert!("999".parse::<SquishVersion>().is_err());
    }

    #[test]
    fn reserved_versions_are_refused_by_name() {
        for name in ["1.4.0", "1.4.2"] {
            let v: SquishVersion = name.parse().unwrap();
            let err = v.family().unwrap_err().to_string();
            assert!(err.contains(name), "{err}");
        }
    }

    #[test]
    fn the_2026_aliases_resolve() {
        for (alias, package, family) in [
            ("136", V1_3_6, Family::C),
            ("138", V1_3_6, Family::C),
            ("squish-139", V1_3_6, Family::C),
            ("140", V1_4_3, Family::D),
            ("squish-142", V1_4_3, Family::D),
            ("143", V1_4_3, Family::D),
            ("1.4.3", V1_4_3, Family::D),
        ] {
            let v: SquishVersion = alias.parse().unwrap();
            assert_eq!(
                (v.package(), v.family().unwrap()),
                (package, family),
                "{alias}"
            );
        }
        assert!(V1_3_5 < V1_3_6 && V1_3_6 < V1_4_0 && V1_4_2 < V1_4_3);
    }

    #[test]
    fn alias_names_are_unique() {
        for (i, a) in ALIASES.iter().enumerate() {
            assert!(
                ALIASES[i + 1..].iter().all(|b| b.name != a.name),
                "{}",
                a.name
            );
        }
    }
}
