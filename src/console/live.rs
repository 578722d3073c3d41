//! The settings one Worker isolate uses now: its env, what the console
//! saved, and the pasted API token, merged into one [`Config`] and one
//! [`Redactor`]. The Worker keeps a [`Live`] and reads KV again when
//! [`Live::due`] says so.

use crate::proxy::config::{self, Config, ConfigError};
use crate::redact::Redactor;

use super::settings::{self, Stored, RELOAD_SECONDS};
use super::vault;

/// The vars of the env the Worker reads (a snapshot, taken once).
pub type Env = Vec<(&'static str, String)>;

/// The value of `name` in `env`.
pub fn env_var(env: &Env, name: &str) -> Option<String> {
    env.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone())
}

/// The settings in use.
#[derive(Clone, Debug)]
pub struct Live {
    /// When KV was read (unix seconds); `None`: never (the env alone).
    pub loaded_at: Option<u64>,
    /// What the console saved.
    pub stored: Stored,
    /// The pasted API token, unsealed; `None` when there is none or it
    /// could not be unsealed.
    pub pasted: Option<String>,
    /// The merged settings.
    pub config: Result<Config, ConfigError>,
    /// Every secret of the env, and the pasted token.
    pub redactor: Redactor,
}

impl Live {
    /// The settings of `env` with `stored` and `pasted` over them.
    pub fn build(
        env: &Env,
        stored: Stored,
        pasted: Option<String>,
        loaded_at: Option<u64>,
    ) -> Live {
        let var = |name: &str| env_var(env, name);
        let config = settings::config(&var, &stored, pasted.as_deref());
        let redactor = config::redactor(var, pasted.as_deref());
        Live {
            loaded_at,
            stored,
            pasted,
            config,
            redactor,
        }
    }

    /// Whether KV should be read again at `now`: never read, or read
    /// [`RELOAD_SECONDS`] ago or more.
    pub fn due(&self, now: u64) -> bool {
        self.loaded_at
            .map_or(true, |at| now.saturating_sub(at) >= RELOAD_SECONDS)
    }

    /// The last 4 characters of the pasted token, for the status.
    pub fn pasted_last4(&self) -> Option<String> {
        self.pasted.as_deref().map(vault::last4)
    }
}
