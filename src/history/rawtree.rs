//! Reading tree objects as raw bytes. The history pass compares two
//! versions of big folders (`accounts/` with thousands of entries) once per
//! commit; walking the raw entries directly, and skipping byte-identical
//! ones, costs a fraction of building libgit2 tree objects for each.
//!
//! A raw tree is a sequence of `<octal mode> <name>\0<binary id>` entries,
//! sorted in git's order.

use git2::{ObjectType, Odb, OdbObject, Oid};
use std::collections::HashMap;
use std::rc::Rc;

/// Reads raw trees, keeping those of the previous commit: a commit's parent
/// trees are the next (older) commit's own trees.
pub struct TreeReader<'o> {
    odb: &'o Odb<'o>,
    id_len: usize,
    previous: HashMap<Oid, Rc<OdbObject<'o>>>,
    current: HashMap<Oid, Rc<OdbObject<'o>>>,
}

impl<'o> TreeReader<'o> {
    pub fn new(odb: &'o Odb<'o>, id_len: usize) -> TreeReader<'o> {
        TreeReader {
            odb,
            id_len,
            previous: HashMap::new(),
            current: HashMap::new(),
        }
    }

    /// Moves on to the next commit: trees read so far become "previous".
    pub fn next_commit(&mut self) {
        self.previous = std::mem::take(&mut self.current);
    }

    /// The raw tree `id`.
    pub fn read(&mut self, id: Oid) -> Result<Rc<OdbObject<'o>>, git2::Error> {
        if let Some(t) = self.current.get(&id) {
            return Ok(t.clone());
        }
        let tree = match self.previous.get(&id) {
            Some(t) => t.clone(),
            None => {
                let object = self.odb.read(id)?;
                if object.kind() != ObjectType::Tree {
                    return Err(git2::Error::from_str(&format!("object {id} is not a tree")));
                }
                Rc::new(object)
            }
        };
        self.current.insert(id, tree.clone());
        Ok(tree)
    }

    pub fn id_len(&self) -> usize {
        self.id_len
    }
}

/// One entry of a raw tree.
#[derive(Clone, Copy)]
pub struct RawEntry<'a> {
    pub mode: u32,
    pub name: &'a [u8],
    pub id: &'a [u8],
    /// The whole entry, for a quick "unchanged" test.
    pub bytes: &'a [u8],
}

impl RawEntry<'_> {
    pub fn oid(&self) -> Oid {
        // The slice has the id length of the repository: from_bytes accepts it.
        Oid::from_bytes(self.id).unwrap_or(Oid::ZERO_SHA1)
    }
}

/// Iterates over the entries of raw tree data; stops at the first
/// malformed entry (never reads out of bounds).
pub struct Entries<'a> {
    data: &'a [u8],
    id_len: usize,
}

impl<'a> Entries<'a> {
    pub fn new(data: &'a [u8], id_len: usize) -> Entries<'a> {
        Entries { data, id_len }
    }
}

impl<'a> Iterator for Entries<'a> {
    type Item = RawEntry<'a>;

    fn next(&mut self) -> Option<RawEntry<'a>> {
        let data = self.data;
        let space = data.iter().position(|&b| b == b' ')?;
        let mut mode = 0u32;
        for &digit in &data[..space] {
            if !(b'0'..=b'7').contains(&digit) || mode > u32::MAX >> 3 {
                self.data = &[];
                return None;
            }
            mode = mode << 3 | u32::from(digit - b'0');
        }
        let rest = &data[space + 1..];
        let nul = rest.iter().position(|&b| b == 0)?;
        let end = space + 1 + nul + 1 + self.id_len;
        if end > data.len() {
            self.data = &[];
            return None;
        }
        let entry = RawEntry {
            mode,
            name: &rest[..nul],
            id: &data[space + 1 + nul + 1..end],
            bytes: &data[..end],
        };
        self.data = &data[end..];
        Some(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_entries_and_stops_at_garbage() {
        let mut data = b"100644 a.md\0".to_vec();
        data.extend([1u8; 20]);
        data.extend(b"40000 dir\0");
        data.extend([2u8; 20]);
        data.extend(b"100644 cut\0\x01\x02");
        let entries: Vec<RawEntry> = Entries::new(&data, 20).collect();
        assert_eq!(entries.len(), 2);
        assert_eq!((entries[0].mode, entries[0].name), (0o100644, &b"a.md"[..]));
        assert_eq!((entries[1].mode, entries[1].name), (0o40000, &b"dir"[..]));
        assert_eq!(entries[1].id, &[2u8; 20]);
        assert_eq!(Entries::new(b"9 x\0", 20).count(), 0);
    }
}
