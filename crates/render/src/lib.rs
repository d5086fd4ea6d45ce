//! The archgen render engine.
//!
//! Holds the registries of stacks, vendors and document emitters, walks a
//! complete blueprint, and produces an in-memory file tree that is written to
//! disk only at the very end (safe paths, a manifest of hashes, dry runs).
