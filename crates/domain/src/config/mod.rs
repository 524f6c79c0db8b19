//! The configuration: one plain struct, built once (defaults → TOML file → `WANGSHANG_*`
//! environment variables) by the binary and passed in. Every number of SPEC.md lives here.

pub mod delivery;

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

use crate::secret::Secret;

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address the HTTP server listens on.
    pub listen: String,
    /// `sqlite://PATH` (embedded default) or `postgres://…`.
    pub database_url: String,
    /// Where the SQLite file and the generated secret key live.
    pub data_dir: PathBuf,
    /// The origin used in every link the server sends; never taken from the `Host` header.
    pub public_url: String,
    /// Dev mode: dev outbox page and API, messages logged.
    pub dev: bool,
    /// Key for HMAC of codes at rest (hex or any string). Generated into `data_dir/secret.key`
    /// when unset.
    pub secret_key: Option<Secret>,
    /// Region used to read phone numbers written without a country code.
    pub default_region: String,
    /// Locale of messages when the account has none.
    pub default_locale: String,
    /// Take the client IP from the last `X-Forwarded-For` hop (only behind a trusted proxy).
    pub behind_proxy: bool,
    /// A MaxMind-format city database (GeoLite2-City, DB-IP City Lite) for the places of
    /// login records; unset, records carry no place.
    pub geoip_database: Option<PathBuf>,
    pub password: PasswordConfig,
    pub codes: CodeConfig,
    pub sessions: SessionConfig,
    pub login: LoginConfig,
    pub outbox: OutboxConfig,
    pub recovery: RecoveryConfig,
    pub chat: ChatConfig,
    pub files: FilesConfig,
    pub support: SupportConfig,
    pub search: SearchConfig,
    /// SMTP and SMS providers; unset, messages go to the dev outbox (dev mode) or the log.
    pub delivery: delivery::DeliveryConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            database_url: "sqlite://./data/wangshang.db".into(),
            data_dir: PathBuf::from("./data"),
            public_url: "http://localhost:8080".into(),
            dev: false,
            secret_key: None,
            default_region: "CN".into(),
            default_locale: "zh-CN".into(),
            behind_proxy: false,
            geoip_database: None,
            password: PasswordConfig::default(),
            codes: CodeConfig::default(),
            sessions: SessionConfig::default(),
            login: LoginConfig::default(),
            outbox: OutboxConfig::default(),
            recovery: RecoveryConfig::default(),
            chat: ChatConfig::default(),
            files: FilesConfig::default(),
            support: SupportConfig::default(),
            search: SearchConfig::default(),
            delivery: delivery::DeliveryConfig::default(),
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordConfig {
    /// Minimum length in Unicode code points after NFKC.
    pub min_length: usize,
    /// Maximum length in code points (at least 128).
    pub max_length: usize,
    /// Inputs longer than this many bytes are refused before any hashing.
    pub max_bytes: usize,
    /// Minimum zxcvbn score (0–4).
    pub min_score: u8,
    /// Opt-in composition rule: letters, digits and symbols.
    pub require_composition: bool,
    /// Argon2id memory in KiB, iterations and lanes.
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub argon2_parallelism: u32,
    /// Optional server-side pepper (Argon2 secret input), kept outside the database.
    pub pepper: Option<Secret>,
    /// Age in days after which `GET /me` reports `password_reminder_due`.
    pub reminder_days: i64,
}

