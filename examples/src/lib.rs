//! Example programs that embed archgen.
