//! Scoring inputs and their compiled forms. [`MentorFeatures`] and
//! [`MenteeFeatures`] are what the API layer hands over (catalog entries
//! already mapped to dense `u32` indexes); [`CompiledMentor`] and
//! [`CompiledMentee`] are what the hot path reads, with no strings left but
//! the person ids kept for tie-breaking and exact identity checks.
//!
//! The layout is asymmetric on purpose. A compiled mentor is kept and reused
//! across requests, so it is compact: one array of tagged items (skills,
//! projects, foundations and languages together) behind one pointer. A
//! compiled mentee lives for one request, so it is dense: one fixed-size
//! table over every (list, index) key. Scoring a pair is then one loop over
//! the mentor's items, each a table load, a multiply and a shifted add, with
//! no bounds check (a masked key always fits) and no branch but the loop's.
//! One loop rather than four matters more than it looks: each variable-length
//! loop costs a mispredicted exit per pair, which is most of a pair's time.

use std::collections::HashMap;

use super::rules;
use crate::values::{
    Capacity, FoundationRole, MentoringTopic, OsmmLevel, Priority, Proficiency, ProjectRole,
};

/// Everything about a mentor that scoring reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MentorFeatures {
    pub person_id: String,
    pub manager_id: Option<String>,
    pub level: OsmmLevel,
    pub capacity: Capacity,
    /// Live matches (`proposed` + `active`).
    pub live_count: u32,
    pub accepting: bool,
    pub skills: Vec<(u32, Proficiency)>,
    pub projects: Vec<(u32, ProjectRole)>,
    pub foundations: Vec<(u32, FoundationRole)>,
    pub topics: Vec<MentoringTopic>,
    /// Language tags as [`crate::values::language`] returns them (`en`, `pt-br`).
    pub languages: Vec<String>,
    /// Minutes east of UTC now; `None` when the person set no timezone.
    pub utc_offset_minutes: Option<i32>,
}

/// Everything about a mentee (and their request) that scoring reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MenteeFeatures {
    pub person_id: String,
    pub manager_id: Option<String>,
    pub level: OsmmLevel,
    pub target_level: OsmmLevel,
    pub wanted_skills: Vec<(u32, Priority)>,
    pub projects: Vec<u32>,
    pub foundations: Vec<u32>,
    pub topics: Vec<MentoringTopic>,
    pub max_timezone_diff_hours: Option<u8>,
    /// Preferred languages; empty means no preference.
    pub languages: Vec<String>,
    pub utc_offset_minutes: Option<i32>,
}

/// A mentee's profile names a catalog index too large to index a table by.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{catalog} index must be below {limit}, got {got}", limit = CompiledMentee::INDEX_LIMIT)]
pub struct IndexTooLarge {
    pub catalog: &'static str,
    pub got: u32,
}

/// Interned language tags, shared by every compiled mentor and mentee that
/// are scored together. Ids are dense, in order of first sight.
#[derive(Clone, Debug, Default)]
pub struct LanguageTable {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl LanguageTable {
    pub fn new() -> Self {
        Self::default()
    }

    /// The id of `tag` (trimmed, lowercased), assigning the next one if new.
    pub fn intern(&mut self, tag: &str) -> u32 {
        let tag = normalize_language(tag);
        if let Some(&id) = self.ids.get(&tag) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(tag.clone());
        self.ids.insert(tag, id);
        id
    }

    pub fn get(&self, tag: &str) -> Option<u32> {
        self.ids.get(&normalize_language(tag)).copied()
    }

    pub fn name(&self, id: u32) -> Option<&str> {
        self.names.get(id as usize).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

pub(crate) fn normalize_language(tag: &str) -> String {
    tag.trim().to_ascii_lowercase()
}

/// A person id with its hash, so the three identity checks per pair compare
/// one word each; the string is compared only when hashes agree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PersonKey {
    pub(crate) hash: u64,
    id: Box<str>,
}

impl PersonKey {
    /// Stands for "nobody" in hash-only fast checks. A real id hashing to it
    /// only sends a pair down the exact (string-comparing) path.
    pub(crate) const NO_HASH: u64 = 0;

    pub(crate) fn new(id: &str) -> Self {
        // FNV-1a: deterministic across runs and builds, unlike std's RandomState.
        let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        Self {
            hash,
            id: id.into(),
        }
    }

