//! The enterprise register (企业名录) and its index, and the matching of one
//! unit as a list names it against the register.
//!
//! [`RegisterIndex::build`] normalises every name once and indexes it by
//! credit code, by literal name, by key (core + legal-form family), by core
//! alone (for a change of legal form) and by the two halves of the core (for
//! one mistyped character), so that matching a unit costs a handful of hash
//! look-ups whatever the register's size. [`RegisterIndex::match_unit`] is a
//! pure function of the index and the unit; it never guesses between two
//! candidates: see [`Outcome`].

use crate::normalize::{self, LegalForm, NormalName};
use std::collections::HashMap;

/// One enterprise of the register.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Enterprise {
    /// 统一社会信用代码, as the register has it (cleaned, upper case).
    pub credit_code: String,
    /// 单位名称, as the register has it.
    pub name: String,
    /// 所在地: the division code of the seat (`350102`, `350100-GXQ`, …).
    pub seat: String,
    /// The spreadsheet row it was read from (0 when built in memory).
    pub row: u32,
}

/// The position of an enterprise in the register.
pub type EnterpriseId = u32;

/// Confidence of a match, in percent (integer: no floats in this crate).
pub type Confidence = u8;

/// Why an exact-name match is exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameBasis {
    /// The cleaned names are equal (width, brackets, spaces aside).
    Literal,
    /// Equal after the legal-form family and region equivalences.
    Normalised,
}

/// Why a match is only fuzzy (for a reviewer, never accepted automatically).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FuzzyBasis {
    /// The list names a branch; the candidate is its company (branches have
    /// no legal personality of their own for the grant).
    Branch,
    /// The names differ only in the legal-form family (有限公司 / 股份有限公司).
    LegalFormDiffers,
    /// The names differ in exactly one character.
    OneCharacter,
    /// The list's credit code is in the register but under another name.
    CodeNameMismatch,
    /// The list's credit code is not in the register; the name matches an
    /// enterprise with another code.
    CodeNotInRegister,
}

/// Why a unit has no match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoneReason {
    /// The list names no unit in this position.
    EmptyName,
    /// A public body or institution (局, 研究院, 协会 …), not an enterprise.
    PublicBody,
    /// A branch whose company is not in the register.
    BranchParentNotInRegister,
    /// No enterprise of the register has this name or code.
    NotInRegister,
}

/// The outcome of matching one unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The credit code is in the register and the name agrees with it.
    ExactCode {
        /// The enterprise.
        enterprise: EnterpriseId,
    },
    /// Exactly one enterprise has this name (no code given).
    ExactName {
        /// The enterprise.
        enterprise: EnterpriseId,
        /// How exact.
        basis: NameBasis,
        /// 100 for a literal match, 95 after normalisation.
        confidence: Confidence,
    },
    /// One probable enterprise, for a reviewer to confirm.
    Fuzzy {
        /// The candidate.
        enterprise: EnterpriseId,
        /// Why it is only probable.
        basis: FuzzyBasis,
        /// How probable, percent.
        confidence: Confidence,
    },
    /// Two or more enterprises fit equally; a reviewer picks (or none).
    Ambiguous {
        /// The candidates, the closest first.
        candidates: Vec<EnterpriseId>,
    },
    /// No enterprise.
    None {
        /// Why.
        reason: NoneReason,
    },
}

