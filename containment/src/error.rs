//! Why containment could not do what was asked. A game that fails is not one of these: its failure
//! is in its [`crate::Report`] or its describe outcome.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ContainmentError {
    #[error("Docker is not reachable ({0}); sessions need containers and will not start without them (use --isolation inline for development)")]
    Unreachable(#[source] bollard::errors::Error),
    #[error("cannot lay out the session image's files from {}: {source}", binary.display())]
    RootFs {
        binary: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot build the session image: {0}")]
    Image(#[source] bollard::errors::Error),
    #[error("{}: {source}", path.display())]
    GameFolder {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the contained run failed: {0}")]
    Docker(#[from] bollard::errors::Error),
    #[error("{} is outside the served game folders", .0.display())]
    OutsideRoots(PathBuf),
    #[error("the session container stopped")]
    Stopped,
    #[error("these containers make test runs only; they were given no session options")]
    TestRunsOnly,
    #[error("the test process could not run: {0}")]
    Process(#[source] std::io::Error),
}