    /// A key with a chosen hash: two people whose ids collide.
    #[cfg(test)]
    pub(crate) fn with_hash(id: &str, hash: u64) -> Self {
        Self {
            hash,
            id: id.into(),
        }
    }

    #[inline]
    pub(crate) fn is(&self, other: &PersonKey) -> bool {
        self.hash == other.hash && self.id == other.id
    }

    #[inline]
    pub(crate) fn is_opt(key: Option<&PersonKey>, other: &PersonKey) -> bool {
        key.is_some_and(|k| k.is(other))
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.id
    }
}

/// A catalog (or language) index and its credit (proficiency, or role
/// weight out of [`rules::ROLE_SCALE`]), as compilation sorts and dedups them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Item {
    pub(crate) index: u32,
    pub(crate) credit: u32,
}

/// Which list of a profile an item belongs to; its position in a [`Sums`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum List {
    Skills = 0,
    Projects = 1,
    Foundations = 2,
    Languages = 3,
}

/// A compiled mentor's item, `credit << 18 | list << 16 | index`: the low
/// 18 bits are the item's key in the mentee's table. Credits are at most 10;
/// indexes are below [`CompiledMentee::INDEX_LIMIT`].
pub(crate) type Packed = u32;

const INDEX_BITS: u32 = 16;
const KEY_BITS: u32 = INDEX_BITS + 2;
const KEY_MASK: u32 = (1 << KEY_BITS) - 1;

impl Item {
    fn packed(self, list: List) -> Packed {
        (self.credit << KEY_BITS) | ((list as u32) << INDEX_BITS) | self.index
    }
}

/// The pair loop takes a mentor's items this many at a time.
pub(crate) const ITEMS_PER_CHUNK: usize = 4;

/// Fills a mentor's items up to whole chunks; credit 0 makes it add nothing.
pub(crate) const PADDING: Packed = 0;

/// Four per-list sums of `weight × credit`, one per 16-bit field of a word,
/// so a single accumulator serves every list.
pub(crate) type Sums = u64;

/// Adds a mentor item's credit, times what the mentee's table says for its
/// key, to the field of its list.
#[inline]
pub(crate) fn accumulate(sums: Sums, item: Packed, table: &MenteeTable) -> Sums {
    let weight = u64::from(table[(item & KEY_MASK) as usize]);
    let credit = u64::from(item >> KEY_BITS);
    let field = ((item >> INDEX_BITS) & 3) * 16;
    sums + ((weight * credit) << field)
}

/// The per-list sums for a mentor's items against a mentee's table.
#[inline]
pub(crate) fn sums(items: &[Packed], table: &MenteeTable) -> Sums {
    // Four independent chains per chunk; the padding guarantees no remainder.
    let mut acc = [0; ITEMS_PER_CHUNK];
    for chunk in items.chunks_exact(ITEMS_PER_CHUNK) {
        for (a, &item) in acc.iter_mut().zip(chunk) {
            *a = accumulate(*a, item, table);
        }
    }
    acc.iter().sum()
}

#[inline]
pub(crate) fn sum_of(sums: Sums, list: List) -> u32 {
    ((sums >> (list as u32 * 16)) & 0xffff) as u32
}

/// Marks an unknown timezone in the compiled forms (real values are `< 1440`).
pub(crate) const UNKNOWN_TZ: u16 = u16::MAX;

/// A mentor prepared for scoring. Build once per profile change and reuse.
//
// `repr(C)` keeps the declaration order: everything the pair loop reads sits
// in the first 64 bytes, and the id strings (read on a hash match only) after.
#[derive(Clone, Debug, PartialEq)]
#[repr(C)]
pub struct CompiledMentor {
    /// Every list's items, by list then index, without duplicates, then
    /// [`PADDING`] up to a multiple of [`ITEMS_PER_CHUNK`].
    pub(crate) items: Box<[Packed]>,
    pub(crate) person_hash: u64,
    /// [`PersonKey::NO_HASH`] without a manager.
    pub(crate) manager_hash: u64,
    /// Free capacity fraction, cached because it is the same for every mentee.
    pub(crate) load: f64,
    pub(crate) live: u32,
    pub(crate) topics: u16,
    pub(crate) tz: u16,
    pub(crate) accepting: bool,
    pub(crate) level: OsmmLevel,
    pub(crate) capacity: Capacity,
    pub(crate) person: PersonKey,
    pub(crate) manager: Option<PersonKey>,
}

