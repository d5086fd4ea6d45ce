//! The archgen quality gate.
//!
//! Runs a generated project through its stack's verification plan (install,
//! migrate, lint, test, run) against a throwaway PostgreSQL, then runs the
//! stack-neutral conformance suite against the running app and scores it.
