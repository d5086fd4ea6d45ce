//! Stack emitters for archgen.
//!
//! A stack turns a complete blueprint into the source files of a backend in one
//! language and framework (python-fastapi, typescript-express, …), together with
//! the commands that verify what it emitted. The `Stack` trait and the built-in
//! stacks arrive with the render engine; this crate never touches the disk.