impl CompiledMentor {
    /// Entries kept per list (skills, projects, foundations, languages), the
    /// lowest indexes first; the rest are dropped. It keeps each per-list sum
    /// within its 16 bits (4,096 × 3 × 5 < 65,536), far above any real profile.
    pub const LIST_LIMIT: usize = 4096;

    /// Duplicated catalog entries keep their best proficiency or role.
    ///
    /// # Complexity
    /// O(n log n) in the number of entries in the profile.
    pub fn compile(features: &MentorFeatures, languages: &mut LanguageTable) -> Self {
        // A mentee cannot name an index at or past the limit, so such an item
        // could never score: leaving it out keeps every index packable.
        let list = |items: Vec<Item>, list: List| {
            items
                .into_iter()
                .filter(|i| i.index < CompiledMentee::INDEX_LIMIT)
                .take(Self::LIST_LIMIT)
                .map(move |i| i.packed(list))
        };
        let skills = best_per_index(
            features
                .skills
                .iter()
                .map(|(i, p)| (*i, u32::from(p.get()))),
        );
        let projects = best_per_index(
            features
                .projects
                .iter()
                .map(|(i, r)| (*i, rules::project_role_weight(*r))),
        );
        let foundations = best_per_index(
            features
                .foundations
                .iter()
                .map(|(i, r)| (*i, rules::foundation_role_weight(*r))),
        );
        let langs = best_per_index(features.languages.iter().map(|l| (languages.intern(l), 1)));
        let mut items: Vec<Packed> = list(skills, List::Skills)
            .chain(list(projects, List::Projects))
            .chain(list(foundations, List::Foundations))
            .chain(list(langs, List::Languages))
            .collect();
        // Padded to whole chunks with credit-0 items, which add nothing: the
        // pair loop then has no remainder loop, and no second exit to mispredict.
        items.resize(items.len().next_multiple_of(ITEMS_PER_CHUNK), PADDING);
        let person = PersonKey::new(&features.person_id);
        let manager = features.manager_id.as_deref().map(PersonKey::new);
        let mut mentor = Self {
            items: items.into_boxed_slice(),
            person_hash: person.hash,
            manager_hash: manager.as_ref().map_or(PersonKey::NO_HASH, |m| m.hash),
            load: 0.0,
            live: 0,
            topics: topic_bits(&features.topics),
            tz: features
                .utc_offset_minutes
                .map_or(UNKNOWN_TZ, rules::minute_of_day),
            accepting: features.accepting,
            level: features.level,
            capacity: features.capacity,
            person,
            manager,
        };
        mentor.set_live_count(features.live_count);
        mentor
    }

    pub fn person_id(&self) -> &str {
        self.person.as_str()
    }

    pub fn capacity(&self) -> Capacity {
        self.capacity
    }

    pub fn live_count(&self) -> u32 {
        self.live
    }

    pub fn is_accepting(&self) -> bool {
        self.accepting
    }

    /// Updates the live match count without recompiling the profile.
    pub fn set_live_count(&mut self, live: u32) {
        self.live = live;
        let cap = u32::from(self.capacity.get());
        // A count above capacity (read back from older data) means no room, not negative room.
        self.load = f64::from(cap - live.min(cap)) / f64::from(cap);
    }
}

/// `min(1, num / den)` for a denominator fixed by the mentee, and 1 when
/// the mentee asked for nothing (`den == 0`): nothing wanted, nothing missed.
///
/// Answers come from a table of correctly rounded quotients built once per
/// request: a load instead of a division per pair, and the same bits as
/// dividing, so 7 of 7 and 9 of 9 are both exactly 1 and hand-worked
/// scores come out exact. Past [`Ratio::TABLE_LIMIT`] it divides instead.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Ratio {
    den: u32,
    table: Box<[f64]>,
}

impl Ratio {
    /// At most 12 KiB of table. Skills reach it with 100 wanted skills at
    /// priority 1 (5 · 3 · 100); projects, foundations and topics never do.
    const TABLE_LIMIT: u32 = 1_500;

    fn new(den: u32) -> Self {
        let table = if den <= Self::TABLE_LIMIT {
            (0..=den).map(|n| Self::divide(n, den)).collect()
        } else {
            Box::default()
        };
        Self { den, table }
    }