impl Outcome {
    /// The stable outcome code: `EXACT_CODE`, `EXACT_NAME`, `FUZZY`,
    /// `AMBIGUOUS`, `NONE`.
    pub fn code(&self) -> &'static str {
        match self {
            Outcome::ExactCode { .. } => "EXACT_CODE",
            Outcome::ExactName { .. } => "EXACT_NAME",
            Outcome::Fuzzy { .. } => "FUZZY",
            Outcome::Ambiguous { .. } => "AMBIGUOUS",
            Outcome::None { .. } => "NONE",
        }
    }

    /// The stable basis code (why this outcome).
    pub fn basis_code(&self) -> &'static str {
        match self {
            Outcome::ExactCode { .. } => "CREDIT_CODE",
            Outcome::ExactName { basis, .. } => match basis {
                NameBasis::Literal => "LITERAL_NAME",
                NameBasis::Normalised => "NORMALISED_NAME",
            },
            Outcome::Fuzzy { basis, .. } => match basis {
                FuzzyBasis::Branch => "BRANCH_OF_COMPANY",
                FuzzyBasis::LegalFormDiffers => "LEGAL_FORM_DIFFERS",
                FuzzyBasis::OneCharacter => "ONE_CHARACTER_DIFFERS",
                FuzzyBasis::CodeNameMismatch => "CODE_NAME_MISMATCH",
                FuzzyBasis::CodeNotInRegister => "CODE_NOT_IN_REGISTER",
            },
            Outcome::Ambiguous { .. } => "SEVERAL_CANDIDATES",
            Outcome::None { reason } => match reason {
                NoneReason::EmptyName => "EMPTY_NAME",
                NoneReason::PublicBody => "NO_ENTERPRISE_PUBLIC_BODY",
                NoneReason::BranchParentNotInRegister => "BRANCH_PARENT_NOT_IN_REGISTER",
                NoneReason::NotInRegister => "NOT_IN_REGISTER",
            },
        }
    }

    /// What the outcome means for a reviewer, Chinese and English.
    pub fn explain(&self) -> (&'static str, &'static str) {
        match self.basis_code() {
            "CREDIT_CODE" => ("统一社会信用代码一致", "the credit code is in the register"),
            "LITERAL_NAME" => ("名称与企业名录一致", "the name is the registered name"),
            "NORMALISED_NAME" => (
                "名称规范化后与企业名录唯一一致(全半角、括号、空格、有限公司/有限责任公司、行政区划写法)",
                "the name equals exactly one registered name after normalisation (width, brackets, spaces, 有限公司/有限责任公司, region suffixes)",
            ),
            "BRANCH_OF_COMPANY" => (
                "清单所列为分支机构,候选为其所属公司;分支机构不具有独立法人资格,资助由公司申请,请核实",
                "a branch is listed; the candidate is its company (a branch has no legal personality of its own for the grant); confirm",
            ),
            "LEGAL_FORM_DIFFERS" => (
                "名称仅组织形式不同(有限公司与股份有限公司),可能已改制,请核实",
                "the names differ only in legal form (有限公司 / 股份有限公司), possibly a conversion; confirm",
            ),
            "ONE_CHARACTER_DIFFERS" => (
                "名称有一字之差,可能为笔误,请核实",
                "the names differ in one character, possibly a typing error; confirm",
            ),
            "CODE_NAME_MISMATCH" => (
                "清单中的信用代码属于另一名称的企业,请核实",
                "the listed credit code belongs to an enterprise of another name; confirm",
            ),
            "CODE_NOT_IN_REGISTER" => (
                "清单中的信用代码不在企业名录中,名称与另一信用代码的企业一致,请核实",
                "the listed credit code is not in the register; the name matches an enterprise with another code; confirm",
            ),
            "SEVERAL_CANDIDATES" => (
                "多家企业名称相同或几乎相同,不能自动确定,请选择或排除",
                "several enterprises have the same or nearly the same name; choose one or none",
            ),
            "NO_ENTERPRISE_PUBLIC_BODY" => (
                "机关、事业单位或社会团体,不是企业,不作匹配",
                "a public body or institution, not an enterprise: not matched",
            ),
            "BRANCH_PARENT_NOT_IN_REGISTER" => (
                "分支机构的所属公司不在企业名录中",
                "the branch's company is not in the register",
            ),
            "EMPTY_NAME" => ("单位名称为空", "the unit name is empty"),
            _ => (
                "企业名录中没有该单位",
                "no enterprise of the register has this name or code",
            ),
        }
    }

    /// The confidence, percent (0 for ambiguous and none).
    pub fn confidence(&self) -> Confidence {
        match self {
            Outcome::ExactCode { .. } => 100,
            Outcome::ExactName { confidence, .. } | Outcome::Fuzzy { confidence, .. } => {
                *confidence
            }
            Outcome::Ambiguous { .. } | Outcome::None { .. } => 0,
        }
    }

    /// The enterprise when the outcome is accepted without review: only an
    /// exact code or an exact name.
    pub fn accepted(&self) -> Option<EnterpriseId> {
        match self {
            Outcome::ExactCode { enterprise } | Outcome::ExactName { enterprise, .. } => {
                Some(*enterprise)
            }
            _ => None,
        }
    }

    /// The candidates a reviewer chooses from.
    pub fn candidates(&self) -> Vec<EnterpriseId> {
        match self {
            Outcome::ExactCode { enterprise }
            | Outcome::ExactName { enterprise, .. }
            | Outcome::Fuzzy { enterprise, .. } => vec![*enterprise],
            Outcome::Ambiguous { candidates } => candidates.clone(),
            Outcome::None { .. } => Vec::new(),
        }
    }
}

