//! The confinement every container of ours gets: no network, a read-only root, a small tmpfs, no
//! capabilities, no new privileges, memory, CPU and PID limits, and nobody's user id.

use std::collections::HashMap;

use bollard::models::HostConfig;

/// Resource limits of one container.
#[derive(Debug, Clone)]
pub struct Limits {
    pub memory_bytes: i64,
    pub cpus: f64,
    pub pids: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_bytes: 256 << 20,
            cpus: 1.0,
            pids: 64,
        }
    }
}

/// The user every container runs as (nobody:nogroup).
pub const USER: &str = "65534:65534";

/// The Docker host configuration of a container with `binds` mounted (each `src:dst:ro`).
pub fn host_config(limits: &Limits, binds: Vec<String>, auto_remove: bool) -> HostConfig {
    HostConfig {
        binds: Some(binds),
        readonly_rootfs: Some(true),
        tmpfs: Some(HashMap::from([(
            "/tmp".to_string(),
            "rw,noexec,nosuid,size=16m".to_string(),
        )])),
        network_mode: Some("none".into()),
        cap_drop: Some(vec!["ALL".into()]),
        security_opt: Some(vec!["no-new-privileges".into()]),
        memory: Some(limits.memory_bytes),
        memory_swap: Some(limits.memory_bytes),
        nano_cpus: Some((limits.cpus * 1e9) as i64),
        pids_limit: Some(limits.pids),
        auto_remove: Some(auto_remove),
        ..Default::default()
    }
}
