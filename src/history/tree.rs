//! Records read straight from a git tree (for `folio diff`).