/// Confidence of an exact literal name.
pub const CONFIDENCE_LITERAL: Confidence = 100;
/// Confidence of an exact name after normalisation.
pub const CONFIDENCE_NORMALISED: Confidence = 95;
/// Confidence of a branch mapped to its company.
pub const CONFIDENCE_BRANCH: Confidence = 80;
/// Confidence of a name differing in legal-form family.
pub const CONFIDENCE_LEGAL_FORM: Confidence = 70;
/// Confidence of a one-character difference.
pub const CONFIDENCE_ONE_CHARACTER: Confidence = 60;
/// Confidence of a code that disagrees with the name, or is not registered.
pub const CONFIDENCE_CODE_CONFLICT: Confidence = 50;

/// Shortest core (in characters) for which a one-character difference is
/// considered at all: below it, one character is too much of the name.
pub const FUZZY_MIN_CHARS: usize = 4;

#[derive(Debug)]
struct Entry {
    chars: Vec<char>,
    form: LegalForm,
    branch: bool,
}

/// The indexed register.
#[derive(Debug, Default)]
pub struct RegisterIndex {
    enterprises: Vec<Enterprise>,
    by_code: HashMap<String, EnterpriseId>,
    by_literal: HashMap<String, Vec<EnterpriseId>>,
    by_key: HashMap<String, Vec<EnterpriseId>>,
    by_core: HashMap<String, Vec<EnterpriseId>>,
    by_half: HashMap<String, Vec<EnterpriseId>>,
    /// Per enterprise: the core's characters (for verifying one-character
    /// candidates), the form family, and whether it is a registered branch.
    cores: Vec<Entry>,
    duplicate_codes: Vec<(EnterpriseId, EnterpriseId)>,
}

impl RegisterIndex {
    /// Indexes a register. An enterprise whose credit code is already taken
    /// by an earlier row is still indexed by name, and the pair is reported
    /// by [`RegisterIndex::duplicate_codes`].
    pub fn build(enterprises: Vec<Enterprise>) -> RegisterIndex {
        let mut index = RegisterIndex {
            by_code: HashMap::with_capacity(enterprises.len()),
            by_literal: HashMap::with_capacity(enterprises.len()),
            by_key: HashMap::with_capacity(enterprises.len()),
            by_core: HashMap::with_capacity(enterprises.len()),
            by_half: HashMap::with_capacity(enterprises.len().saturating_mul(2)),
            cores: Vec::with_capacity(enterprises.len()),
            ..RegisterIndex::default()
        };
        for (i, e) in enterprises.iter().enumerate() {
            let Ok(id) = EnterpriseId::try_from(i) else {
                break;
            };
            if let Some(code) = normalize::clean_code(&e.credit_code) {
                match index.by_code.get(&code) {
                    Some(first) => index.duplicate_codes.push((*first, id)),
                    None => {
                        index.by_code.insert(code, id);
                    }
                }
            }
            let n = normalize::normalize(&e.name);
            index
                .by_literal
                .entry(n.literal.clone())
                .or_default()
                .push(id);
            if let Some(branch) = &n.branch {
                // A registered branch is indexed under its own full name only:
                // the grant goes to the company, so a branch entry is never a
                // candidate by key, core or one character.
                let mut key = n.key();
                key.push('>');
                key.push_str(branch);
                index.by_key.entry(key).or_default().push(id);
                index.cores.push(Entry {
                    chars: Vec::new(),
                    form: n.form,
                    branch: true,
                });
                continue;
            }
            index.by_key.entry(n.key()).or_default().push(id);
            if n.form != LegalForm::None {
                index.by_core.entry(n.core.clone()).or_default().push(id);
            }
            let chars: Vec<char> = n.core.chars().collect();
            for half in halves(&chars, n.form) {
                index.by_half.entry(half).or_default().push(id);
            }
            index.cores.push(Entry {
                chars,
                form: n.form,
                branch: false,
            });
        }
        index.enterprises = enterprises;
        index
    }

