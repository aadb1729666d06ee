//! MongoDB: the connection, the collections with their document shapes, and their indexes.
//! Everything here is standard MongoDB, so a real mongod or replica set works unchanged.

use std::time::Duration;

use mongodb::bson::{doc, DateTime, Document};
use mongodb::options::{ClientOptions, IndexOptions, WriteConcern};
use mongodb::{Client, Collection, Database, IndexModel};
use serde::{Deserialize, Serialize};

#[derive(Clone)]
pub struct Store {
    pub db: Database,
}

/// An account. `userId` is the internal identity (random, never shown); `displayName` is the only
/// public name and never changes. Codes are kept only as hashes.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub user_id: String,
    pub display_name: String,
    pub display_name_lower: String,
    pub email: String,
    pub email_lower: String,
    pub password_hash: String,
    pub verified: bool,
    pub verification_code_hash: Option<String>,
    pub verification_code_expires: Option<DateTime>,
    pub reset_code_hash: Option<String>,
    pub reset_code_expires: Option<DateTime>,
    /// Bumped by a password reset: tokens signed for an older value stop working.
    #[serde(default)]
    pub token_version: i64,
    pub created: DateTime,
    /// Set with `homegames-api admin grant NAME`.
    #[serde(default)]
    pub is_admin: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Game {
    pub game_id: String,
    pub name: String,
    pub description: String,
    /// The `userId` of the author.
    pub developer_id: String,
    pub created: DateTime,
    /// An asset id.
    pub thumbnail: Option<String>,
    /// The content hash of the version the catalog shows, once one is published.
    #[serde(default)]
    pub published_version: Option<String>,
    #[serde(default)]
    pub nsfw: bool,
    /// Whether anyone may clone the published source (the author's choice; off by default).
    #[serde(default)]
    pub source_public: bool,
    /// Set by an admin: the repository answers no clone, fetch or push.
    #[serde(default)]
    pub repo_disabled: bool,
    /// Sessions started of it (the catalog's "most played").
    #[serde(default)]
    pub plays: i64,
}

/// One file of a version; its bytes are the blob named by `sha256`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub sha256: String,
    pub size: i64,
}

/// A saved version: immutable once written. `number` counts a game's saves (1, 2, …);
/// `contentHash` names its content (the same files give the same hash).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Version {
    pub game_id: String,
    pub number: i64,
    pub content_hash: String,
    pub files: Vec<FileEntry>,
    pub total_size: i64,
    pub created: DateTime,
    pub created_by: String,
    pub message: Option<String>,
    /// The number of the version this one restored, if it was a restore.
    pub restored_from: Option<i64>,
    /// The git commit holding these files on the game's repository (every version is one; a
    /// version saved before games had repositories gets one from the migration).
    #[serde(default)]
    pub commit: Option<String>,
}

/// An AI edit an author asked for: a request in words and the game's index.js as it was, answered
/// by the LLM worker with a new index.js that passed the scan and a contained test run.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AiEdit {
    pub edit_id: String,
    pub game_id: String,
    pub user_id: String,
    pub prompt: String,
    /// index.js as the Studio had it (saved or not).
    pub source: String,
    /// PENDING, PROCESSING, DONE or FAILED.
    pub status: String,
    /// The accepted answer's index.js.
    #[serde(default)]
    pub result: Option<String>,
    /// Answers asked for (the first and each retry after failed checks).
    #[serde(default)]
    pub attempts: i32,
    /// Why it failed; or, when DONE, nothing.
    #[serde(default)]
    pub error: Option<String>,
    /// What each rejected answer failed on, in order.
    #[serde(default)]
    pub rejected: Vec<String>,
    pub created: DateTime,
    #[serde(default)]
    pub completed_at: Option<DateTime>,
}

/// Where a publish request is: PENDING (queued) → PROCESSING (a worker has it) → PUBLISHED or
/// FAILED.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum PublishStatus {
    Pending,
    Processing,
    Published,
    Failed,
}