    fn divide(num: u32, den: u32) -> f64 {
        if num >= den {
            1.0
        } else {
            f64::from(num) / f64::from(den)
        }
    }

    #[inline]
    pub(crate) fn of(&self, num: u32) -> f64 {
        let num = num.min(self.den);
        // Always found below the limit (the table has `den + 1` entries), so
        // this branch goes the same way for every mentor of one request.
        match self.table.get(num as usize) {
            Some(&raw) => raw,
            None => Self::divide(num, self.den),
        }
    }
}

/// A mentee's weight for every (list, index) key: the priority weight of a
/// wanted skill, 1 for a project, foundation or language of interest, else 0.
pub(crate) type MenteeTable = [u8; 1 << KEY_BITS];

/// A mentee (with their request's preferences) prepared for scoring
/// against many mentors.
#[derive(Clone, PartialEq)]
pub struct CompiledMentee {
    pub(crate) person: PersonKey,
    pub(crate) manager: Option<PersonKey>,
    /// [`PersonKey::NO_HASH`] without a manager.
    pub(crate) manager_hash: u64,
    pub(crate) table: Box<MenteeTable>,
    pub(crate) skills: Ratio,
    pub(crate) projects: Ratio,
    pub(crate) foundations: Ratio,
    /// Maturity raw value by mentor level (index 0 unused).
    pub(crate) maturity: [f64; 6],
    pub(crate) topics: u16,
    pub(crate) topics_ratio: Ratio,
    pub(crate) wants_language: bool,
    pub(crate) tz: u16,
    /// `u32::MAX` when the mentee set no limit.
    pub(crate) max_tz_minutes: u32,
}

impl CompiledMentee {
    /// Catalog indexes (and language ids) must be below this: 65,536, where
    /// catalogs hold a few thousand entries. It sizes the mentee's table at
    /// 256 KiB, allocated zeroed (fresh pages, no memset) once per request,
    /// so that no lookup needs a bounds check.
    pub const INDEX_LIMIT: u32 = 1 << INDEX_BITS;

    /// Duplicated wanted skills keep their highest priority. Languages the
    /// table has never seen still count as a preference, one no mentor meets.
    ///
    /// # Errors
    /// [`IndexTooLarge`] when a skill, project or foundation index is at or
    /// above [`Self::INDEX_LIMIT`].
    ///
    /// # Complexity
    /// O(n log n) for n profile entries.
    pub fn compile(
        features: &MenteeFeatures,
        languages: &LanguageTable,
    ) -> Result<Self, IndexTooLarge> {
        check_indexes("skill", features.wanted_skills.iter().map(|(i, _)| *i))?;
        check_indexes("project", features.projects.iter().copied())?;
        check_indexes("foundation", features.foundations.iter().copied())?;

        let wanted = best_per_index(
            features
                .wanted_skills
                .iter()
                .map(|(i, p)| (*i, rules::priority_weight(*p))),
        );
        let projects = best_per_index(features.projects.iter().map(|&i| (i, 1)));
        let foundations = best_per_index(features.foundations.iter().map(|&i| (i, 1)));
        // A language id past the limit (a table of over 65,536 languages)
        // can match no compiled mentor, which drops it too.
        let langs = best_per_index(
            features
                .languages
                .iter()
                .filter_map(|l| languages.get(l))
                .filter(|&id| id < Self::INDEX_LIMIT)
                .map(|id| (id, 1)),
        );
        let mut table = zeroed_table();
        for (items, list) in [
            (&wanted, List::Skills),
            (&projects, List::Projects),
            (&foundations, List::Foundations),
            (&langs, List::Languages),
        ] {
            for item in items {
                let key = (list as u32) << INDEX_BITS | item.index;
                table[key as usize] = item.credit as u8;
            }
        }
        let skills_den = rules::PROFICIENCY_SCALE * wanted.iter().map(|w| w.credit).sum::<u32>();
        let topics = topic_bits(&features.topics);
        let maturity = std::array::from_fn(|level| match OsmmLevel::try_from(level as i64) {
            Ok(mentor) => rules::maturity_fit(mentor, features.level, features.target_level),
            Err(_) => 0.0,
        });
        Ok(Self {
            person: PersonKey::new(&features.person_id),
            manager_hash: features
                .manager_id
                .as_deref()
                .map_or(PersonKey::NO_HASH, |m| PersonKey::new(m).hash),
            manager: features.manager_id.as_deref().map(PersonKey::new),
            table,
            skills: Ratio::new(skills_den),
            projects: Ratio::new(rules::ties_denominator(projects.len())),
            foundations: Ratio::new(rules::ties_denominator(foundations.len())),
            maturity,
            topics,
            topics_ratio: Ratio::new(topics.count_ones()),
            wants_language: !features.languages.is_empty(),
            tz: features
                .utc_offset_minutes
                .map_or(UNKNOWN_TZ, rules::minute_of_day),
            max_tz_minutes: features
                .max_timezone_diff_hours
                .map_or(u32::MAX, |h| u32::from(h) * 60),
        })
    }

