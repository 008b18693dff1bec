//! Fault injection: what the network and a struggling bank do to a request, drawn from a
//! seeded generator so that a failing run can be repeated. "Duplicated responses" is read
//! as the network delivering a request twice.

use serde::{Deserialize, Serialize};

/// Each rate is a percentage of the requests to the bank's API (the `/_sim` control
/// routes are never disturbed).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Answered 503 before anything is done.
    pub failure_pct: u8,
    /// Added to every answer.
    pub latency_ms: u64,
    /// Done and committed, then the connection is cut before the answer is complete.
    pub reset_pct: u8,
    /// The request arrives twice (the network repeated it); the second answer is sent.
    pub duplicate_pct: u8,
    /// Done, then answered with a body that is not the promised JSON.
    pub wrong_json_pct: u8,
    /// Done, then answered with a 64 MiB body.
    pub huge_body_pct: u8,
    /// Done, then answered one byte every 100 ms.
    pub drip_pct: u8,
    pub seed: u64,
    /// When set, only requests whose path starts with it are disturbed (say
    /// `/v1/pledges`: the Pledge Registry struggles while the core bank is fine).
    pub only: Option<String>,
}

/// What happens to one request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub fail: bool,
    pub reset: bool,
    pub duplicate: bool,
    pub wrong_json: bool,
    pub huge_body: bool,
    pub drip: bool,
}

/// SplitMix64: small, seedable, good enough to spread faults.
#[derive(Clone, Debug)]
pub struct Dice(u64);

impl Dice {
    pub fn new(seed: u64) -> Dice {
        Dice(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn percent(&mut self, pct: u8) -> bool {
        pct > 0 && self.next() % 100 < u64::from(pct.min(100))
    }

    /// One roll per fault kind; at most one of the answer-spoiling kinds applies.
    pub fn plan(&mut self, f: &Faults) -> Plan {
        let mut p = Plan {
            fail: self.percent(f.failure_pct),
            duplicate: self.percent(f.duplicate_pct),
            reset: self.percent(f.reset_pct),
            ..Plan::default()
        };
        if !p.reset {
            p.wrong_json = self.percent(f.wrong_json_pct);
            p.huge_body = !p.wrong_json && self.percent(f.huge_body_pct);
            p.drip = !p.wrong_json && !p.huge_body && self.percent(f.drip_pct);
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_roughly_kept_and_the_seed_repeats_a_run() {
        let f = Faults {
            failure_pct: 30,
            seed: 7,
            ..Faults::default()
        };
        let mut d = Dice::new(f.seed);
        let fails = (0..10_000).filter(|_| d.plan(&f).fail).count();
        assert!((2_700..3_300).contains(&fails), "{fails}");
        let run = |seed| {
            let mut d = Dice::new(seed);
            (0..50).map(|_| d.plan(&f).fail).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let none = Faults::default();
        assert!((0..1000).all(|_| d.plan(&none) == Plan::default()));
    }
}
