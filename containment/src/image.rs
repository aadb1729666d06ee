//! The session image: built by us from a root filesystem holding only our binary and the shared
//! libraries it links (no registry, no base image), tagged by its content.

use std::path::{Path, PathBuf};

use bollard::query_parameters::CreateImageOptions;
use bollard::Docker;
use futures_util::StreamExt;

use crate::ContainmentError;

/// Makes sure the image built from `binary` exists; returns its name. The tag names the content,
/// so a rebuilt binary gets a fresh image and an unchanged one is not built again.
pub async fn ensure_image(docker: &Docker, binary: &Path) -> Result<String, ContainmentError> {
    let rootfs = rootfs_tar(binary).map_err(|source| ContainmentError::RootFs {
        binary: binary.to_path_buf(),
        source,
    })?;
    let tag = {
        use sha2::Digest;
        hex::encode(&sha2::Sha256::digest(&rootfs)[..8])
    };
    let image = format!("homegames-session:{tag}");
    if docker.inspect_image(&image).await.is_err() {
        let options = CreateImageOptions {
            from_src: Some("-".into()),
            repo: Some("homegames-session".into()),
            tag: Some(tag),
            ..Default::default()
        };
        let mut progress =
            docker.create_image(Some(options), Some(bollard::body_full(rootfs.into())), None);
        while let Some(step) = progress.next().await {
            step.map_err(ContainmentError::Image)?;
        }
        tracing::info!(%image, "session image built");
    }
    Ok(image)
}

/// A root filesystem with our binary at /homegames, the shared libraries it needs at their own
/// paths (from `ldd`), and empty /game and /tmp mount points.
fn rootfs_tar(binary: &Path) -> std::io::Result<Vec<u8>> {
    let mut files: Vec<(PathBuf, PathBuf)> =
        vec![(binary.to_path_buf(), PathBuf::from("homegames"))];
    let ldd = std::process::Command::new("ldd").arg(binary).output()?;
    for line in String::from_utf8_lossy(&ldd.stdout).lines() {
        let path = line
            .split("=>")
            .nth(1)
            .unwrap_or(line)
            .split_whitespace()
            .next()
            .unwrap_or("");
        if path.starts_with('/') && Path::new(path).exists() {
            let real = std::fs::canonicalize(path)?;
            files.push((real, PathBuf::from(path.trim_start_matches('/'))));
        }
    }
    let mut tar = tar::Builder::new(Vec::new());
    tar.mode(tar::HeaderMode::Deterministic);
    tar.sparse(false);
    for dir in ["game", "tmp"] {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Directory);
        h.set_mode(0o755);
        h.set_size(0);
        tar.append_data(&mut h, dir, std::io::empty())?;
    }
    for (src, dst) in files {
        tar.append_path_with_name(&src, &dst)?;
    }
    tar.into_inner()
}
