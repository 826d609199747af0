//! Facet counts for a search's matches, from a table per segment.
//!
//! tantivy's `FacetCollector` walks each segment's facet dictionary on every
//! search and reads each matching post's facets from a compressed column:
//! about a fifth of a search over many matches. A segment never changes, so
//! its facets are read once into [`SegmentFacets`] (each post's facets as
//! small numbers, and the name each number stands for), kept while the
//! segment is in use, and a search then counts with two array reads and an
//! addition per facet of a matching post.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::index::SegmentId;
use tantivy::schema::Facet;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// The facet kinds counted: `/category/{slug}` and so on.
pub const FACET_KINDS: [&str; 4] = ["category", "tag", "author", "location"];

/// (kind, slug, posts), as the search results report them.
pub type FacetCount = (String, String, u64);

/// One segment's facets: the facets of post `d` are
/// `ords[offsets[d]..offsets[d + 1]]`, numbers into `names`.
#[derive(Debug, Default)]
pub struct SegmentFacets {
    offsets: Vec<u32>,
    ords: Vec<u32>,
    names: Vec<(String, String)>,
}

impl SegmentFacets {
    /// Read every post's facets of the segment (`field`: the facet field's name).
    pub fn read(reader: &SegmentReader, field: &str) -> tantivy::Result<SegmentFacets> {
        let facets = reader.facet_reader(field)?;
        // The dictionary's numbers of the facets counted, to ours.
        let mut ours: Vec<Option<u32>> = Vec::with_capacity(facets.num_facets());
        let mut names = Vec::new();
        let mut facet = Facet::root();
        for ord in 0..facets.num_facets() as u64 {
            facets.facet_from_ord(ord, &mut facet)?;
            let path = facet.to_path();
            ours.push(match path.as_slice() {
                [kind, slug] if FACET_KINDS.contains(kind) => {
                    names.push((kind.to_string(), slug.to_string()));
                    Some(names.len() as u32 - 1)
                }
                _ => None,
            });
        }
        let max_doc = reader.max_doc();
        let mut offsets = Vec::with_capacity(max_doc as usize + 1);
        let mut ords = Vec::new();
        offsets.push(0);
        for doc in 0..max_doc {
            let start = ords.len();
            ords.extend(facets.facet_ords(doc).filter_map(|o| ours.get(o as usize).copied().flatten()));
            // A post names a facet once; be sure of it all the same.
            ords[start..].sort_unstable();
            let mut kept = start;
            for i in start..ords.len() {
                if i == start || ords[i] != ords[kept - 1] {
                    ords[kept] = ords[i];
                    kept += 1;
                }
            }
            ords.truncate(kept);
            offsets.push(ords.len() as u32);
        }
        Ok(SegmentFacets { offsets, ords, names })
    }
}

/// The tables of the segments searched lately, by segment.
#[derive(Debug, Default)]
pub struct FacetTables {
    field: String,
    tables: Mutex<HashMap<SegmentId, Arc<SegmentFacets>>>,
}

impl FacetTables {
    pub fn new(field: &str) -> FacetTables {
        FacetTables { field: field.to_string(), tables: Mutex::default() }
    }

    fn get(&self, reader: &SegmentReader) -> tantivy::Result<Arc<SegmentFacets>> {
        let id = reader.segment_id();
        if let Some(t) = self.tables.lock().unwrap_or_else(|p| p.into_inner()).get(&id) {
            return Ok(t.clone());
        }
        // Two searches may read the same new segment at once: both tables are equal.
        let table = Arc::new(SegmentFacets::read(reader, &self.field)?);
        self.tables.lock().unwrap_or_else(|p| p.into_inner()).insert(id, table.clone());
        Ok(table)
    }

    /// Forget the tables of segments no longer searched (merged away).
    pub fn keep_only(&self, segments: &[SegmentReader]) {
        let live: HashSet<SegmentId> = segments.iter().map(SegmentReader::segment_id).collect();
        self.tables.lock().unwrap_or_else(|p| p.into_inner()).retain(|id, _| live.contains(id));
    }

    /// A collector counting the facets of the matches.
    pub fn counter(&self) -> FacetCounter<'_> {
        FacetCounter { tables: self }
    }
}

/// Counts the facets of every match, by kind and slug.
pub struct FacetCounter<'a> {
    tables: &'a FacetTables,
}

impl Collector for FacetCounter<'_> {
    type Fruit = HashMap<(String, String), u64>;
    type Child = SegmentFacetCounter;

    fn for_segment(&self, _: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentFacetCounter> {
        let table = self.tables.get(reader)?;
        let counts = vec![0; table.names.len()];
        Ok(SegmentFacetCounter { table, counts })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut all = HashMap::new();
        for fruit in fruits {
            for (name, n) in fruit {
                *all.entry(name).or_default() += n;
            }
        }
        Ok(all)
    }
}

pub struct SegmentFacetCounter {
    table: Arc<SegmentFacets>,
    counts: Vec<u64>,
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = HashMap<(String, String), u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        let t = &self.table;
        let (Some(&from), Some(&to)) = (t.offsets.get(doc as usize), t.offsets.get(doc as usize + 1)) else {
            return;
        };
        for &ord in &t.ords[from as usize..to as usize] {
            self.counts[ord as usize] += 1;
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(ord, n)| (self.table.names[ord].clone(), *n))
            .collect()
    }
}

/// The counts in the order results show them: by kind (as in
/// [`FACET_KINDS`]), then slug.
pub fn ordered(counts: HashMap<(String, String), u64>) -> Vec<FacetCount> {
    let mut out: Vec<FacetCount> = counts.into_iter().map(|((kind, slug), n)| (kind, slug, n)).collect();
    let rank = |kind: &str| FACET_KINDS.iter().position(|k| *k == kind).unwrap_or(FACET_KINDS.len());
    out.sort_by(|a, b| rank(&a.0).cmp(&rank(&b.0)).then_with(|| a.1.cmp(&b.1)));
    out
}