    /// The enterprises, in register order.
    pub fn enterprises(&self) -> &[Enterprise] {
        &self.enterprises
    }

    /// One enterprise.
    pub fn get(&self, id: EnterpriseId) -> Option<&Enterprise> {
        self.enterprises.get(usize::try_from(id).ok()?)
    }

    /// Pairs of register rows sharing a credit code (the first keeps it).
    pub fn duplicate_codes(&self) -> &[(EnterpriseId, EnterpriseId)] {
        &self.duplicate_codes
    }

    /// The enterprise holding a credit code.
    pub fn by_code(&self, code: &str) -> Option<EnterpriseId> {
        self.by_code.get(code).copied()
    }

    /// Matches a unit as a list names it: its name and, when the list gives
    /// one, its credit code.
    pub fn match_unit(&self, name: &str, code: Option<&str>) -> Outcome {
        let n = normalize::normalize(name);
        let code = code.and_then(normalize::clean_code);
        if let Some(code) = code {
            return match self.by_code(&code) {
                Some(id) if self.is_branch(id) => {
                    // A registered branch's own code: the grant goes to its
                    // company, which a reviewer confirms.
                    match self.get(id) {
                        Some(e) => self.match_name(&normalize::normalize(&e.name)),
                        None => Outcome::None {
                            reason: NoneReason::NotInRegister,
                        },
                    }
                }
                Some(id) => {
                    if n.is_empty() || self.name_agrees(id, &n) {
                        Outcome::ExactCode { enterprise: id }
                    } else {
                        Outcome::Fuzzy {
                            enterprise: id,
                            basis: FuzzyBasis::CodeNameMismatch,
                            confidence: CONFIDENCE_CODE_CONFLICT,
                        }
                    }
                }
                None => match self.match_name(&n) {
                    Outcome::ExactName { enterprise, .. } => Outcome::Fuzzy {
                        enterprise,
                        basis: FuzzyBasis::CodeNotInRegister,
                        confidence: CONFIDENCE_CODE_CONFLICT,
                    },
                    other => other,
                },
            };
        }
        self.match_name(&n)
    }

    fn name_agrees(&self, id: EnterpriseId, n: &NormalName) -> bool {
        let Some(e) = self.get(id) else {
            return false;
        };
        let r = normalize::normalize(&e.name);
        r.literal == n.literal || r.core == n.core
    }