    pub fn person_id(&self) -> &str {
        self.person.as_str()
    }
}

impl std::fmt::Debug for CompiledMentee {
    /// The person and what the mentee asks for, not 256 KiB of table.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let wanted = |list: List| {
            let lo = (list as usize) << INDEX_BITS;
            self.table[lo..lo + Self::INDEX_LIMIT as usize]
                .iter()
                .filter(|w| **w != 0)
                .count()
        };
        f.debug_struct("CompiledMentee")
            .field("person", &self.person.as_str())
            .field("skills", &wanted(List::Skills))
            .field("projects", &wanted(List::Projects))
            .field("foundations", &wanted(List::Foundations))
            .field("languages", &wanted(List::Languages))
            .field("topics", &self.topics.count_ones())
            .field("max_tz_minutes", &self.max_tz_minutes)
            .finish_non_exhaustive()
    }
}

fn check_indexes(
    catalog: &'static str,
    mut indexes: impl Iterator<Item = u32>,
) -> Result<(), IndexTooLarge> {
    match indexes.find(|&i| i >= CompiledMentee::INDEX_LIMIT) {
        Some(got) => Err(IndexTooLarge { catalog, got }),
        None => Ok(()),
    }
}

/// Sorted by index, one item per index with the largest credit.
pub(crate) fn best_per_index(items: impl Iterator<Item = (u32, u32)>) -> Vec<Item> {
    let mut items: Vec<Item> = items
        .map(|(index, credit)| Item { index, credit })
        .collect();
    items.sort_unstable_by(|a, b| a.index.cmp(&b.index).then(b.credit.cmp(&a.credit)));
    items.dedup_by_key(|i| i.index);
    items
}

fn topic_bits(topics: &[MentoringTopic]) -> u16 {
    topics.iter().fold(0, |bits, t| bits | (1 << t.index()))
}

