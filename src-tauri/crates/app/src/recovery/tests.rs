use super::*;

/// Keys of every shape: all zeros, all ones, counting bytes, and a few pseudo-random ones.
fn keys() -> Vec<RecoveryKey> {
    let mut keys = vec![[0u8; 32], [0xff; 32], std::array::from_fn(|i| i as u8)];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..4 {
        keys.push(std::array::from_fn(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        }));
    }
    keys.into_iter().map(RecoveryKey::from_bytes).collect()
}

/// The one check: `typed` reads as `expected`, and no refusal's message holds a group of
/// the key it was made from.
fn check(key: &RecoveryKey, typed: &str, expected: Result<&RecoveryKey, RecoveryKeyError>) {
    let read = RecoveryKey::parse(typed);
    assert_eq!(read.as_ref().map_err(Clone::clone), expected, "{typed:?}");
    if let Err(e) = read {
        let message = AppError::from(e).message;
        for group in key.groups() {
            assert!(!message.contains(&group), "{message} shows {group}");
            assert!(
                !message.contains(&group[..4]),
                "{message} shows part of the key"
            );
        }
    }
}

/// The key's symbols as typed, without dashes.
fn symbols(key: &RecoveryKey) -> Vec<char> {
    key.display().chars().filter(|c| *c != '-').collect()
}

/// Symbols back into the dashed form.
fn dashed(symbols: &[char]) -> String {
    symbols
        .chunks(GROUP_LEN)
        .map(|g| g.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

#[test]
fn a_key_reads_back_as_itself() {
    for key in keys() {
        let shown = key.display();
        assert_eq!(shown.len(), SYMBOLS + GROUPS - 1, "{}", shown.as_str());
        assert_eq!(key.groups().len(), GROUPS);
        assert!(key
            .groups()
            .iter()
            .all(|g| g.len() == GROUP_LEN && g.bytes().all(|b| ALPHABET.contains(&b))));
        check(&key, &shown, Ok(&key));
    }
    // Different keys, different text.
    let shown: std::collections::BTreeSet<String> =
        keys().iter().map(|k| k.display().to_string()).collect();
    assert_eq!(shown.len(), keys().len());
}

#[test]
fn every_single_substitution_is_a_typo_in_its_group() {
    for key in keys() {
        let original = symbols(&key);
        for at in 0..SYMBOLS {
            for other in ALPHABET.iter().map(|&b| char::from(b)) {
                if other == original[at] {
                    continue;
                }
                let mut typed = original.clone();
                typed[at] = other;
                let group = at / GROUP_LEN + 1;
                check(&key, &dashed(&typed), Err(RecoveryKeyError::Typo { group }));
            }
        }
    }
}

#[test]
fn every_swap_of_neighbours_is_a_typo_in_the_first_group_it_touches() {
    for key in keys() {
        let original = symbols(&key);
        for at in 0..SYMBOLS - 1 {
            if original[at] == original[at + 1] {
                continue; // the same text
            }
            let mut typed = original.clone();
            typed.swap(at, at + 1);
            let group = at / GROUP_LEN + 1;
            check(&key, &dashed(&typed), Err(RecoveryKeyError::Typo { group }));
        }
        // A whole group typed in another's place.
        let groups = key.groups();
        let mut swapped = groups.clone();
        swapped.swap(2, 7);
        if groups[2] != groups[7] {
            check(
                &key,
                &swapped.join("-"),
                Err(RecoveryKeyError::Typo { group: 3 }),
            );
        }
    }
}

#[test]
fn a_key_of_the_wrong_length_says_so() {
    use RecoveryKeyError::*;
    let key = &keys()[3];
    let s = symbols(key);
    let plain: String = s.iter().collect();
    let shown = key.display().to_string();
    let mut short_group = s.clone();
    short_group.remove(22); // group 5
    let mut long_group = s.clone();
    long_group.insert(50, 'A'); // group 11
    let grouped_short: String = {
        let mut g = key.groups();
        g[4].pop();
        g.join("-")
    };
    let grouped_long: String = {
        let mut g = key.groups();
        g[10].push('A');
        g.join(" ")
    };
    let cases: Vec<(String, RecoveryKeyError)> = vec![
        (String::new(), Empty),
        ("  - -\n".into(), Empty),
        (plain[..64].into(), Length { found: 64 }),
        (format!("{plain}A"), Length { found: 66 }),
        (short_group.iter().collect(), Length { found: 64 }),
        (long_group.iter().collect(), Length { found: 66 }),
        (grouped_short, GroupLength { group: 5, found: 4 }),
        (
            grouped_long,
            GroupLength {
                group: 11,
                found: 6,
            },
        ),
        (key.groups()[..12].join("-"), Length { found: 60 }),
        (format!("{shown}-{}", key.groups()[0]), Length { found: 70 }),
        ("A".repeat(MAX_INPUT + 1), TooLong),
        ("-".repeat(100_000), TooLong),
    ];
    for (typed, expected) in cases {
        check(key, &typed, Err(expected));
    }
}

#[test]
fn a_foreign_character_is_named_with_its_group() {
    let key = &keys()[4];
    let s = symbols(key);
    for (at, ch) in [
        (0, 'U'),
        (7, 'u'),
        (12, '!'),
        (33, 'é'),
        (40, '😀'),
        (44, '\0'),
        (64, '*'),
        (20, 'Ж'),
    ] {
        let mut typed = s.clone();
        typed[at] = ch;
        let group = at / GROUP_LEN + 1;
        check(
            key,
            &dashed(&typed),
            Err(RecoveryKeyError::Character { ch, group }),
        );
    }
    let message = AppError::from(RecoveryKeyError::Character {
        ch: '\u{7}',
        group: 2,
    })
    .message;
    assert!(
        message.contains("'\\u{7}'") && message.contains("group 2"),
        "{message}"
    );
}

#[test]
fn spacing_case_and_crockford_s_lookalikes_are_forgiven() {
    for key in keys() {
        let shown = key.display().to_string();
        let forms = [
            shown.to_lowercase(),
            shown.replace('-', " "),
            shown.replace('-', ""),
            shown.replace('-', "\n"),
            shown.replace('-', " \u{2013} "),
            format!("  {shown}\r\n"),
            key.groups()
                .iter()
                .map(|g| format!("{} {}", &g[..2], &g[2..]))
                .collect::<Vec<_>>()
                .join("  "),
            shown.replace('0', "O").replace('1', "l"),
            shown.replace('0', "o").replace('1', "I"),
        ];
        for typed in forms {
            check(&key, &typed, Ok(&key));
        }
    }
}

#[test]
fn the_typo_message_names_its_group_and_the_code_is_its_own() {
    let e = AppError::from(RecoveryKeyError::Typo { group: 5 });
    assert_eq!(e.code, ErrorCode::RecoveryKeyTypo);
    assert_eq!(e.message, "the recovery key has a typo in group 5");
    assert_eq!(
        AppError::from(RecoveryKeyError::Length { found: 3 }).code,
        ErrorCode::InvalidInput
    );
    // The key itself is never printed by Debug.
    assert_eq!(format!("{:?}", keys()[1]), "RecoveryKey(…)");
}
