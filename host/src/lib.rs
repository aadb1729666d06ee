//! # host
//!
//! Owns the game-session server: the WebSocket protocol of the existing client, sessions and
//! players, per-player frames on the socket, our browser client, and containment of sessions.
//! Today it holds the `homegames` command-line tool; the server arrives with the host issue.
//!
//! Must not know about: the bytes of the squish format (that is `squish`) or how JavaScript runs
//! (that is `js-runtime`). It moves frames; it does not build them.