/// The mentee table, allocated zeroed: at this size the allocator maps fresh
/// zero pages, and only the pages a lookup touches are ever faulted in.
fn zeroed_table() -> Box<MenteeTable> {
    match vec![0u8; 1 << KEY_BITS].into_boxed_slice().try_into() {
        Ok(table) => table,
        Err(_) => unreachable!("a vec of the table's length converts to the table"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_table_interns_normalized_tags_densely() {
        let mut table = LanguageTable::new();
        assert_eq!(table.intern("en"), 0);
        assert_eq!(table.intern(" EN "), 0);
        assert_eq!(table.intern("pt-br"), 1);
        assert_eq!(table.get("PT-BR"), Some(1));
        assert_eq!(table.name(1), Some("pt-br"));
        assert_eq!(table.len(), 2);
    }

    #[test]
    fn compiled_people_keep_who_they_are_and_whether_they_accept() {
        let mut languages = LanguageTable::new();
        assert!(languages.is_empty());
        let mut features = crate::scoring::fixtures::mentor("mentor-7");
        features.accepting = false;
        let mentor = CompiledMentor::compile(&features, &mut languages);
        assert!(!mentor.is_accepting());
        assert!(!languages.is_empty(), "the mentor's language was interned");
        features.accepting = true;
        features.live_count = 2;
        let mentor = CompiledMentor::compile(&features, &mut languages);
        assert!(mentor.is_accepting());
        assert_eq!(mentor.live_count(), 2, "the live count is compiled in");
        let mentee =
            CompiledMentee::compile(&crate::scoring::fixtures::mentee("mentee-9"), &languages)
                .unwrap();
        assert_eq!(mentee.person_id(), "mentee-9");
    }

    #[test]
    fn a_language_past_the_index_limit_counts_as_one_nobody_speaks() {
        let mut languages = LanguageTable::new();
        languages.intern("en");
        for i in 1..=CompiledMentee::INDEX_LIMIT {
            languages.intern(&format!("l{i}"));
        }
        let past = format!("l{}", CompiledMentee::INDEX_LIMIT);
        assert_eq!(languages.get(&past), Some(CompiledMentee::INDEX_LIMIT));
        let mentor =
            CompiledMentor::compile(&crate::scoring::fixtures::mentor("m"), &mut languages);
        let score = |tag: &str| {
            let mut features = crate::scoring::fixtures::mentee("e");
            features.languages = vec![tag.into()];
            let mentee = CompiledMentee::compile(&features, &languages).unwrap();
            match crate::scoring::score(
                &mentor,
                &mentee,
                &crate::scoring::Policy::default(),
                &crate::scoring::ScoreContext::for_proposal(),
            ) {
                crate::scoring::Outcome::Eligible(score) => score.total(),
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(score(&past), score("unheard-of"));
        assert!(score("en") > score(&past), "a shared language counts");
    }

    #[test]
    fn duplicate_items_keep_the_best_credit_in_index_order() {
        let items = best_per_index([(7, 2), (3, 1), (7, 5), (3, 4)].into_iter());
        assert_eq!(
            items,
            [
                Item {
                    index: 3,
                    credit: 4
                },
                Item {
                    index: 7,
                    credit: 5
                }
            ]
        );
    }

    #[test]
    fn items_add_weight_times_credit_into_their_list_field() {
        let mut table = zeroed_table();
        let skill = Item {
            index: 7,
            credit: 5,
        };
        let project = Item {
            index: 7,
            credit: 10,
        };
        table[7] = 3;
        table[(1 << INDEX_BITS) + 7] = 1;
        let sums = [
            skill.packed(List::Skills),
            project.packed(List::Projects),
            Item {
                index: 9,
                credit: 4,
            }
            .packed(List::Skills),
        ]
        .into_iter()
        .fold(0, |sums, item| accumulate(sums, item, &table));
        assert_eq!(sum_of(sums, List::Skills), 15);
        assert_eq!(sum_of(sums, List::Projects), 10);
        assert_eq!(sum_of(sums, List::Foundations), 0);
        assert_eq!(sum_of(sums, List::Languages), 0);
    }

    #[test]
    fn mentor_items_past_the_index_limit_are_dropped() {
        let mut languages = LanguageTable::new();
        let mut features = crate::scoring::fixtures::mentor("m");
        features.skills = vec![
            (
                CompiledMentee::INDEX_LIMIT,
                crate::scoring::fixtures::proficiency(5),
            ),
            (3, crate::scoring::fixtures::proficiency(2)),
        ];
        let mentor = CompiledMentor::compile(&features, &mut languages);
        // Skill 3 and the language en, padded to a whole chunk.
        assert_eq!(
            *mentor.items,
            [(2 << 18) | 3, (1 << 18) | (3 << 16), PADDING, PADDING]
        );
    }

    #[test]
    fn ratios_are_exactly_one_when_full_and_when_nothing_is_wanted() {
        assert_eq!(Ratio::new(0).of(0), 1.0);
        assert_eq!(Ratio::new(49).of(49), 1.0);
        assert_eq!(Ratio::new(20).of(25), 1.0);
        assert_eq!(Ratio::new(4).of(1), 0.25);
        assert_eq!(Ratio::new(20).of(3), 0.15);
        // Past the table: divides, with the same answers.
        let big = Ratio::new(Ratio::TABLE_LIMIT * 3);
        assert!(big.table.is_empty());
        assert_eq!(big.of(Ratio::TABLE_LIMIT * 3 / 2), 0.5);
        assert_eq!(big.of(u32::MAX), 1.0);
    }

    #[test]
    fn person_keys_match_on_equal_ids_only() {
        assert!(PersonKey::new("a-1").is(&PersonKey::new("a-1")));
        assert!(!PersonKey::new("a-1").is(&PersonKey::new("a-2")));
        assert!(!PersonKey::is_opt(None, &PersonKey::new("a-1")));
    }
}