impl PublishStatus {
    /// How the status is stored (and queried).
    pub fn as_str(self) -> &'static str {
        match self {
            PublishStatus::Pending => "PENDING",
            PublishStatus::Processing => "PROCESSING",
            PublishStatus::Published => "PUBLISHED",
            PublishStatus::Failed => "FAILED",
        }
    }

    pub fn parse(s: &str) -> Option<PublishStatus> {
        [
            PublishStatus::Pending,
            PublishStatus::Processing,
            PublishStatus::Published,
            PublishStatus::Failed,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

impl From<PublishStatus> for mongodb::bson::Bson {
    fn from(s: PublishStatus) -> mongodb::bson::Bson {
        mongodb::bson::Bson::String(s.as_str().to_string())
    }
}

/// One message of the publish queue: which request to do, and how many tries it has had
/// (both the API, which queues it, and the worker, which takes and requeues it, use this type).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishJob {
    pub request_id: String,
    #[serde(default)]
    pub attempt: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishRequest {
    pub request_id: String,
    pub game_id: String,
    pub content_hash: String,
    pub version_number: i64,
    pub user_id: String,
    pub status: PublishStatus,
    pub created: DateTime,
    pub started_at: Option<DateTime>,
    pub completed_at: Option<DateTime>,
    /// How many times a worker has taken it (more than one after a worker died mid-job).
    #[serde(default)]
    pub attempts: i32,
    /// The published record, once PUBLISHED.
    pub version_id: Option<String>,
    /// Why it FAILED, for the author.
    pub error: Option<String>,
    /// The scan's located findings, when the scan is why it failed.
    #[serde(default)]
    pub findings: Vec<String>,
    /// The commit to publish (its version's commit; the pushed one for a push).
    #[serde(default)]
    pub commit: Option<String>,
}

/// A published version: what makes a game launchable. One per publish request (`requestId` is
/// unique), so a redelivered job cannot publish twice.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GameVersion {
    pub version_id: String,
    pub game_id: String,
    pub content_hash: String,
    pub version_number: i64,
    pub request_id: String,
    pub published: bool,
    pub published_at: DateTime,
    pub published_by: String,
    pub squish_version: String,
    pub asset_ids: Vec<String>,
    pub nsfw: bool,
    /// The commit this published version is.
    #[serde(default)]
    pub commit: Option<String>,
}

/// An uploaded asset's metadata (`assets`). Its bytes are the `AssetBytes` of the same id.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Asset {
    pub asset_id: String,
    pub developer_id: String,
    pub name: String,
    /// image, audio or font.
    #[serde(rename = "type")]
    pub kind: String,
    /// The MIME type read from the bytes.
    pub file_type: String,
    pub size: i64,
    /// Not safe for work: set by the classifier from its score, or by an admin (who wins).
    pub nsfw: bool,
    /// The classifier's probability that the image is not safe for work; None until it ran (or
    /// for sounds and fonts, which it does not look at).
    #[serde(default)]
    pub nsfw_score: Option<f64>,
    /// Who set `nsfw` last: `model`, an admin's userId, or None (nobody yet).
    #[serde(default)]
    pub nsfw_set_by: Option<String>,
    pub created: DateTime,
}

/// Who set an asset's `nsfw` when the classifier did.
pub const SET_BY_MODEL: &str = "model";

/// An asset's bytes (`documents`, the original platform's name for the collection).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetBytes {
    pub asset_id: String,
    pub developer_id: String,
    pub data: mongodb::bson::Binary,
    pub file_size: i64,
    pub file_type: String,
}

impl GameVersion {
    /// Its name on the game server: the folder it is written to and the `/new/<slug>` it runs as.
    pub fn slug(&self) -> String {
        format!("{}-{}", self.game_id, self.version_id)
    }
}

impl User {
    /// Whether this account may change, or see unpublished, what `owner_id` made: its author, or
    /// an admin.
    pub fn may_manage(&self, owner_id: &str) -> bool {
        self.user_id == owner_id || self.is_admin
    }
}

/// A personal access token for git over HTTP (`Authorization: Basic`, the token as password).
/// Only its sha256 is stored; the token itself is shown once, when it is made.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessToken {
    pub token_id: String,
    pub user_id: String,
    pub name: String,
    /// `read` (clone and fetch) or `write` (push too).
    pub scope: String,
    pub hash: String,
    pub created: DateTime,
    #[serde(default)]
    pub last_used: Option<DateTime>,
}

/// One refresh token ever issued (by its `jti`). A token may be used once: using it marks it used
/// and issues the next one of its family; a used token that comes back means it was stolen, and
/// the whole family is revoked.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshToken {
    pub jti: String,
    /// Every token descended from one sign-in.
    pub family: String,
    pub user_id: String,
    pub used: bool,
    pub revoked: bool,
    pub created: DateTime,
}

impl Store {
    /// Connects lazily: nothing is contacted until the first operation, and an operation against
    /// a database that cannot be reached fails within a few seconds (the API then answers 503).
    pub async fn connect(url: &str, database: &str) -> Result<Store, mongodb::error::Error> {
        let mut options = ClientOptions::parse(url).await?;
        options.app_name = Some("homegames-api".into());
        options
            .server_selection_timeout
            .get_or_insert(Duration::from_secs(3));
        options
            .connect_timeout
            .get_or_insert(Duration::from_secs(3));
        // An acknowledged write must survive the database process being killed: ask for the
        // journal (`j: true`) unless the URL chose a write concern itself. Without it a server
        // may answer before its log reaches the disk, and an account the API already reported
        // as created could vanish on a crash.
        options
            .write_concern
            .get_or_insert_with(|| WriteConcern::builder().journal(true).build());
        let client = Client::with_options(options)?;
        Ok(Store {
            db: client.database(database),
        })
    }