    fn ids<'a>(map: &'a HashMap<String, Vec<EnterpriseId>>, key: &str) -> &'a [EnterpriseId] {
        map.get(key).map(Vec::as_slice).unwrap_or_default()
    }

    /// Matches by name alone.
    pub fn match_name(&self, n: &NormalName) -> Outcome {
        if n.is_empty() {
            return Outcome::None {
                reason: NoneReason::EmptyName,
            };
        }
        let key = n.key();
        if n.branch.is_some() {
            return match Self::ids(&self.by_key, &key) {
                [] => Outcome::None {
                    reason: NoneReason::BranchParentNotInRegister,
                },
                [one] => Outcome::Fuzzy {
                    enterprise: *one,
                    basis: FuzzyBasis::Branch,
                    confidence: CONFIDENCE_BRANCH,
                },
                many => Outcome::Ambiguous {
                    candidates: many.to_vec(),
                },
            };
        }
        let same_key = Self::ids(&self.by_key, &key);
        match same_key {
            [] => {}
            [one] => {
                let literal = Self::ids(&self.by_literal, &n.literal).contains(one);
                return Outcome::ExactName {
                    enterprise: *one,
                    basis: if literal {
                        NameBasis::Literal
                    } else {
                        NameBasis::Normalised
                    },
                    confidence: if literal {
                        CONFIDENCE_LITERAL
                    } else {
                        CONFIDENCE_NORMALISED
                    },
                };
            }
            many => {
                // Near-identical registered names (e.g. `福州XX` and
                // `福州市XX`): never picked, even if one is literally equal;
                // the literal one comes first for the reviewer.
                let literal = Self::ids(&self.by_literal, &n.literal);
                let mut candidates: Vec<EnterpriseId> = many
                    .iter()
                    .copied()
                    .filter(|id| literal.contains(id))
                    .collect();
                candidates.extend(many.iter().copied().filter(|id| !literal.contains(id)));
                return Outcome::Ambiguous { candidates };
            }
        }
        if n.form != LegalForm::None {
            let other_form: Vec<EnterpriseId> = Self::ids(&self.by_core, &n.core)
                .iter()
                .copied()
                .filter(|id| self.form_of(*id).is_some_and(|f| f != n.form))
                .collect();
            match other_form.as_slice() {
                [] => {}
                [one] => {
                    return Outcome::Fuzzy {
                        enterprise: *one,
                        basis: FuzzyBasis::LegalFormDiffers,
                        confidence: CONFIDENCE_LEGAL_FORM,
                    };
                }
                _ => {
                    return Outcome::Ambiguous {
                        candidates: other_form,
                    };
                }
            }
        }
        let near = self.one_character(n);
        match near.as_slice() {
            [] => {}
            [one] => {
                return Outcome::Fuzzy {
                    enterprise: *one,
                    basis: FuzzyBasis::OneCharacter,
                    confidence: CONFIDENCE_ONE_CHARACTER,
                };
            }
            _ => return Outcome::Ambiguous { candidates: near },
        }
        Outcome::None {
            reason: if normalize::looks_like_public_body(&n.literal) {
                NoneReason::PublicBody
            } else {
                NoneReason::NotInRegister
            },
        }
    }

    fn entry(&self, id: EnterpriseId) -> Option<&Entry> {
        self.cores.get(usize::try_from(id).ok()?)
    }

    fn form_of(&self, id: EnterpriseId) -> Option<LegalForm> {
        self.entry(id).map(|e| e.form)
    }

    fn is_branch(&self, id: EnterpriseId) -> bool {
        self.entry(id).is_some_and(|e| e.branch)
    }

    /// Enterprises whose core differs from `n`'s in exactly one character
    /// (same length, same form family), in register order.
    fn one_character(&self, n: &NormalName) -> Vec<EnterpriseId> {
        let chars: Vec<char> = n.core.chars().collect();
        let mut found: Vec<EnterpriseId> = Vec::new();
        for half in halves(&chars, n.form) {
            for id in Self::ids(&self.by_half, &half) {
                if found.contains(id) {
                    continue;
                }
                let Some(other) = self.entry(*id) else {
                    continue;
                };
                if other.form == n.form && differs_in_one(&chars, &other.chars) {
                    found.push(*id);
                }
            }
        }
        found.sort_unstable();
        found
    }
}