impl Default for PasswordConfig {
    fn default() -> Self {
        Self {
            min_length: 8,
            max_length: 128,
            max_bytes: 1024,
            min_score: 3,
            require_composition: false,
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
            argon2_parallelism: 1,
            pepper: None,
            reminder_days: 180,
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct CodeConfig {
    /// Lifetime of a verification code (SPEC: 5–15 min).
    pub ttl_secs: i64,
    /// Wrong attempts after which a code is dead.
    pub max_attempts: u32,
    /// Minimum seconds between two sends to one destination.
    pub resend_interval_secs: i64,
    pub per_destination_hour: i64,
    pub per_destination_day: i64,
    pub per_ip_hour: i64,
    pub per_ip_day: i64,
    /// `Retry-After` floor once an hourly or daily limit is hit.
    pub burst_retry_after_secs: u64,
}

impl Default for CodeConfig {
    fn default() -> Self {
        Self {
            ttl_secs: 600,
            max_attempts: 5,
            resend_interval_secs: 60,
            per_destination_hour: 5,
            per_destination_day: 10,
            per_ip_hour: 30,
            per_ip_day: 100,
            burst_retry_after_secs: 120,
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionConfig {
    /// A session unused this long ends.
    pub idle_timeout_secs: i64,
    /// A session ends this long after login, used or not.
    pub absolute_timeout_secs: i64,
    /// `last_seen_at` is written at most this often per session.
    pub touch_interval_secs: i64,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            idle_timeout_secs: 7 * 24 * 3600,
            absolute_timeout_secs: 30 * 24 * 3600,
            touch_interval_secs: 60,
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoginConfig {
    /// Consecutive failures on one identifier after which it is locked.
    pub lock_after: u32,
    pub lock_secs: i64,
    /// Failures on one identifier after which each further attempt must wait a growing delay.
    pub delay_after: u32,
    /// The first delay; it doubles with each further failure up to `max_delay_secs`.
    pub base_delay_ms: i64,
    pub max_delay_secs: i64,
    /// The same for one client IP, across identifiers.
    pub ip_delay_after: u32,
    pub ip_lock_after: u32,
    /// A password login from a device the account has not used answers `202 new_device` and
    /// sends a code to the first bound channel (accounts with two-factor get `mfa` instead).
    pub new_device_challenge: bool,
    /// How long the second step of a login stays open, and how many wrong answers kill it.
    pub challenge_ttl_secs: i64,
    pub challenge_max_attempts: u32,
    /// A login from a new device, network or place sends a notice with a "this wasn't me" link.
    pub notify_new_login: bool,
    /// How long that link works.
    pub dispute_link_hours: i64,
}

impl Default for LoginConfig {
    fn default() -> Self {
        Self {
            lock_after: 10,
            lock_secs: 15 * 60,
            delay_after: 3,
            base_delay_ms: 1000,
            max_delay_secs: 60,
            ip_delay_after: 20,
            ip_lock_after: 100,
            new_device_challenge: true,
            challenge_ttl_secs: 600,
            challenge_max_attempts: 5,
            notify_new_login: true,
            dispute_link_hours: 7 * 24,
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutboxConfig {
    /// `dev` records messages for the dev outbox; `log` only writes them to the log. Unset: `dev`
    /// in dev mode, else `log`.
    pub driver: Option<String>,
    /// Attempts before a message is marked failed.
    pub max_attempts: u32,
    /// First retry delay; doubles per attempt, with jitter, up to `max_backoff_secs`.
    pub base_backoff_ms: i64,
    pub max_backoff_secs: i64,
    /// How often the worker looks for due rows written by other nodes.
    pub poll_interval_ms: u64,
    /// How long a claimed row stays claimed before another worker may take it.
    pub lease_secs: i64,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        Self {
            driver: None,
            max_attempts: 5,
            base_backoff_ms: 2000,
            max_backoff_secs: 300,
            poll_interval_ms: 1000,
            lease_secs: 60,
        }
    }
}

/// Self-service recovery and bindings (SPEC §2, §3).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct RecoveryConfig {
    /// How long the reset-only token from a verified code lives.
    pub reset_token_ttl_secs: i64,
    /// How long a whole recovery may take from its first code.
    pub flow_ttl_secs: i64,
    /// After a binding change, recovery through the new destination waits this long unless the
    /// change was confirmed from the old one; the cancel link in the notice lives as long.
    pub binding_hold_hours: i64,
    /// A phone unused for login and recovery this long may have been recycled by the carrier: an
    /// SMS code alone no longer resets the password.
    pub recycled_phone_after_days: i64,
}

impl Default for RecoveryConfig {
    fn default() -> Self {
        Self {
            reset_token_ttl_secs: 900,
            flow_ttl_secs: 3600,
            binding_hold_hours: 72,
            recycled_phone_after_days: 365,
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChatConfig {
    /// A sender may edit or recall a message this long after sending it (group owners may
    /// recall any message at any time).
    pub edit_window_secs: i64,
    /// Most members of a group conversation.
    pub max_group_members: usize,
    /// How long an enterprise invitation holds.
    pub invite_ttl_hours: i64,
    /// Stream events older than this are pruned; a client resuming from before gets `resync`.
    pub stream_retention_days: i64,
    /// Events queued for one socket before it is closed as too slow (the client resumes).
    pub socket_queue: usize,
    /// Seconds between WebSocket pings (and catch-up checks against the database).
    pub heartbeat_secs: u64,
    /// The window of "frequent contacts".
    pub frequent_contacts_days: i64,
    /// Most messages written in one group commit.
    pub max_batch: usize,
    /// Nicknames an account may take per 24 hours, the registration's included (each change
    /// notifies the account's channels).
    pub nicknames_per_day: i64,
}

impl Default for ChatConfig {
    fn default() -> Self {
        Self {
            edit_window_secs: 24 * 3600,
            max_group_members: 500,
            invite_ttl_hours: 7 * 24,
            stream_retention_days: 30,
            socket_queue: 256,
            heartbeat_secs: 30,
            frequent_contacts_days: 90,
            max_batch: 512,
            nicknames_per_day: 5,
        }
    }
}

/// Files in conversations (SPEC §9).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct FilesConfig {
    /// Largest file, in bytes; the server stops reading an upload past it.
    pub max_file_bytes: u64,
    /// Bytes one account may store over any 24 hours.
    pub daily_quota_bytes: u64,
    /// `local` (under `dir`) or `s3` (an S3-compatible object store, `files.s3`).
    pub storage: String,
    /// Where local storage keeps the bytes, and where uploads arrive before they are stored;
    /// unset: `data_dir/files`.
    pub dir: Option<PathBuf>,
    pub s3: S3Config,
    /// Longest side of a thumbnail, in pixels.
    pub thumbnail_px: u32,
    /// Images with more pixels than this get no thumbnail (a decompression bomb is not decoded).
    pub max_image_pixels: u64,
    /// clamd to scan new files with: `host:port` or `unix:/path/to/clamd.sock`. Unset: no
    /// scanning (files are ready at once).
    pub clamd: Option<String>,
    /// Longest wait for one verdict.
    pub scan_timeout_secs: u64,
    /// Life of a signed link (`POST /files/{id}/link`).
    pub link_ttl_secs: i64,
    /// How often files still waiting for a verdict are looked for (clamd was down, a restart).
    pub scan_retry_secs: u64,
    /// Age past which a stored blob no file row holds, or a temporary upload file, is removed
    /// (a day: never an upload in flight).
    pub orphan_secs: i64,
}

impl Default for FilesConfig {
    fn default() -> Self {
        Self {
            max_file_bytes: 100 * 1024 * 1024,
            daily_quota_bytes: 2 * 1024 * 1024 * 1024,
            storage: "local".into(),
            dir: None,
            s3: S3Config::default(),
            thumbnail_px: 320,
            max_image_pixels: 50_000_000,
            clamd: None,
            scan_timeout_secs: 120,
            link_ttl_secs: 300,
            scan_retry_secs: 30,
            orphan_secs: 86_400,
        }
    }
}

/// An S3-compatible object store for files (several nodes share it).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct S3Config {
    /// The service's URL (e.g. `https://oss-cn-hangzhou.aliyuncs.com`, a MinIO); empty: AWS.
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<Secret>,
    /// `bucket.endpoint` addresses instead of `endpoint/bucket`.
    pub virtual_hosted: bool,
}

impl Default for S3Config {
    fn default() -> Self {
        Self {
            endpoint: String::new(),
            bucket: String::new(),
            region: "us-east-1".into(),
            access_key_id: None,
            secret_access_key: None,
            virtual_hosted: false,
        }
    }
}

/// The support desk (SPEC §4). Score thresholds: a candidate scoring at least `owner_score` is
/// `likely_owner`, below `impostor_score` `likely_impostor`, else `uncertain`; a score made of
/// public facts alone (nickname, enterprise name) is capped at `public_facts_cap`, which must
/// stay below `owner_score`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SupportConfig {
    /// After an approval, the account's channels may cancel for this long before the requester
    /// can set a new password.
    pub waiting_period_secs: i64,
    /// A change of the trusted-colleague list takes effect this long after it was made.
    pub trusted_activation_secs: i64,
    /// Confirmations of trusted colleagues that count as strong evidence.
    pub vouches_needed: u32,
    /// A colleague is asked to vouch at most this many times per `vouch_window_days`.
    pub vouch_limit: u32,
    pub vouch_window_days: i64,
    pub owner_score: u32,
    pub impostor_score: u32,
    pub public_facts_cap: u32,
    /// Points of private evidence (colleagues written with, devices, places, dates, former
    /// bindings, where the ticket was filed) `likely_owner` needs besides the score, unless k
    /// trusted colleagues confirmed: a phone number and public facts are never enough.
    pub private_evidence_min: u32,
    /// A trusted colleague who has not answered this long after being asked counts as silent
    /// (a little evidence against).
    pub vouch_deadline_secs: i64,
    /// Tickets one IP, and one proven contact, may open per day.
    pub tickets_per_ip_day: i64,
    pub tickets_per_contact_day: i64,
}

impl Default for SupportConfig {
    fn default() -> Self {
        Self {
            waiting_period_secs: 24 * 3600,
            trusted_activation_secs: 24 * 3600,
            vouches_needed: 2,
            vouch_limit: 3,
            vouch_window_days: 30,
            owner_score: 65,
            impostor_score: 30,
            public_facts_cap: 40,
            private_evidence_min: 40,
            vouch_deadline_secs: 48 * 3600,
            tickets_per_ip_day: 5,
            tickets_per_contact_day: 3,
        }
    }
}

/// Search (SPEC §10).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchConfig {
    /// Off: messages are not indexed and the search endpoints answer `search_disabled`; the
    /// index is marked out of date, so a server started with it on again rebuilds it.
    pub enabled: bool,
}

impl Default for SearchConfig {
    fn default() -> Self {
        Self { enabled: true }
    }
}