    pub fn users(&self) -> Collection<User> {
        self.db.collection("users")
    }
    pub fn games(&self) -> Collection<Game> {
        self.db.collection("games")
    }
    pub fn versions(&self) -> Collection<Version> {
        self.db.collection("versions")
    }
    pub fn publish_requests(&self) -> Collection<PublishRequest> {
        self.db.collection("publishRequests")
    }
    pub fn game_versions(&self) -> Collection<GameVersion> {
        self.db.collection("gameVersions")
    }
    pub fn ai_edits(&self) -> Collection<AiEdit> {
        self.db.collection("aiEdits")
    }
    pub fn access_tokens(&self) -> Collection<AccessToken> {
        self.db.collection("accessTokens")
    }
    pub fn refresh_tokens(&self) -> Collection<RefreshToken> {
        self.db.collection("refreshTokens")
    }
    /// File contents by sha256 (`_id`), shared by every version that holds the same bytes.
    pub fn assets(&self) -> Collection<Asset> {
        self.db.collection("assets")
    }
    pub fn asset_bytes(&self) -> Collection<AssetBytes> {
        self.db.collection("documents")
    }
    pub fn blobs(&self) -> Collection<Document> {
        self.db.collection("blobs")
    }

    /// Creates the indexes the API relies on (uniqueness is enforced by them, not by reads).
    pub async fn ensure_indexes(&self) -> Result<(), mongodb::error::Error> {
        let unique = |keys: Document| {
            IndexModel::builder()
                .keys(keys)
                .options(IndexOptions::builder().unique(true).build())
                .build()
        };
        let users = self.db.collection::<Document>("users");
        users.create_index(unique(doc! {"userId": 1})).await?;
        users
            .create_index(unique(doc! {"displayNameLower": 1}))
            .await?;
        users.create_index(unique(doc! {"emailLower": 1})).await?;
        let games = self.db.collection::<Document>("games");
        games.create_index(unique(doc! {"gameId": 1})).await?;
        games
            .create_index(IndexModel::builder().keys(doc! {"developerId": 1}).build())
            .await?;
        let versions = self.db.collection::<Document>("versions");
        versions
            .create_index(unique(doc! {"gameId": 1, "number": 1}))
            .await?;
        versions
            .create_index(
                IndexModel::builder()
                    .keys(doc! {"gameId": 1, "contentHash": 1})
                    .build(),
            )
            .await?;
        let requests = self.db.collection::<Document>("publishRequests");
        requests.create_index(unique(doc! {"requestId": 1})).await?;
        requests
            .create_index(
                IndexModel::builder()
                    .keys(doc! {"userId": 1, "created": -1})
                    .build(),
            )
            .await?;
        requests
            .create_index(
                IndexModel::builder()
                    .keys(doc! {"status": 1, "created": 1})
                    .build(),
            )
            .await?;
        let assets = self.db.collection::<Document>("assets");
        assets.create_index(unique(doc! {"assetId": 1})).await?;
        assets
            .create_index(
                IndexModel::builder()
                    .keys(doc! {"developerId": 1, "created": -1})
                    .build(),
            )
            .await?;
        assets
            .create_index(IndexModel::builder().keys(doc! {"created": -1}).build())
            .await?;
        let bytes = self.db.collection::<Document>("documents");
        bytes.create_index(unique(doc! {"assetId": 1})).await?;
        bytes
            .create_index(IndexModel::builder().keys(doc! {"developerId": 1}).build())
            .await?;
        let access = self.db.collection::<Document>("accessTokens");
        access.create_index(unique(doc! {"tokenId": 1})).await?;
        access.create_index(unique(doc! {"hash": 1})).await?;
        access
            .create_index(IndexModel::builder().keys(doc! {"userId": 1}).build())
            .await?;
        versions
            .create_index(
                IndexModel::builder()
                    .keys(doc! {"gameId": 1, "commit": 1})
                    .build(),
            )
            .await?;
        let refresh = self.db.collection::<Document>("refreshTokens");
        refresh.create_index(unique(doc! {"jti": 1})).await?;
        refresh
            .create_index(IndexModel::builder().keys(doc! {"family": 1}).build())
            .await?;
        let published = self.db.collection::<Document>("gameVersions");
        published
            .create_index(unique(doc! {"requestId": 1}))
            .await?;
        published
            .create_index(unique(doc! {"versionId": 1}))
            .await?;
        published
            .create_index(
                IndexModel::builder()
                    .keys(doc! {"gameId": 1, "publishedAt": -1})
                    .build(),
            )
            .await?;
        Ok(())
    }
}

/// A new random identifier: 32 hex characters (128 bits).
pub fn new_id() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_is_stored_as_serde_writes_it() {
        for s in [
            PublishStatus::Pending,
            PublishStatus::Processing,
            PublishStatus::Published,
            PublishStatus::Failed,
        ] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
            assert_eq!(PublishStatus::parse(s.as_str()), Some(s));
        }
        let job: PublishJob = serde_json::from_str(r#"{"requestId": "r"}"#).unwrap();
        assert_eq!(job.attempt, 0, "jobs queued before retries were counted");
    }
}