/// The two half-keys of a core: a core with one character changed keeps one
/// of its halves intact, so its candidates share a half-key with it.
fn halves(chars: &[char], form: LegalForm) -> Vec<String> {
    let len = chars.len();
    if len < FUZZY_MIN_CHARS {
        return Vec::new();
    }
    let mid = len.checked_div(2).unwrap_or(0);
    let (a, b) = chars.split_at(mid);
    [('A', a), ('B', b)]
        .iter()
        .map(|(side, part)| {
            let mut key = format!("{len}{side}{}", form.tag());
            key.extend(part.iter());
            key
        })
        .collect()
}

fn differs_in_one(a: &[char], b: &[char]) -> bool {
    a.len() == b.len() && a.iter().zip(b).filter(|(x, y)| x != y).count() == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(code: &str, name: &str) -> Enterprise {
        Enterprise {
            credit_code: code.into(),
            name: name.into(),
            seat: "350102".into(),
            row: 0,
        }
    }

    fn index() -> RegisterIndex {
        RegisterIndex::build(vec![
            e("CODE0", "福州鑫达科技有限公司"),
            e("CODE1", "福州宏远电子股份有限公司"),
            e("CODE2", "福州华兴食品有限公司"),
            e("CODE3", "福州市华兴食品有限责任公司"),
            e("CODE4", "福建闽江机械有限公司"),
            e("CODE5", "福建闽江机械有限公司福州分公司"),
            e("CODE6", "福州天成建设工程有限公司"),
            e("CODE7", "福州天盛建设工程有限公司"),
        ])
    }

    #[test]
    fn outcomes() {
        let ix = index();
        assert_eq!(
            ix.match_unit("福州鑫达科技有限公司", Some("CODE0")),
            Outcome::ExactCode { enterprise: 0 }
        );
        assert_eq!(
            ix.match_unit("福州市鑫达科技有限责任公司", None),
            Outcome::ExactName {
                enterprise: 0,
                basis: NameBasis::Normalised,
                confidence: 95
            }
        );
        assert_eq!(
            ix.match_unit("福州鑫达科技有限公司", None).confidence(),
            100
        );
        // Two registered names equal after normalisation: ambiguous, the literal first.
        assert_eq!(
            ix.match_unit("福州市华兴食品有限责任公司", None),
            Outcome::Ambiguous {
                candidates: vec![3, 2]
            }
        );
        assert_eq!(ix.match_unit("福州宏远电子有限公司", None).code(), "FUZZY");
        assert_eq!(
            ix.match_unit("福建闽江机械有限公司马尾分公司", None),
            Outcome::Fuzzy {
                enterprise: 4,
                basis: FuzzyBasis::Branch,
                confidence: 80
            }
        );
        // One wrong character with one neighbour: fuzzy; with two: ambiguous.
        assert_eq!(
            ix.match_unit("福州鑫迭科技有限公司", None),
            Outcome::Fuzzy {
                enterprise: 0,
                basis: FuzzyBasis::OneCharacter,
                confidence: 60
            }
        );
        assert_eq!(
            ix.match_unit("福州天X建设工程有限公司", None),
            Outcome::Ambiguous {
                candidates: vec![6, 7]
            }
        );
        assert_eq!(
            ix.match_unit("福州市市场监督管理局", None),
            Outcome::None {
                reason: NoneReason::PublicBody
            }
        );
        assert_eq!(
            ix.match_unit("北京远方科技有限公司", None).basis_code(),
            "NOT_IN_REGISTER"
        );
        assert_eq!(
            ix.match_unit("福州鑫达科技有限公司", Some("CODE1"))
                .basis_code(),
            "CODE_NAME_MISMATCH"
        );
        assert_eq!(
            ix.match_unit("福州鑫达科技有限公司", Some("NOPE"))
                .basis_code(),
            "CODE_NOT_IN_REGISTER"
        );
        assert_eq!(ix.match_unit(" ", None).basis_code(), "EMPTY_NAME");
        // A registered branch's own code leads to its company, for review.
        assert_eq!(
            ix.match_unit("福建闽江机械有限公司福州分公司", Some("CODE5")),
            Outcome::Fuzzy {
                enterprise: 4,
                basis: FuzzyBasis::Branch,
                confidence: 80
            }
        );
    }
}
