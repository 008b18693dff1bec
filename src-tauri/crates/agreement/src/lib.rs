//! The printed credit agreement.
//!
//! Invariant: the only crate that knows PDF. The agreement generator arrives with the
//! printing capability; until then the agreement step states that printing is not
//! available and no PDF is produced.
