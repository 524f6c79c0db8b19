//! Configuration: defaults → TOML file → `WANGSHANG_*` environment variables (env wins). Nested
//! keys use `__` in the environment: `WANGSHANG_PASSWORD__MIN_LENGTH=10`.

use std::path::Path;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};

use domain::config::Config;

pub fn load(file: Option<&Path>, dev: bool) -> Result<Config, String> {
    let mut fig = Figment::from(Serialized::defaults(Config::default()));
    if let Some(f) = file {
        if !f.exists() {
            return Err(format!("config file {} not found", f.display()));
        }
        fig = fig.merge(Toml::file(f));
    }
    fig = fig.merge(Env::prefixed("WANGSHANG_").split("__"));
    let mut cfg: Config = fig.extract().map_err(|e| format!("configuration: {e}"))?;
    if dev {
        cfg.dev = true;
    }
    if cfg.codes.ttl_secs < 300 || cfg.codes.ttl_secs > 900 {
        tracing::warn!(
            ttl = cfg.codes.ttl_secs,
            "codes.ttl_secs is outside the 5–15 min of the spec"
        );
    }
    if cfg.password.max_length < 64 {
        return Err("password.max_length must be at least 64".into());
    }
    Ok(cfg)
}
