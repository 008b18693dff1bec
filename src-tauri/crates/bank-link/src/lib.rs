//! The link to the core bank, the Pledge Registry and the official income service.
//!
//! Invariant: the only crate that makes HTTP calls. The client, the outbox worker and the
//! bank simulator arrive with the sync capability; until then the workstation is offline
//! by construction and says so in its status.
